"""What the user sees when something unexpected goes wrong, and Qt's own messages in the log.

``reporting()`` is used around the running app: every uncaught exception is written to the log
(``app_logging``) with its traceback, then a plain dialog says so — "Something went wrong. Your
work is saved up to …; the details are in …" — with **Copy details** (for an email to whoever
supports the app) and **Open log folder**. The app keeps running. Qt's warnings go to the same
log instead of a console nobody sees.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, QUrl, qInstallMessageHandler
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__, app_logging

qt_log = logging.getLogger("cqc_desktop.qt")
QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def crash_details(exc_info: app_logging.ExcInfo, log_path: Path) -> str:
    """The text Copy details puts on the clipboard: versions, where the log is, the traceback."""
    kind, exc, tb = exc_info
    lines = [
        f"{APP_NAME} {__version__}",
        f"Python {sys.version.split()[0]} on {platform.platform()}",
        f"Log file: {log_path}",
        "",
        *traceback.format_exception(kind, exc, tb),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class CrashDialog(QDialog):
    """Says that something went wrong, how far the work is saved and where the details are."""

    def __init__(
        self, exc_info: app_logging.ExcInfo, log_path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.details = crash_details(exc_info, log_path)
        self.setWindowTitle(f"{APP_NAME}: something went wrong")
        self.setAccessibleName("Something went wrong")

        icon = QLabel()
        style = self.style()
        icon.setPixmap(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48))
        self.message = QLabel(
            f"<b>Something went wrong.</b><br><br>Your work is saved up to "
            f"{app_logging.saved_up_to()}; the details are in <i>{log_path}</i>."
            "<br><br>You can carry on. If the same thing happens again, close "
            f"{APP_NAME} and open it again, and send the details to whoever supports it."
        )
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(f"({app_logging.crash_summary(exc_info[1])})")
        self.summary.setWordWrap(True)
        self.summary.setEnabled(False)

        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setToolTip("Copy what happened, for an email to whoever supports the app")
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open &log folder")
        self.folder_button.clicked.connect(self.open_log_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)

        top = QHBoxLayout()
        top.addWidget(icon, 0)
        text = QVBoxLayout()
        text.addWidget(self.message)
        text.addWidget(self.summary)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Details &copied")

    def open_log_folder(self) -> None:
        # A local folder, opened by the PC's file manager: no network involved.
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))


_showing = False


def show_crash(exc_info: app_logging.ExcInfo, log_path: Path) -> None:
    """Show the crash dialog over the active window (one at a time: an error that repeats while
    it is open, say in a paint event, is only logged)."""
    global _showing
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        CrashDialog(exc_info, log_path, QApplication.activeWindow()).exec()
    finally:
        _showing = False


def show_start_up_failure() -> None:
    """The exception being handled stopped the app starting: a plain message for the problems
    the app words itself (a database it cannot use, a service's refusal), the crash dialog with
    the details logged for anything else."""
    from PySide6.QtWidgets import QMessageBox

    from ..db import DatabaseProblem
    from ..services.errors import ServiceError

    kind, exc, tb = sys.exc_info()
    assert kind is not None and exc is not None
    if isinstance(exc, DatabaseProblem | ServiceError):
        # A service's message may name someone; the database's names only the file.
        said = str(exc) if isinstance(exc, DatabaseProblem) else type(exc).__name__
        app_logging.log.warning("Could not start: %s", said)
        QMessageBox.critical(None, APP_NAME, str(exc))
        return
    show_crash((kind, exc, tb), app_logging.log_crash((kind, exc, tb), "start-up"))


def qt_message(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings and errors, into the log."""
    qt_log.log(QT_LEVELS.get(mode, logging.WARNING), "Qt: %s", message)


@contextmanager
def reporting(enabled: bool = True) -> Iterator[None]:
    """While the block runs, uncaught exceptions are logged and shown in the crash dialog and
    Qt's messages go to the log; what was there before is put back afterwards."""
    if not enabled:
        yield
        return
    import threading

    before = sys.excepthook, threading.excepthook
    previous_handler = qInstallMessageHandler(qt_message)
    app_logging.install_excepthook(show_crash)
    try:
        yield
    finally:
        sys.excepthook, threading.excepthook = before
        qInstallMessageHandler(previous_handler)
