"""Administration: users and roles, password resets, and the security and privacy settings."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import Role
from ...services.errors import ServiceError, ValidationError
from ...services.setup import people
from ...services.trust import privacy, users
from ...services.trust.users import UserInput
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, compact_rows, inform, select_data, warn
from ..widgets.table_models import Column, RowsModel
from .login_dialog import password_box


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    person: str
    person_id: int | None
    active: bool
    last_login: str


def _rows(ctx: AppContext) -> list[UserRow]:
    with ctx.db.reading() as session:
        names = {p.id: p.name for p in people.list_people(session, active_only=False)}
        return [
            UserRow(
                u.id,
                u.username,
                u.display_name,
                u.role,
                names.get(u.person_id, "") if u.person_id else "",
                u.person_id,
                u.active,
                _local(u.last_login),
            )
            for u in users.list_users(session)
        ]


def _local(at: datetime | None) -> str:
    """A stored UTC time as this PC's clock shows it."""
    if at is None:
        return "never"
    local = at.replace(tzinfo=UTC).astimezone()
    return f"{uk_date(local.date())} {local:%H:%M}"


COLUMNS: list[Column[UserRow]] = [
    Column("Username", lambda r: r.username),
    Column("Name", lambda r: r.display_name),
    Column("Role", lambda r: r.role.capitalize(), tooltip=lambda r: _role_text(r.role)),
    Column("Staff record", lambda r: r.person),
    Column("Can sign in", lambda r: "Yes" if r.active else "No (switched off)"),
    Column("Last signed in", lambda r: r.last_login),
]


def _role_text(role: str) -> str:
    try:
        return users.ROLE_DESCRIPTIONS[Role(role)]
    except ValueError:
        return ""


class UsersDialog(QDialog):
    """The administrator's list of everyone who signs in, and what each may do."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Users and roles")
        self.model: RowsModel[UserRow] = RowsModel(COLUMNS, lambda r: r.id)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Users")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        compact_rows(self.table)
        self.table.doubleClicked.connect(lambda _i: self.edit_user())
        self.add_button = QPushButton("&Add user…")
        self.edit_button = QPushButton("&Edit…")
        self.reset_button = QPushButton("&Reset password…")
        self.toggle_button = QPushButton("&Switch off")
        self.unlock_button = QPushButton("&Unlock sign-in")
        self.unlock_button.setToolTip(
            "Let someone who is waiting after too many wrong passwords try again now"
        )
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_user)
        self.unlock_button.clicked.connect(self.unlock_user)
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_user)
        buttons = QHBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.reset_button,
            self.toggle_button,
            self.unlock_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        roles = QLabel(
            "<br>".join(
                f"<b>{r.value.capitalize()}</b>: {users.ROLE_DESCRIPTIONS[r]}" for r in Role
            )
        )
        roles.setWordWrap(True)
        roles.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(roles)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.resize(900, 520)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.model.set_rows(_rows(self.ctx))
        row = next(
            (i for i in range(self.model.rowCount()) if self.model.row_at(i).id == select_id), 0
        )
        if self.model.rowCount():
            self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (
            self.edit_button,
            self.reset_button,
            self.toggle_button,
            self.unlock_button,
        ):
            button.setEnabled(row is not None)
        own = row is not None and self.ctx.actor is not None and row.id == self.ctx.actor.user_id
        self.toggle_button.setEnabled(row is not None and not own)  # never your own account
        self.toggle_button.setText("&Switch on" if row and not row.active else "&Switch off")

    def add_user(self) -> None:
        dialog = UserEditDialog(self.ctx, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(dialog.saved_id)
            self.ctx.sig_data_changed.emit("user")

    def edit_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = UserEditDialog(self.ctx, row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(row.id)
            self.ctx.sig_data_changed.emit("user")

    def reset_password(self) -> None:
        row = self.selected()
        if row is not None and ResetPasswordDialog(self.ctx, row, self).exec():
            self.reload(row.id)

    def unlock_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            with self.ctx.unit_of_work() as session:
                unlocked = users.unlock_sign_in(session, row.username)
        except ServiceError as exc:
            warn(self, "Users and roles", str(exc))
            return
        inform(
            self,
            "Users and roles",
            f"{row.username} can sign in again now."
            if unlocked
            else f"{row.username} was not waiting to sign in.",
        )

    def toggle_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        data = UserInput(row.username, row.display_name, row.role, row.person_id, not row.active)
        try:
            with self.ctx.unit_of_work() as session:
                users.update_user(session, row.id, data)
        except ServiceError as exc:
            warn(self, "Users and roles", str(exc))
            return
        self.reload(row.id)
        self.ctx.sig_data_changed.emit("user")


class UserEditDialog(GuardedDialog):
    """Add a user (with a first password) or change one's name, role and staff record."""

    what = "user"

    def __init__(self, ctx: AppContext, row: UserRow | None, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Add user" if row is None else f"Edit {row.username}")
        self.ctx = ctx
        self.row = row
        self.saved_id: int | None = None
        self.username = QLineEdit(row.username if row else "")
        self.display_name = QLineEdit(row.display_name if row else "")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.value.capitalize(), role.value)
        select_data(self.role, row.role if row else Role.STAFF.value)
        self.role_text = QLabel()
        self.role_text.setWordWrap(True)
        self.role_text.setStyleSheet("color: #555;")
        self.role.currentIndexChanged.connect(self._show_role)
        self.person = QComboBox()
        self.person.addItem("(not linked)", None)
        with ctx.db.reading() as session:
            for person in people.list_people(session):
                self.person.addItem(
                    f"{person.name} — {person.role}" if person.role else person.name, person.id
                )
        select_data(self.person, row.person_id if row else None)
        if row is None:
            # A new user is usually someone on the staff list: picking them fills in the rest.
            self.person.currentIndexChanged.connect(self._person_picked)
        self.active = QCheckBox("Can sign in")
        self.active.setChecked(row.active if row else True)
        self.password = password_box("Password")
        self.confirm = password_box("Password again")
        self.form = Form()
        staff_hint = (
            "Links the user to their entry on the staff list: their own actions show under "
            "My actions, and forms suggest them."
            if self.person.count() > 1
            else "No staff yet — add staff or import your staff list (Administration ▸ Staff), "
            "then link the user to their entry."
        )
        if row is None:
            self.form.add_field("person", "Staff &record:", self.person, hint=staff_hint)
        self.form.add_field(
            "username", "&Username:", self.username, hint="No spaces, e.g. sam.patel."
        )
        self.form.add_field("display_name", "&Name:", self.display_name)
        role_box = QWidget()
        role_column = QVBoxLayout(role_box)
        role_column.setContentsMargins(0, 0, 0, 0)
        role_column.setSpacing(2)
        role_column.addWidget(self.role)
        role_column.addWidget(self.role_text)
        role_box.setFocusProxy(self.role)
        self.form.add_field("role", "&Role:", role_box)
        self.role.setAccessibleName("Role")
        if row is not None:
            self.form.add_field("person", "Staff &record:", self.person, hint=staff_hint)
        self.form.add_field("active", "", self.active)
        if row is None:
            self.form.add_field(
                "password",
                "&Password:",
                self.password,
                hint=f"At least {users.MIN_PASSWORD} characters. Tell the person and ask them to "
                "change it (File ▸ Change my password).",
            )
            self.form.add_field("confirm", "Password &again:", self.confirm)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self._show_role()
        self.setMinimumWidth(520)
        self.mark_clean()

    def _person_picked(self) -> None:
        person_id = self.person.currentData()
        if person_id is None:
            return
        name = self.person.currentText().split(" — ")[0]
        if not self.display_name.text().strip() or self.display_name.text() == self._filled:
            self.display_name.setText(name)
            self._filled = name
        if not self.username.text().strip() or self.username.text() == self._filled_user:
            self._filled_user = people.suggest_username(name)
            self.username.setText(self._filled_user)

    _filled = ""
    _filled_user = ""

    def _show_role(self) -> None:
        self.role_text.setText(_role_text(str(self.role.currentData())))

    def state(self) -> Hashable:
        return (
            self.username.text(),
            self.display_name.text(),
            self.role.currentData(),
            self.person.currentData(),
            self.active.isChecked(),
            bool(self.password.text()),
        )

    def _input(self) -> UserInput:
        return UserInput(
            self.username.text(),
            self.display_name.text(),
            str(self.role.currentData()),
            self.person.currentData(),
            self.active.isChecked(),
        )

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                if self.row is None:
                    user = users.create_user(
                        session, self._input(), self.password.text(), self.confirm.text()
                    )
                else:
                    user = users.update_user(session, self.row.id, self._input())
                self.saved_id = user.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        return True


class ResetPasswordDialog(GuardedDialog):
    """An administrator sets a new password for someone who has forgotten theirs."""

    what = "password"

    def __init__(self, ctx: AppContext, row: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent, f"Reset {row.username}'s password")
        self.ctx = ctx
        self.row = row
        self.password = password_box("New password")
        self.confirm = password_box("New password again")
        self.form = Form()
        self.form.add_field("password", "&New password:", self.password)
        self.form.add_field("confirm", "Password &again:", self.confirm)
        note = QLabel(
            f"Give the new password to {row.display_name or row.username} and ask them to change "
            "it when they next sign in (File ▸ Change my password)."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.mark_clean()

    def state(self) -> Hashable:
        return (bool(self.password.text()), bool(self.confirm.text()))

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                users.reset_password(
                    session, self.row.id, self.password.text(), self.confirm.text()
                )
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        return True


class SecuritySettingsDialog(GuardedDialog):
    """How soon the screen locks, and whether people receiving care may be named."""

    what = "settings"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Security and privacy")
        self.ctx = ctx
        with ctx.db.reading() as session:
            minutes = users.idle_lock_minutes(session)
            names = privacy.names_allowed(session)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(minutes)
        self.minutes.setMaximumWidth(160)
        self.names = QCheckBox("Allow names of people receiving care")
        self.names.setChecked(names)
        self.form = Form()
        self.form.add_field(
            "idle_lock_minutes",
            "&Lock the screen after:",
            self.minutes,
            hint="without use. The signed-in user's password is then asked for again; nothing "
            "that is open is closed or lost.",
        )
        self.form.add_field(
            "allow_names",
            "Privacy:",
            self.names,
            hint="Off by default: people are recorded by initials or room number, as the Data "
            "Security and Protection Toolkit expects. Exports can still be redacted.",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.mark_clean()

    def state(self) -> Hashable:
        return (self.minutes.value(), self.names.isChecked())

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                users.set_idle_lock_minutes(session, self.minutes.value())
                privacy.set_names_allowed(session, self.names.isChecked())
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        self.ctx.sig_data_changed.emit("setting")
        return True
