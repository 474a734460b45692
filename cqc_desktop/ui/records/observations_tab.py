"""Observations tab: the practice observation log. Not met outcomes stand out; an observation
linked to an action shows which action it is evidence for."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date, uk_datetime
from ...models.enums import ObservationArea, Outcome
from ...services.listing import Page
from ...services.records import spreadsheets
from ...services.records.log_listing import ObservationQuery, ObservationRow, observation_page
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import inform
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import enable_or_explain, fill_homes, muted, nothing_yet, why_disabled
from ..widgets.table_models import ID_ROLE
from .common import FilterBar, button, export_list

OUTCOME_BRUSH = {
    Outcome.MET.value: QBrush(QColor("#d4edda")),
    Outcome.PARTLY_MET.value: QBrush(QColor("#fde9c4")),
    Outcome.NOT_MET.value: QBrush(QColor("#f8d7d5")),
}
REFRESH_ON = {"*", "observation", "service", "action", "evidence"}


def _evidence(r: ObservationRow) -> str:
    if r.action_id is None:
        return ""
    supports = {"Met": "supports", "Partly met": "partly supports", "Not met": "does not support"}
    return f"Evidence for {r.action_ref or 'an action'} ({supports.get(r.outcome, '')})"


COLUMNS = [
    PagedColumn("Date and time", lambda r: uk_datetime(r.observed_at), "observed"),
    PagedColumn("Shift", lambda r: r.shift),
    PagedColumn("Area", lambda r: r.area, "area"),
    PagedColumn("Staff observed", lambda r: r.staff_observed, "staff"),
    PagedColumn("Observer", lambda r: r.observer),
    PagedColumn("Outcome", lambda r: r.outcome, "outcome"),
    PagedColumn("Follow-up due", lambda r: uk_date(r.follow_up_due, "—"), "follow_up_due"),
    PagedColumn("Evidence", _evidence, tooltip=lambda r: "Counts as staff observation evidence"),
    PagedColumn(
        "What was seen",
        lambda r: r.what_was_seen.replace("\n", " "),
        tooltip=lambda r: r.what_was_seen,
    ),
]
OUTCOME_COL = 5


class ObservationsTab(QWidget):
    title = "O&bservations"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("observationsTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.area = QComboBox()
        self.area.addItem("Any area", "")
        for a in ObservationArea:
            self.area.addItem(a.value, a.value)
        self.area.setAccessibleName("Area")
        self.outcome = QComboBox()
        self.outcome.addItem("Any outcome", "")
        for o in Outcome:
            self.outcome.addItem(o.value, o.value)
        self.outcome.setAccessibleName("Outcome")
        self.filters = FilterBar("Staff, what was seen, feedback")
        self.model = PagedTableModel(
            COLUMNS,
            self._load,
            lambda r: r.id,
            default_sort=("observed", True),
            background=lambda r, c: OUTCOME_BRUSH.get(r.outcome) if c == OUTCOME_COL else None,
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Practice observations")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        self.summary = muted()
        self._sized = False
        self._build()
        self.home.currentIndexChanged.connect(lambda _i: self.reload())
        self.area.currentIndexChanged.connect(lambda _i: self.reload())
        self.outcome.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.sig_changed.connect(self.reload)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self._load_homes()

    def _build(self) -> None:
        top = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        top.addWidget(caption)
        top.addWidget(self.home, 1)
        top.addWidget(self.area)
        top.addWidget(self.outcome)
        top.addStretch(1)
        self.new_button = button(
            "&New observation…", self.new_record, tip="Record an observation (Ctrl+N)"
        )
        self.open_button = button("&Open…", self.open_current)
        self.export_button = button("E&xport…", self.export, tip="Export the observations shown")
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label="All care homes")
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def query(self) -> ObservationQuery:
        return ObservationQuery(
            self.service_id(),
            search=self.filters.text(),
            area=self.area.currentData() or "",
            outcome=self.outcome.currentData() or "",
            date_from=self.filters.date_from.value(),
            date_to=self.filters.date_to.value(),
        )

    def _load(self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        with self.ctx.db.reading() as session:
            return observation_page(session, self.query(), sort, descending, after, limit)

    def reload(self) -> None:
        self.model.reload()
        # Widths come from the first rows shown, once: a refresh, filter or sort leaves the
        # columns (and any the user widened) where they are, and measures no text.
        if not self._sized and self.model.rowCount():
            self._size_columns()
            self._sized = True
        not_met = sum(
            1
            for i in range(self.model.rowCount())
            if self.model.row_at(i).outcome == Outcome.NOT_MET
        )
        more = "+" if self.model.canFetchMore() else ""
        empty = (
            nothing_yet("observations", "New observation…", self.home)
            if not self.model.rowCount()
            else ""
        )
        self.summary.setText(
            empty.strip()
            or f"{self.model.rowCount()}{more} observations shown"
            + (
                f"; {not_met} not met (in red): "
                + ("its follow-up is due." if not_met == 1 else "their follow-ups are due.")
                if not_met
                else "."
            )
        )
        enable_or_explain(
            self.new_button,
            why_disabled(self.ctx, Permission.RECORD, self.home, "record observations"),
        )

    def _size_columns(self) -> None:
        metrics = self.view.fontMetrics()
        for n, column in enumerate(COLUMNS[:-1]):
            sample = [column.title] + [
                column.text(self.model.row_at(i)) for i in range(min(40, self.model.rowCount()))
            ]
            self.view.setColumnWidth(
                n, min(max(metrics.horizontalAdvance(s) for s in sample) + 22, 300)
            )

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    def new_record(self) -> None:
        from .observation_dialog import ObservationDialog

        sid = self.service_id()
        if sid is None:
            inform(self, "New observation", "Choose the care home first.")
            return
        dialog = ObservationDialog(self, self.ctx, sid, None)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("observation")

    def focus_search(self) -> None:
        self.filters.focus()

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def open_current(self) -> None:
        self._open_index(self.view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        from .observation_dialog import ObservationDialog

        if not index.isValid():
            return
        row: ObservationRow = self.model.row_at(index.row())
        with self.ctx.db.reading() as session:
            from ...services.records.logs import get_observation

            service_id = get_observation(session, row.id).service_id
        dialog = ObservationDialog(self, self.ctx, service_id, row.id)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("observation")

    def export(self) -> None:
        query, (sort, descending) = self.query(), self.model.sort_state
        export_list(
            self,
            self.ctx,
            "Observations.xlsx",
            lambda s: spreadsheets.observations_table(s, query, sort, descending),
        )
