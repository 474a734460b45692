"""Supervision tab: who is due or overdue a supervision or competency check, and the record of
each one held. Overdue ones are in red; a linked action's reference shows where the notes count
as evidence."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import days_phrase, uk_date
from ...services.listing import Page
from ...services.records import supervision
from ...services.records.supervision import Due, SupervisionRow
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import compact_rows, inform
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import can, fill_homes, muted
from ..widgets.table_models import ID_ROLE, RED, Column, RowsModel
from .common import FilterBar, button

REFRESH_ON = {"*", "supervision", "service", "person", "action"}
COLUMNS = [
    PagedColumn("Held on", lambda r: uk_date(r.held_on)),
    PagedColumn("Staff member", lambda r: r.person),
    PagedColumn("Kind", lambda r: r.kind),
    PagedColumn("Supervisor", lambda r: r.supervisor),
    PagedColumn("Next due", lambda r: uk_date(r.next_due)),
    PagedColumn("Action", lambda r: r.action_ref),
    PagedColumn("Focus", lambda r: r.focus.replace("\n", " "), tooltip=lambda r: r.notes),
]


def _due_text(d: Due) -> str:
    return (
        days_phrase(d.days_overdue) if d.days_overdue >= 0 else f"due {days_phrase(d.days_overdue)}"
    )


class SupervisionTab(QWidget):
    title = "Supervisio&n"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("supervisionTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.filters = FilterBar("Staff member, focus, notes")
        self.due_model: RowsModel[Due] = RowsModel(
            [
                Column("Staff member", lambda r: r.person),
                Column("Role", lambda r: r.role),
                Column("Kind", lambda r: r.kind),
                Column("Last held", lambda r: uk_date(r.last_held)),
                Column("Next due", lambda r: uk_date(r.next_due)),
                Column("", _due_text),
            ],
            lambda r: r.person_id,
            foreground=lambda r, c: RED if c == 5 and r.overdue else None,
        )
        self.due_view = QTableView()
        self.due_view.setModel(self.due_model)
        self.due_view.setAccessibleName("Supervision due")
        self.due_view.verticalHeader().hide()
        self.due_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.due_view.horizontalHeader().setStretchLastSection(True)
        compact_rows(self.due_view)
        self.model = PagedTableModel(
            COLUMNS, self._load, lambda r: r.id, default_sort=("held", True)
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Supervision records")
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        compact_rows(self.view)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        self.summary = muted()
        top = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        top.addWidget(caption)
        top.addWidget(self.home, 1)
        top.addStretch(2)
        self.new_button = button(
            "&New supervision…", self.new_record, tip="Record a supervision (Ctrl+N)"
        )
        self.open_button = button("&Open…", self.open_current)
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        due_box = QWidget()
        due_layout = QVBoxLayout(due_box)
        due_layout.setContentsMargins(0, 0, 0, 0)
        due_layout.addWidget(QLabel("<b>Due and overdue</b> (from each person's latest)"))
        due_layout.addWidget(self.due_view, 1)
        records_box = QWidget()
        records_layout = QVBoxLayout(records_box)
        records_layout.setContentsMargins(0, 0, 0, 0)
        records_layout.addWidget(QLabel("<b>Supervisions held</b>"))
        records_layout.addWidget(self.filters)
        records_layout.addLayout(actions)
        records_layout.addWidget(self.view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(due_box)
        split.addWidget(records_box)
        split.setSizes([260, 420])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        self.home.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.sig_changed.connect(self.reload)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self._load_homes()

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label="All care homes")
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def _load(self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        with self.ctx.db.reading() as session:
            return supervision.supervision_page(
                session,
                self.service_id(),
                after,
                limit,
                search=self.filters.text(),
                date_from=self.filters.date_from.value(),
                date_to=self.filters.date_to.value(),
            )

    def reload(self) -> None:
        self.model.reload()
        with self.ctx.db.reading() as session:
            due = supervision.due_list(session, self.ctx.today(), self.service_id())
        self.due_model.set_rows(due)
        for column, width in enumerate((170, 150, 170, 90, 90)):
            self.due_view.setColumnWidth(column, width)
        for column, width in enumerate((90, 160, 170, 160, 90, 60)):
            self.view.setColumnWidth(column, width)
        overdue = sum(1 for d in due if d.overdue)
        self.summary.setText(
            f"{overdue} overdue (in red) of {len(due)} people and kinds with a next date."
            if due
            else "No supervision recorded yet: the due list starts from each person's first."
        )
        self.new_button.setEnabled(
            can(self.ctx, Permission.RECORD) and self.service_id() is not None
        )

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    def new_record(self) -> None:
        from .supervision_dialog import SupervisionDialog

        sid = self.service_id()
        if sid is None:
            inform(self, "New supervision", "Choose the care home first.")
            return
        if SupervisionDialog(self, self.ctx, sid, None).exec():
            self.ctx.sig_data_changed.emit("supervision")

    def focus_search(self) -> None:
        self.filters.focus()

    def open_current(self) -> None:
        self._open_index(self.view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        from .supervision_dialog import SupervisionDialog

        if not index.isValid():
            return
        row: SupervisionRow = self.model.row_at(index.row())
        with self.ctx.db.reading() as session:
            sid = supervision.get_supervision(session, row.id).service_id
        if SupervisionDialog(self, self.ctx, sid, row.id).exec():
            self.ctx.sig_data_changed.emit("supervision")

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None
