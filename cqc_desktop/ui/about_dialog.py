"""Help ▸ About: what this copy of the app is and where it keeps things, with a Copy button
so a manager can paste it into an email to whoever supports the app."""

from __future__ import annotations

import platform
import sqlite3
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__, app_logging
from ..db import Database


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:  # a frozen bundle may not carry the metadata
        found = sys.modules.get(module)
        return str(getattr(found, "__version__", "unknown"))


def about_facts(db: Database) -> list[tuple[str, str]]:
    """(label, value) rows: the app, where its files are, and the versions underneath it."""
    import PySide6
    import reportlab
    import sqlalchemy
    from PySide6.QtCore import qVersion

    location = db.location
    return [
        ("Version", f"{APP_NAME} {__version__}"),
        ("Database", location.display),
        ("Data folder", str(location.data_dir)),
        ("Log folder", str(app_logging.log_file().parent)),
        ("Python", f"{sys.version.split()[0]} ({platform.platform()})"),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
        ("SQLAlchemy", sqlalchemy.__version__),
        ("ReportLab", reportlab.Version),
        ("Alembic", _version("alembic")),
        ("SQLite", sqlite3.sqlite_version),
    ]


class AboutDialog(QDialog):
    """The version, database, data and log folders and library versions; Copy puts them on the
    clipboard as plain text."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.facts = about_facts(db)
        intro = QLabel(
            f"<b>{APP_NAME}</b> {__version__}<br>Turns CQC findings and internal concerns into "
            "owned actions,<br>tested evidence and measured change. Works without the internet."
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts[1:]:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(label)
            form.addRow(f"{label}:", shown)
            self.values[label] = shown
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip("Copy these details, for an email to whoever supports the app")
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # Paths are shown whole (they are what support asks for), so the dialog takes their width.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.facts)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("&Copied")
