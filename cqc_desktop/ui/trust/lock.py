"""The idle lock: after ``security.idle_lock_minutes`` without a key press or mouse movement, every
window is covered and the signed-in user's password is asked for again.

Office PCs in care homes are shared, so the screen must not stay readable when someone walks away;
but a half-written incident review must not be lost either. So nothing is closed or hidden: each
open window (the main window and any dialog, with whatever is typed in it) gets an opaque cover,
and an application-modal lock dialog sits on top. Unlocking removes the covers and everything is
exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import APP_NAME
from ...services.trust import users
from ..context import AppContext
from ..widgets.forms import ErrorLabel, ask

CHECK_EVERY_MS = 5_000
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class Curtain(QWidget):
    """An opaque cover over one window while the app is locked; the window underneath keeps its
    contents (typed text, scroll position, selections) untouched."""

    def __init__(self, window: QWidget, text: str) -> None:
        super().__init__(window)
        self.setObjectName("lockCurtain")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lockCurtain { background: #1f3b57; } QLabel { color: white; }")
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet("font-size: 13pt;")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.setAccessibleName("Locked")
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded, QEvent.Type.Show):
            parent = self.parentWidget()
            if parent is not None and watched is parent:
                self.setGeometry(parent.rect())
                self.raise_()
        return False

    def remove(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class LockDialog(QDialog):
    """Asks the signed-in user's password again. Escape and the close button do nothing."""

    sig_unlocked = Signal()
    """Emitted once the right password has been given."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._unlocked = False
        self.setWindowTitle(f"{APP_NAME} is locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        actor = ctx.actor
        who = actor.label if actor is not None else "the signed-in user"
        intro = QLabel(
            f"<b>{APP_NAME} locked itself</b> because nobody had used it for a while.<br><br>"
            f"{who} is signed in. Enter the password to carry on exactly where you left off: "
            "nothing you had open has been closed or lost."
        )
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setMinimumWidth(280)
        self.error = ErrorLabel()
        self.error.setAccessibleName("Unlock problem")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.quit_button = QPushButton("&Close CQC Desktop…")
        self.quit_button.clicked.connect(self._quit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        caption = QLabel("&Password:")
        caption.setBuddy(self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(caption)
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.password.returnPressed.connect(self.try_unlock)
        self.setMinimumWidth(440)

    def try_unlock(self) -> None:
        actor = self.ctx.actor
        password = self.password.text()
        self.password.clear()
        if actor is None:
            ok = True
        else:
            with self.ctx.db.reading() as session:
                ok = users.confirm_password(session, actor, password)
        if not ok:
            self.error.set_error("That is not the password of the signed-in user.")
            self.password.setFocus()
            return
        self._unlocked = True
        self.sig_unlocked.emit()
        self.accept()

    def _quit(self) -> None:
        if ask(
            self,
            f"Close {APP_NAME}",
            "Close CQC Desktop now? Anything typed but not yet saved in open windows will be "
            "lost. (The person who was working can unlock it with their password instead.)",
        ):
            self._unlocked = True
            QApplication.exit(0)

    def reject(self) -> None:
        if self._unlocked:
            super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._unlocked:
            event.ignore()
            return
        super().closeEvent(event)


class IdleLock(QObject):
    """Watches for activity anywhere in the app and locks after the idle time (a setting)."""

    sig_locked = Signal()
    """Emitted when the windows have been covered and the lock dialog is showing."""

    sig_unlocked = Signal()
    """Emitted when the right password has been given and the covers removed."""

    def __init__(
        self,
        ctx: AppContext,
        app: QApplication,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_every_ms: int = CHECK_EVERY_MS,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self._app = app
        self._clock = clock
        self._last = clock()
        self._curtains: list[Curtain] = []
        self.dialog: LockDialog | None = None
        self.minutes = self._read_minutes()
        app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        ctx.sig_data_changed.connect(self._data_changed)

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def _read_minutes(self) -> int:
        try:
            with self.ctx.db.reading() as session:
                return users.idle_lock_minutes(session)
        except Exception:  # a database problem is reported elsewhere; keep the safe default
            return 10

    def _data_changed(self, what: str) -> None:
        if what in ("*", "setting", "settings"):
            self.minutes = self._read_minutes()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.dialog is None:
            self._last = self._clock()
        return False

    def idle_seconds(self) -> float:
        return self._clock() - self._last

    def check(self) -> None:
        if self.dialog is None and self.idle_seconds() >= self.minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Cover every window and ask for the password (no-op with nobody signed in, or for an
        automatic sign-in without a password, which could never be unlocked)."""
        actor = self.ctx.actor
        if self.dialog is not None or actor is None or actor.user_id is None:
            return
        popup = QApplication.activePopupWidget()
        while popup is not None:  # an open menu or drop-down would show through
            popup.close()
            popup = QApplication.activePopupWidget()
        text = f"{APP_NAME} is locked.\nEnter {actor.label}'s password to carry on."
        for widget in QApplication.topLevelWidgets():
            flags = widget.windowType()
            if not widget.isVisible() or flags in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                continue
            self._curtains.append(Curtain(widget, text))
        parent = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMainWindow) and w.isVisible()
            ),
            None,
        )
        self.dialog = LockDialog(self.ctx, parent)
        self.dialog.sig_unlocked.connect(self._unlocked)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.sig_locked.emit()

    def _unlocked(self) -> None:
        for curtain in self._curtains:
            curtain.remove()
        self._curtains.clear()
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self._last = self._clock()
        self.sig_unlocked.emit()

    def stop(self) -> None:
        self._timer.stop()
        self._app.removeEventFilter(self)
