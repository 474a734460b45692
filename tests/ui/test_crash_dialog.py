"""An unexpected error in the running app: logged with its traceback, then a plain dialog that
says how far the work is saved and where the details are, with Copy details and Open log folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl, qWarning
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from cqc_desktop import app_logging
from cqc_desktop.db import Database
from cqc_desktop.ui import crash_dialog
from cqc_desktop.ui.crash_dialog import CrashDialog, reporting


def _exc_info() -> app_logging.ExcInfo:
    try:
        {}["missing"]
    except KeyError:
        kind, exc, tb = sys.exc_info()
        assert kind is not None and exc is not None
        return kind, exc, tb
    raise AssertionError("unreachable")


def test_the_dialog_says_what_happened_and_where_the_details_are(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with db.unit_of_work() as session:  # something saved: the dialog says when
        session.info["note"] = "saved"
    log_path = app_logging.log_crash(_exc_info())
    dialog = CrashDialog(_exc_info(), log_path)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.message.text()
    assert "Something went wrong." in text
    assert "Your work is saved up to" in text and "the last time something was saved" in text
    assert str(log_path) in text
    assert "KeyError: 'missing'" in dialog.summary.text()
    dialog.resize(dialog.sizeHint())
    assert dialog.grab().save(str(tmp_path / "crash-dialog.png"))

    qtbot.mouseClick(dialog.copy_button, crash_dialog.Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("CQC Desktop ")
    assert f"Log file: {log_path}" in copied
    assert "Traceback (most recent call last)" in copied and "KeyError: 'missing'" in copied

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.mouseClick(dialog.folder_button, crash_dialog.Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [str(log_path.parent)]
    assert opened[0].isLocalFile()


def test_an_error_in_a_slot_is_logged_then_shown_and_the_app_carries_on(qtbot: QtBot) -> None:
    seen: list[str] = []

    def read_and_close_the_dialog() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog))
        seen.append(dialog.message.text())
        # A second error while the dialog is open is logged, not shown again.
        sys.excepthook(*_exc_info())
        dialog.close_button.click()

    def broken_slot() -> None:
        QTimer.singleShot(0, read_and_close_the_dialog)
        raise RuntimeError("the save button fell over")

    button = QPushButton("Save")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    hook_before = sys.excepthook
    with reporting():
        button.click()
        qWarning("a warning from Qt itself")
    assert sys.excepthook is hook_before  # put back afterwards
    assert len(seen) == 1 and "Something went wrong." in seen[0]
    log = app_logging.log_file().read_text(encoding="utf-8")
    assert "RuntimeError: the save button fell over" in log
    assert "KeyError: 'missing'" in log
    assert "WARNING cqc_desktop.qt: Qt: a warning from Qt itself" in log.replace("  ", " ")
    assert button.isEnabled()


def test_nothing_saved_yet_says_so(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_logging, "_last_saved", None)
    dialog = CrashDialog(_exc_info(), Path("/logs/cqc-desktop.log"))
    qtbot.addWidget(dialog)
    assert "when CQC Desktop was started (nothing new since)" in dialog.message.text()


def _close_when_shown(kind: type, seen: list[str]) -> None:
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    if not shown:
        QTimer.singleShot(20, lambda: _close_when_shown(kind, seen))
        return
    dialog = shown[0]
    seen.append(dialog.message.text() if isinstance(dialog, CrashDialog) else dialog.text())
    dialog.reject()


def test_a_failure_while_starting_is_explained_not_lost(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started from the Start menu there is no console: the user sees the dialog, the log has
    the traceback, and the app says it did not start (exit status 1)."""
    from cqc_desktop.config import resolve
    from cqc_desktop.ui import app as app_module

    def broken(*_args: object) -> None:
        raise RuntimeError("the demo loader fell over")

    monkeypatch.setattr(app_module, "_prepare_demo", broken)
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _close_when_shown(CrashDialog, seen))
    assert app_module.launch(resolve(str(tmp_path / "demo.sqlite3")), demo=True) == 1
    assert len(seen) == 1 and "Something went wrong." in seen[0]
    log = app_logging.log_file().read_text(encoding="utf-8")
    assert "Unexpected problem in start-up" in log
    assert "RuntimeError: the demo loader fell over" in log


def test_a_problem_the_app_words_itself_is_shown_as_it_is(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from cqc_desktop.config import resolve
    from cqc_desktop.services.errors import ServiceError
    from cqc_desktop.ui import app as app_module

    def refused(*_args: object) -> None:
        raise ServiceError("The demo cannot be loaded into this database.")

    monkeypatch.setattr(app_module, "_prepare_demo", refused)
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _close_when_shown(QMessageBox, seen))
    assert app_module.launch(resolve(str(tmp_path / "demo.sqlite3")), demo=True) == 1
    assert seen == ["The demo cannot be loaded into this database."]
    assert "Could not start: ServiceError" in app_logging.log_file().read_text(encoding="utf-8")
