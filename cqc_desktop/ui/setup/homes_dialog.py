"""Administration ▸ Homes: the provider's name and its care homes (add, change, archive).

Only an administrator sees this (the services refuse anyone else anyway). A home is archived,
never deleted: it leaves the pickers, and its plans and records stay readable.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...models import Service
from ...services.errors import ServiceError, ValidationError
from ...services.setup import homes
from ...services.setup.homes import HomeInput
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, warn
from ..widgets.signed_in import table_view
from ..widgets.table_models import Column, RowsModel


@dataclass(frozen=True)
class HomeRow:
    """A home as the list shows it (plain data: the session is closed by the time it is shown)."""

    id: int
    name: str
    cqc_location_id: str
    registered_manager: str
    beds: int | None
    service_type: str
    address: str
    archived: bool

    @classmethod
    def of(cls, home: Service) -> HomeRow:
        return cls(
            home.id,
            home.name,
            home.cqc_location_id,
            home.registered_manager,
            home.beds,
            home.service_type,
            home.address,
            home.archived,
        )


COLUMNS: list[Column[HomeRow]] = [
    Column("Care home", lambda h: h.name),
    Column("CQC location ID", lambda h: h.cqc_location_id),
    Column("Registered manager", lambda h: h.registered_manager),
    Column("Beds", lambda h: str(h.beds or ""), align_right=True),
    Column("Type of service", lambda h: h.service_type),
    Column("Status", lambda h: "Archived" if h.archived else "Open"),
]


class HomesDialog(QDialog):
    """Every home, archived ones last, with the provider's name above them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Care homes")
        self.provider = QLineEdit()
        self.provider.setAccessibleName("Provider name")
        self.save_provider = QPushButton("Save &provider name")
        self.save_provider.clicked.connect(self.rename_provider)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Provider:", buddy=self.provider))
        top.addWidget(self.provider, 1)
        top.addWidget(self.save_provider)
        self.model: RowsModel[HomeRow] = RowsModel(COLUMNS, lambda h: h.id)
        self.table = table_view(self.model, "Care homes", stretch=0)
        self.table.doubleClicked.connect(lambda _i: self.edit_home())
        self.add_button = QPushButton("&Add home…")
        self.edit_button = QPushButton("&Edit…")
        self.archive_button = QPushButton("A&rchive")
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add_home)
        self.edit_button.clicked.connect(self.edit_home)
        self.archive_button.clicked.connect(self.toggle_archived)
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_home)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.archive_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.resize(860, 420)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        with self.ctx.db.reading() as session:
            self.provider.setText(homes.provider_name(session))
            self.model.set_rows(
                [HomeRow.of(h) for h in homes.list_homes(session, include_archived=True)]
            )
        rows = [self.model.row_at(i).id for i in range(self.model.rowCount())]
        if rows:
            self.table.selectRow(rows.index(select_id) if select_id in rows else 0)
        self._update_buttons()

    def selected(self) -> HomeRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        home = self.selected()
        for button in (self.edit_button, self.archive_button):
            button.setEnabled(home is not None)
            button.setToolTip("" if home else "Choose a home in the list first.")
        self.archive_button.setText("B&ring back" if home and home.archived else "A&rchive")

    def rename_provider(self) -> None:
        try:
            with self.ctx.unit_of_work() as session:
                homes.set_provider_name(session, self.provider.text())
        except ServiceError as exc:
            warn(self, "Provider name", str(exc))
            return
        self.ctx.sig_data_changed.emit("service")

    def add_home(self) -> None:
        dialog = HomeDialog(self.ctx, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(dialog.saved_id)
            self.ctx.sig_data_changed.emit("service")

    def edit_home(self) -> None:
        home = self.selected()
        if home is None:
            return
        dialog = HomeDialog(self.ctx, home, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(home.id)
            self.ctx.sig_data_changed.emit("service")

    def toggle_archived(self) -> None:
        home = self.selected()
        if home is None:
            return
        try:
            with self.ctx.unit_of_work() as session:
                homes.set_archived(session, home.id, not home.archived)
        except ServiceError as exc:
            warn(self, "Care homes", str(exc))
            return
        self.reload(home.id)
        self.ctx.sig_data_changed.emit("service")


class HomeDialog(GuardedDialog):
    """Add a care home, or change one's details."""

    what = "care home"

    def __init__(self, ctx: AppContext, home: HomeRow | None, parent: QWidget | None = None):
        super().__init__(parent, "Add a care home" if home is None else f"Edit {home.name}")
        self.ctx = ctx
        self.home = home
        self.saved_id: int | None = None
        self.name = QLineEdit(home.name if home else "")
        self.location = QLineEdit(home.cqc_location_id if home else "")
        self.manager = QLineEdit(home.registered_manager if home else "")
        self.beds = QSpinBox()
        self.beds.setRange(0, homes.MAX_BEDS)
        self.beds.setSpecialValueText("Not given")
        self.beds.setValue((home.beds or 0) if home else 0)
        self.service_type = QComboBox()
        self.service_type.setEditable(True)
        self.service_type.addItems(["", *homes.SERVICE_TYPES])
        self.service_type.setCurrentText(home.service_type if home else "")
        self.form = Form()
        self.form.add_field("name", "Care &home name:", self.name)
        self.form.add_field(
            "cqc_location_id", "&CQC location ID:", self.location, hint="e.g. 1-123456789"
        )
        self.form.add_field("registered_manager", "&Registered manager:", self.manager)
        self.form.add_field("beds", "Number of &beds:", self.beds)
        self.form.add_field("service_type", "&Type of service:", self.service_type)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.mark_clean()

    def _input(self) -> HomeInput:
        return HomeInput(
            name=self.name.text(),
            cqc_location_id=self.location.text(),
            registered_manager=self.manager.text(),
            beds=self.beds.value() or None,
            service_type=self.service_type.currentText(),
            address=self.home.address if self.home else "",
        )

    def state(self) -> Hashable:
        data = self._input()
        return (
            data.name,
            data.cqc_location_id,
            data.registered_manager,
            data.beds,
            data.service_type,
        )

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                if self.home is None:
                    self.saved_id = homes.add_home(session, self._input()).id
                else:
                    self.saved_id = homes.edit_home(session, self.home.id, self._input()).id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        return True
