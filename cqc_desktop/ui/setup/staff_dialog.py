"""Administration ▸ Staff: the staff list per care home; add, change, mark as left, import.

Nobody is deleted: someone who leaves is marked as left with the date, drops out of the pickers
for new work and keeps their name on everything they led or did. The home picker remembers the
last home chosen (``ui_state.last_home``).
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...services.errors import ServiceError, ValidationError
from ...services.setup import homes, people, staff
from ...services.setup.staff import StaffInput, StaffRow
from ...services.trust.permissions import Permission
from .. import ui_state
from ..context import AppContext
from ..widgets.forms import DateEdit, Form, GuardedDialog, OptionalDateEdit, inform, warn
from ..widgets.signed_in import muted, table_view
from ..widgets.table_models import Column, RowsModel
from .staff_import_view import StaffImportDialog

COLUMNS: list[Column[StaffRow]] = [
    Column("Name", lambda r: r.name),
    Column("Job title", lambda r: r.job_title),
    Column("Status", lambda r: r.status),
    Column("Started", lambda r: uk_date(r.start_date)),
    Column("Left", lambda r: uk_date(r.leaving_date)),
    Column("Works at", lambda r: ", ".join(r.homes)),
    Column("Email", lambda r: r.email),
]


def fill_home_picker(combo: QComboBox, ctx: AppContext) -> None:
    """Open homes, on the one last chosen anywhere (remembered between sessions)."""
    combo.blockSignals(True)
    combo.clear()
    with ctx.db.reading() as session:
        for home in homes.list_homes(session):
            combo.addItem(home.name, home.id)
    index = combo.findData(ui_state.last_home())
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)


class StaffDialog(QDialog):
    """The staff list of one home at a time."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Staff")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.home.setMinimumContentsLength(24)
        fill_home_picker(self.home, ctx)
        self.home.currentIndexChanged.connect(self._home_changed)
        self.show_left = QCheckBox("Show people who have &left")
        self.show_left.toggled.connect(lambda _on: self.reload())
        top = QHBoxLayout()
        top.addWidget(QLabel("Care &home:", buddy=self.home))
        top.addWidget(self.home)
        top.addSpacing(16)
        top.addWidget(self.show_left)
        top.addStretch(1)
        self.model: RowsModel[StaffRow] = RowsModel(COLUMNS, lambda r: r.id)
        self.table = table_view(self.model, "Staff list")
        self.table.doubleClicked.connect(lambda _i: self.edit_person())
        self.empty = muted()
        self.empty.setAccessibleName("Staff list is empty")
        self.add_button = QPushButton("&Add person…")
        self.edit_button = QPushButton("&Edit…")
        self.left_button = QPushButton("&Mark as left…")
        self.import_button = QPushButton("&Import staff list…")
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_person)
        self.left_button.clicked.connect(self.mark_left)
        self.import_button.clicked.connect(self.import_list)
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_person)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.left_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.resize(1000, 520)
        self.reload()

    def home_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def _home_changed(self) -> None:
        ui_state.remember_home(self.home_id())
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        home_id = self.home_id()
        with self.ctx.db.reading() as session:
            rows = (
                staff.list_staff(
                    session, service_id=home_id, include_left=self.show_left.isChecked()
                )
                if home_id is not None
                else []
            )
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if ids:
            self.table.selectRow(ids.index(select_id) if select_id in ids else 0)
        self._show_empty(bool(rows))
        self._update_buttons()

    def _show_empty(self, any_rows: bool) -> None:
        if self.home_id() is None:
            text = "No care homes yet — add one first (Administration ▸ Homes)."
        elif not any_rows:
            text = (
                f"No staff yet for {self.home.currentText()} — add staff with "
                "<b>Add person…</b> or import your staff list with <b>Import staff list…</b>."
            )
        else:
            text = ""
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setText(text)
        self.empty.setVisible(bool(text))

    def selected(self) -> StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        can_edit = self.ctx.can(Permission.EDIT_PLANS)
        has_home = self.home_id() is not None
        row = self.selected()
        why_not = (
            f"Your role ({self.ctx.actor.role.value if self.ctx.actor else ''}) cannot change "
            "the staff list."
            if not can_edit
            else ""
        )
        for button in (self.add_button, self.import_button):
            button.setEnabled(can_edit and has_home)
            button.setToolTip(why_not or ("" if has_home else "Add a care home first."))
        for button in (self.edit_button, self.left_button):
            button.setEnabled(can_edit and row is not None)
            button.setToolTip(why_not or ("" if row else "Choose a person in the list first."))
        self.left_button.setText(
            "&Back on the staff list" if row and not row.active else "&Mark as left…"
        )

    def add_person(self) -> None:
        home_id = self.home_id()
        if home_id is None:
            return
        ui_state.remember_home(home_id)
        dialog = PersonDialog(self.ctx, None, home_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(dialog.saved_id)
            self.ctx.sig_data_changed.emit("person")

    def edit_person(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = PersonDialog(self.ctx, row.id, self.home_id(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(row.id)
            self.ctx.sig_data_changed.emit("person")

    def mark_left(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not row.active:
            try:
                with self.ctx.unit_of_work() as session:
                    staff.rejoin(session, row.id)
            except ServiceError as exc:
                warn(self, "Staff", str(exc))
                return
        else:
            dialog = LeftDialog(self.ctx, row, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        self.reload(row.id)
        self.ctx.sig_data_changed.emit("person")

    def import_list(self) -> None:
        home_id = self.home_id()
        if home_id is None:
            return
        ui_state.remember_home(home_id)  # working on this home: the next picker opens on it
        dialog = StaffImportDialog(self.ctx, home_id, self.home.currentText(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()
            inform(self, "Staff list imported", dialog.result_text)


class PersonDialog(GuardedDialog):
    """Add a member of staff, or change one: name, job title, homes, dates, email."""

    what = "person"

    def __init__(
        self,
        ctx: AppContext,
        person_id: int | None,
        home_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Add a member of staff" if person_id is None else "Edit person")
        self.ctx = ctx
        self.person_id = person_id
        self.saved_id: int | None = None
        today = ctx.today()
        with ctx.db.reading() as session:
            data = (
                staff.staff_input_of(session, people.get_person(session, person_id))
                if person_id is not None
                else StaffInput("", home_ids=[home_id] if home_id else [])
            )
            # Open homes, and any archived one the person is still on (so saving keeps it).
            all_homes = [
                (h.id, h.name + (" (archived)" if h.archived else ""))
                for h in homes.list_homes(session, include_archived=True)
                if not h.archived or h.id in data.home_ids
            ]
        self.name = QLineEdit(data.name)
        self.job_title = QLineEdit(data.job_title)
        self.job_title.setPlaceholderText("e.g. Senior carer")
        self.homes = QListWidget()
        self.homes.setAccessibleName("Works at")
        for hid, name in all_homes:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, hid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if hid in data.home_ids else Qt.CheckState.Unchecked
            )
            self.homes.addItem(item)
        self.homes.setMaximumHeight(22 * min(max(len(all_homes), 2), 5) + 6)
        self._first_home = data.home_ids[0] if data.home_ids else None
        self.start = OptionalDateEdit("Known", today, data.start_date)
        self.leaving = OptionalDateEdit("Has left", today, data.leaving_date)
        self.email = QLineEdit(data.email)
        self.form = Form()
        self.form.add_field("name", "&Name:", self.name)
        self.form.add_field("job_title", "&Job title:", self.job_title)
        self.form.add_field(
            "homes",
            "&Works at:",
            self.homes,
            hint="Tick every home the person works in. None ticked: works across all homes "
            "(e.g. a nominated individual).",
        )
        self.form.add_field("start_date", "&Start date:", self.start)
        self.form.add_field("leaving_date", "&Leaving date:", self.leaving)
        self.form.add_field("email", "&Email:", self.email, hint="Optional.")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(540)
        self.mark_clean()

    def _home_ids(self) -> list[int]:
        ticked = [
            int(self.homes.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.homes.count())
            if self.homes.item(i).checkState() == Qt.CheckState.Checked
        ]
        # The home they are listed under stays first while it is still ticked.
        if self._first_home in ticked:
            ticked.remove(self._first_home)
            ticked.insert(0, self._first_home)
        return ticked

    def _input(self) -> StaffInput:
        return StaffInput(
            name=self.name.text(),
            job_title=self.job_title.text(),
            home_ids=self._home_ids(),
            start_date=self.start.value(),
            leaving_date=self.leaving.value(),
            email=self.email.text(),
        )

    def state(self) -> Hashable:
        data = self._input()
        return (
            data.name,
            data.job_title,
            tuple(data.home_ids),
            data.start_date,
            data.leaving_date,
            data.email,
        )

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                if self.person_id is None:
                    self.saved_id = staff.add_staff(session, self._input()).id
                else:
                    self.saved_id = staff.edit_staff(session, self.person_id, self._input()).id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        return True


class LeftDialog(QDialog):
    """Mark someone as left, from a date (their name stays on everything they did)."""

    def __init__(self, ctx: AppContext, row: StaffRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle(f"{row.name} has left")
        self.date = DateEdit(ctx.today())
        self.date.setAccessibleName("Leaving date")
        self.form = Form()
        self.form.add_field("leaving_date", "&Leaving date:", self.date)
        note = muted(
            f"{row.name} stays on every action, entry and minute they led or made, but is no "
            "longer offered for new work."
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton("&Mark as left", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            with self.ctx.unit_of_work() as session:
                staff.mark_left(session, self.row.id, self.date.value())
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return
        self.accept()
