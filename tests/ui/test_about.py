"""Help ▸ About: the version, where the database, data and log are, and the versions underneath,
with a Copy button for an email to whoever supports the app."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

import reportlab
import sqlalchemy
from PySide6.QtCore import QTimer, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cqc_desktop import __version__, app_logging
from cqc_desktop.db import Database
from cqc_desktop.ui.about_dialog import AboutDialog
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow


def test_help_about_shows_where_things_are_and_copies_them(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    window = MainWindow(AppContext(db, today=lambda: date(2026, 11, 26)))
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text().startswith("&About"))
    seen: dict[str, str] = {}

    def read_then_copy() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AboutDialog))
        seen.update({label: shown.text() for label, shown in dialog.values.items()})
        dialog.adjustSize()
        dialog.grab().save(str(tmp_path / "about.png"))
        dialog.copy_button.click()
        seen["button"] = dialog.copy_button.text()
        dialog.reject()

    QTimer.singleShot(0, read_then_copy)
    about.trigger()

    assert seen["Database"] == str(db.location.sqlite_path)
    assert seen["Data folder"] == str(db.location.data_dir)
    assert seen["Log folder"] == str(app_logging.log_file().parent)
    assert seen["Python"].startswith(sys.version.split()[0])
    assert seen["Qt"].startswith(qVersion())
    assert seen["SQLAlchemy"] == sqlalchemy.__version__
    assert seen["ReportLab"] == reportlab.Version
    assert seen["SQLite"] == sqlite3.sqlite_version
    assert seen["button"] == "&Copied"
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == f"Version: CQC Desktop {__version__}"
    assert f"Database: {db.location.sqlite_path}" in copied
    assert f"Log folder: {app_logging.log_file().parent}" in copied
    assert (tmp_path / "about.png").is_file()
