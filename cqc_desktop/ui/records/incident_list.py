"""The incidents list, paged and filtered in SQL, with late 7-day learning highlighted. Used by the
Incidents tab and, with the review columns, as the incident improvement tracker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from ...formatting import uk_date, uk_datetime
from ...services.listing import Page
from ...services.records import spreadsheets
from ...services.records.incident_status import learning_status
from ...services.records.listing import IncidentQuery, IncidentRow, incident_page
from ..context import AppContext
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.table_models import ID_ROLE
from .common import export_list

LATE = QBrush(QColor("#f8d7d5"))
MET = QBrush(QColor("#d4edda"))
DUE = QBrush(QColor("#fde9c4"))
# Scenario 3 looks at these first.
PRIORITY_TYPES = ("Safeguarding", "Fall", "Medication")


def _status(row: IncidentRow) -> str:
    if row.closed_on is not None:
        return "Closed"
    if row.reopened_on is not None:
        return "Reopened"
    return "Reviewed" if row.reviewed_on is not None else "Awaiting review"


def incident_columns(today: Callable[[], date], *, tracker: bool) -> list[PagedColumn]:
    def learning(r: IncidentRow) -> str:
        return learning_status(r, today()).text

    columns = [
        PagedColumn("Ref", lambda r: r.reference, "reference"),
        PagedColumn("Date and time", lambda r: uk_datetime(r.occurred_at), "occurred"),
        PagedColumn(
            "Type",
            lambda r: r.incident_type + (" ★" if r.incident_type in PRIORITY_TYPES else ""),
            "type",
            tooltip=lambda r: (
                "A priority type for review" if r.incident_type in PRIORITY_TYPES else ""
            ),
        ),
        PagedColumn("Severity", lambda r: r.severity, "severity"),
        PagedColumn("Person", lambda r: r.person_ref, "person"),
    ]
    if tracker:
        columns += [
            PagedColumn("Reviewed", lambda r: uk_date(r.reviewed_on, "—"), "reviewed"),
            PagedColumn("Reviewer", lambda r: r.reviewer),
            PagedColumn("7-day learning", learning),
            PagedColumn("Shared at handover", lambda r: uk_date(r.handover_date, "—")),
            PagedColumn("Actions done", lambda r: uk_date(r.actions_completed_on, "—"), "learning"),
            PagedColumn("Family told", lambda r: "Yes" if r.family_informed else "No"),
            PagedColumn("CQC", lambda r: r.cqc_notification),
            PagedColumn(
                "Learning point",
                lambda r: r.learning_point.replace("\n", " "),
                tooltip=lambda r: r.learning_point,
            ),
        ]
    else:
        columns += [
            PagedColumn("Location", lambda r: r.location, "location"),
            PagedColumn("Reviewed", lambda r: uk_date(r.reviewed_on, "—"), "reviewed"),
            PagedColumn("Shared at handover", lambda r: uk_date(r.handover_date, "—")),
            PagedColumn("7-day learning", learning),
            PagedColumn("Status", _status),
            PagedColumn(
                "What happened",
                lambda r: r.description.replace("\n", " "),
                tooltip=lambda r: r.description,
            ),
        ]
    return columns


class IncidentList(QWidget):
    """Incidents at one home (or all), newest first; Enter or a double-click opens one."""

    sig_open = Signal(int)
    """Carries the id of the incident to open."""

    def __init__(self, ctx: AppContext, *, tracker: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.query = IncidentQuery(None, ctx.today())
        self.columns = incident_columns(ctx.today, tracker=tracker)
        self._learning_col = next(
            i for i, c in enumerate(self.columns) if c.title == "7-day learning"
        )
        self.model = PagedTableModel(
            self.columns,
            self._load,
            lambda r: r.id,
            default_sort=("occurred", True),
            background=self._background,
        )
        self._sized = False
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Incident improvement tracker" if tracker else "Incidents")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(self._open_index)
        self.view.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def _background(self, row: IncidentRow, column: int) -> QBrush | None:
        if column != self._learning_col:
            return None
        state = learning_status(row, self.ctx.today()).state
        return {"late": LATE, "met": MET, "due": DUE}.get(state)

    def _load(self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        with self.ctx.db.reading() as session:
            return incident_page(session, self.query, sort, descending, after, limit)

    def set_query(self, query: IncidentQuery) -> None:
        self.query = query
        self.model.reload()
        # Widths are worked out from the first rows shown, once: a refresh, filter or sort keeps
        # the columns (and any the user widened) where they are, and measures no text.
        if not self._sized and self.model.rowCount():
            self._size_columns()
            self._sized = True

    def show_home(self, service_id: int, search: str, date_from: Any, date_to: Any) -> None:
        self.set_query(
            IncidentQuery(
                service_id, self.ctx.today(), search, date_from=date_from, date_to=date_to
            )
        )

    def _size_columns(self) -> None:
        metrics = self.view.fontMetrics()
        for n, column in enumerate(self.columns):
            sample = [column.title] + [
                column.text(self.model.row_at(i)) for i in range(min(40, self.model.rowCount()))
            ]
            width = max(metrics.horizontalAdvance(s) for s in sample) + 22
            self.view.setColumnWidth(n, min(width, 260))

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def current_row(self) -> IncidentRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, incident_id: int | None) -> None:
        row = self.model.row_for_id(incident_id) if incident_id is not None else None
        if row is None:
            row = 0 if self.model.rowCount() else None
        if row is not None:
            self.view.selectRow(row)

    def _open_index(self, index: QModelIndex) -> None:
        incident_id = index.data(ID_ROLE)
        if incident_id is not None:
            self.sig_open.emit(int(incident_id))

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if (
            watched is self.view
            and isinstance(event, QKeyEvent)
            and event.type() == event.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._open_index(self.view.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def export(self) -> None:
        query, (sort, descending) = self.query, self.model.sort_state
        export_list(
            self,
            self.ctx,
            "Incidents.xlsx",
            lambda s: spreadsheets.incidents_table(s, query, sort, descending),
        )


class IncidentTrackerView(IncidentList):
    """The incident improvement tracker: incidents with their review and learning columns."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, tracker=True)
        self.sig_open.connect(self.open_incident)

    def open_incident(self, incident_id: int) -> None:
        from .incident_dialog import IncidentDialog

        dialog = IncidentDialog(self, self.ctx, self.query.service_id, incident_id)
        if dialog.exec() or dialog.changed:
            self.ctx.sig_data_changed.emit("incident")

    def new_incident(self) -> None:
        from .incident_dialog import IncidentDialog

        if self.query.service_id is None:
            return
        dialog = IncidentDialog(self, self.ctx, self.query.service_id, None)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("incident")
