"""Signing in: the first administrator of a new database, the sign-in dialog, and changing your
own password. Nothing here keeps a password longer than the check takes.

The user service is imported where it is used: this module is loaded at start-up before the
database layer, which ``cli.main`` imports with the garbage collector off (see there).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import APP_NAME
from ...services.errors import NotAllowed, ServiceError, ValidationError
from .. import ui_state
from ..widgets.forms import ErrorLabel, Form, GuardedDialog, inform, warn

if TYPE_CHECKING:
    from ...db import Database
    from ...services.trust.permissions import Actor

LAST_USER_KEY = "login/username"


def password_box(name: str) -> QLineEdit:
    box = QLineEdit()
    box.setEchoMode(QLineEdit.EchoMode.Password)
    box.setAccessibleName(name)
    box.setMinimumWidth(260)
    return box


def _intro(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class LoginDialog(QDialog):
    """Username and password; ``actor`` holds who signed in once the dialog is accepted."""

    def __init__(self, db: Database, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(f"Sign in — {APP_NAME}")
        self.setModal(True)
        self.username = QLineEdit(username or ui_state.load_str(LAST_USER_KEY))
        self.username.setAccessibleName("Username")
        self.username.setMinimumWidth(260)
        self.password = password_box("Password")
        self.error = ErrorLabel()
        self.error.setAccessibleName("Sign-in problem")
        form = Form()
        form.add_field("username", "&Username:", self.username)
        form.add_field("password", "&Password:", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button: QPushButton = buttons.addButton(
            "&Sign in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setDefault(True)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        where = QLabel(f"Database: {db.location.display}")
        where.setWordWrap(True)
        where.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(f"<b>Sign in to {APP_NAME}</b>"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(where)
        layout.addWidget(buttons)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_sign_in)
        (self.password if self.username.text() else self.username).setFocus()

    def try_sign_in(self) -> None:
        from ...services.trust import users

        try:
            with self.db.unit_of_work() as session:
                self.actor = users.authenticate(session, self.username.text(), self.password.text())
        except ServiceError as exc:
            self.password.clear()
            self.password.setFocus()
            self.error.set_error(str(exc))
            return
        ui_state.save_str(LAST_USER_KEY, self.actor.username)
        self.password.clear()
        self.accept()


class FirstAdministratorDialog(GuardedDialog):
    """A database made before sign-in existed (it has data but no users): whoever opens it
    first becomes its administrator. A new, empty database gets the set-up wizard instead."""

    what = "administrator account"

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        from ...services.trust import users

        super().__init__(parent, f"Set up {APP_NAME}")
        self.db = db
        self.actor: Actor | None = None
        self.recovery_code = ""
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = password_box("Password")
        self.confirm = password_box("Password again")
        self.form = Form()
        self.form.add_field(
            "username", "&Username:", self.username, hint="For example zoe.hart (no spaces)."
        )
        self.form.add_field("display_name", "Your &name:", self.display_name)
        self.form.add_field(
            "password",
            "&Password:",
            self.password,
            hint=f"At least {users.MIN_PASSWORD} characters; a short phrase is easy to remember.",
        )
        self.form.add_field("confirm", "Password &again:", self.confirm)
        self.save_button.setText("&Create administrator")
        layout = QVBoxLayout(self)
        layout.addWidget(
            _intro(
                "<b>Nobody has signed in to this database yet.</b><br>Create the administrator "
                "account: the administrator adds everyone else and decides what each person may "
                "do (manager, staff or viewer). Keep the password safe; another administrator "
                "can reset it, so consider adding a second one later."
            )
        )
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.mark_clean()

    def state(self) -> Hashable:
        return (self.username.text(), self.display_name.text(), bool(self.password.text()))

    def save(self) -> bool:
        from ...services.trust import users

        password, confirm = self.password.text(), self.confirm.text()
        try:
            with self.db.unit_of_work() as session:
                users.create_first_administrator(
                    session, self.username.text(), self.display_name.text(), password, confirm
                )
                self.recovery_code = users.issue_recovery_code(session)
            with self.db.unit_of_work() as session:
                self.actor = users.authenticate(session, self.username.text(), password)
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        self.password.clear()
        self.confirm.clear()
        ui_state.save_str(LAST_USER_KEY, self.actor.username)
        inform(self, "Your recovery code", recovery_code_text(self.recovery_code))
        return True


def recovery_code_text(code: str) -> str:
    return (
        f"Recovery code: {code}\n\nPrint this or write it down, and keep it locked away. It is "
        "shown only now. If the administrator's password is ever forgotten, it lets you set a new "
        "one (cqc-desktop users recover); each code works once."
    )


class ChangePasswordDialog(GuardedDialog):
    """Anyone signed in changes their own password (the current one is asked for first)."""

    what = "password change"

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        from ...services.trust import users

        super().__init__(parent, "Change my password")
        self.db = db
        self.actor = actor
        self.current = password_box("Current password")
        self.password = password_box("New password")
        self.confirm = password_box("New password again")
        self.form = Form()
        self.form.add_field("current", "&Current password:", self.current)
        self.form.add_field(
            "password",
            "&New password:",
            self.password,
            hint=f"At least {users.MIN_PASSWORD} characters.",
        )
        self.form.add_field("confirm", "New password &again:", self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(f"Signed in as <b>{actor.label}</b>."))
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.mark_clean()

    def state(self) -> Hashable:
        return (bool(self.current.text()), bool(self.password.text()), bool(self.confirm.text()))

    def save(self) -> bool:
        from ...services.trust import users

        try:
            with self.db.unit_of_work(self.actor) as session:
                users.change_own_password(
                    session, self.current.text(), self.password.text(), self.confirm.text()
                )
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except users.SignInFailed:
            self.form.show_errors({"current": "That is not your current password."})
            self.current.clear()
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        return True


def sign_in(parent: QWidget | None, db: Database, username: str = "") -> Actor | None:
    """Whoever is at the keyboard, for this database: the set-up wizard for a new one, the first
    administrator for one made before sign-in existed (data but no users), otherwise the sign-in
    dialog. None if they cancelled; a database whose users have vanished stays locked."""
    from ...services.setup.first_run import has_data
    from ...services.trust import anchors, users

    with db.reading() as session:
        first = not users.has_users(session)
        locked = first and anchors.locked_without_users(session, db.location)
        new = first and not has_data(session)
    if locked:
        warn(parent, "Sign in", anchors.LOCKED_WITHOUT_USERS)
        return None
    if new:
        from ..setup.wizard import SetUpWizard

        wizard = SetUpWizard(db, parent)
        return wizard.actor if wizard.exec() == QDialog.DialogCode.Accepted else None
    dialog: LoginDialog | FirstAdministratorDialog = (
        FirstAdministratorDialog(db, parent) if first else LoginDialog(db, parent, username)
    )
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor


def demo_manager(db: Database) -> Actor | None:
    """The demo's manager, signed in without typing (``--demo`` and ``--screenshot``)."""
    from ...services.trust import users

    with db.unit_of_work() as session:
        user = users.find_user(session, users.DEMO_MANAGER)
        if user is None or not user.active:
            return None
        try:
            password = next(p for u, p, *_ in users.DEMO_USERS if u == users.DEMO_MANAGER)
            return users.authenticate(session, user.username, password)
        except (StopIteration, NotAllowed, users.SignInFailed):
            return None  # someone changed the demo manager's password: ask as usual
