"""Complaints tab: the complaints and compliments book. Overdue acknowledgements and responses
stand out in red; beside the list, the complaints of the period shown counted by category and
month, so a theme is seen before it becomes a pattern."""

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
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import ComplaintCategory, ComplaintKind
from ...services.listing import Page
from ...services.records import spreadsheets
from ...services.records.complaint_listing import (
    ComplaintQuery,
    ComplaintRow,
    complaint_page,
    themes,
)
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import inform
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import can, fill_homes, muted
from ..widgets.table_models import ID_ROLE
from .common import FilterBar, button, export_list

REFRESH_ON = {"*", "complaint", "service", "action"}
LATE = QBrush(QColor("#f8d7d5"))
ANSWERED = QBrush(QColor("#d4edda"))
STATES = (
    ("Any state", ""),
    ("Not yet answered", "open"),
    ("Overdue", "overdue"),
    ("Answered", "answered"),
)
KINDS = (
    ("Complaints and compliments", ""),
    ("Complaints", ComplaintKind.COMPLAINT.value),
    ("Compliments", ComplaintKind.COMPLIMENT.value),
)

COLUMNS = [
    PagedColumn("Received", lambda r: uk_date(r.received_on), "received"),
    PagedColumn("Reference", lambda r: r.reference, "reference"),
    PagedColumn("Kind", lambda r: r.kind, "kind"),
    PagedColumn("From", lambda r: r.from_type),
    PagedColumn("Category", lambda r: r.category, "category"),
    PagedColumn("Where it stands", lambda r: r.state.label, "respond_by"),
    PagedColumn("Finding", lambda r: r.finding),
    PagedColumn("Action", lambda r: r.action_ref),
    PagedColumn(
        "What was said", lambda r: r.summary.replace("\n", " "), tooltip=lambda r: r.summary
    ),
]
STATE_COL = 5


def _background(row: ComplaintRow, column: int) -> QBrush | None:
    if column != STATE_COL or row.kind != ComplaintKind.COMPLAINT:
        return None
    if row.state.needs_attention:
        return LATE
    return ANSWERED if row.responded_on is not None else None


class ComplaintsTab(QWidget):
    title = "Co&mplaints"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("complaintsTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Complaints or compliments")
        for text, value in KINDS:
            self.kind.addItem(text, value)
        self.state = QComboBox()
        self.state.setAccessibleName("Where it stands")
        for text, value in STATES:
            self.state.addItem(text, value)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("Any category", "")
        for c in ComplaintCategory:
            self.category.addItem(c.value, c.value)
        self.filters = FilterBar("Reference, who, what was said, outcome, learning")
        self.model = PagedTableModel(
            COLUMNS,
            self._load,
            lambda r: r.id,
            default_sort=("received", True),
            background=_background,
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Complaints and compliments")
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
        self.themes_table = QTableWidget()
        self.themes_table.setAccessibleName("Complaint themes by category and month")
        self.themes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.themes_table.verticalHeader().setDefaultSectionSize(
            self.themes_table.fontMetrics().height() + 8
        )
        self.themes_note = muted()
        self.themes_note.setWordWrap(True)
        self.summary = muted()
        self._sized = False
        self._build()
        for combo in (self.home, self.kind, self.state, self.category):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
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
        top.addWidget(self.kind)
        top.addWidget(self.state)
        top.addWidget(self.category)
        top.addStretch(1)
        self.new_button = button("&New complaint…", self.new_record, tip="Log a complaint (Ctrl+N)")
        self.compliment_button = button("New co&mpliment…", self.new_compliment)
        self.open_button = button("&Open…", self.open_current)
        self.export_button = button("E&xport…", self.export, tip="Export the list shown")
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.compliment_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        themes_box = QWidget()
        side = QVBoxLayout(themes_box)
        side.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Complaint themes</b> (received in the period shown)")
        side.addWidget(heading)
        side.addWidget(self.themes_table, 1)
        side.addWidget(self.themes_note)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(themes_box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        # The list gets the room; the themes grid needs a category column and a few months.
        split.setSizes([960, 380])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(actions)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label="All care homes")
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def query(self) -> ComplaintQuery:
        return ComplaintQuery(
            self.service_id(),
            self.ctx.today(),
            kind=self.kind.currentData() or "",
            state=self.state.currentData() or "",
            category=self.category.currentData() or "",
            search=self.filters.text(),
            date_from=self.filters.date_from.value(),
            date_to=self.filters.date_to.value(),
        )

    def _load(self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        with self.ctx.db.reading() as session:
            return complaint_page(session, self.query(), sort, descending, after, limit)

    def reload(self) -> None:
        self.model.reload()
        if not self._sized and self.model.rowCount():
            self._size_columns()
            self._sized = True
        rows = [self.model.row_at(i) for i in range(self.model.rowCount())]
        overdue = sum(1 for r in rows if r.state.needs_attention)
        more = "+" if self.model.canFetchMore() else ""
        self.summary.setText(
            f"{len(rows)}{more} shown"
            + (
                f"; {overdue} with an acknowledgement or response overdue (in red)."
                if overdue
                else "."
            )
        )
        self._show_themes()
        enabled = can(self.ctx, Permission.RECORD) and self.service_id() is not None
        self.new_button.setEnabled(enabled)
        self.compliment_button.setEnabled(enabled)

    def _show_themes(self) -> None:
        with self.ctx.db.reading() as session:
            t = themes(
                session,
                self.service_id(),
                self.filters.date_from.value(),
                self.filters.date_to.value(),
            )
        categories = list(t.by_category)
        months = t.months
        table = self.themes_table
        table.clear()
        table.setRowCount(len(categories) + (1 if categories else 0))
        table.setColumnCount(len(months) + 1)
        table.setHorizontalHeaderLabels([f"{m[5:]}/{m[:4]}" for m in months] + ["Total"])
        table.setVerticalHeaderLabels([*categories, "All"] if categories else [])
        for r, category in enumerate(categories):
            for c, month in enumerate(months):
                self._cell(r, c, t.grid.get((category, month), 0))
            self._cell(r, len(months), t.by_category[category])
        if categories:
            for c, month in enumerate(months):
                self._cell(len(categories), c, t.by_month[month])
            self._cell(len(categories), len(months), t.total)
        table.resizeColumnsToContents()
        if t.total:
            top, n = next(iter(t.by_category.items()))
            self.themes_note.setText(
                f"{t.total} complaint{'s' if t.total != 1 else ''}; most about {top.lower()} "
                f"({n}). {t.compliments} compliment{'s' if t.compliments != 1 else ''}."
            )
        else:
            self.themes_note.setText(
                f"No complaints in this period. {t.compliments} "
                f"compliment{'s' if t.compliments != 1 else ''}."
            )

    def _cell(self, row: int, column: int, value: int) -> None:
        item = QTableWidgetItem(str(value) if value else "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.themes_table.setItem(row, column, item)

    def _size_columns(self) -> None:
        metrics = self.view.fontMetrics()
        for n, column in enumerate(COLUMNS[:-1]):
            sample = [column.title] + [
                column.text(self.model.row_at(i)) for i in range(min(40, self.model.rowCount()))
            ]
            self.view.setColumnWidth(
                n, min(max(metrics.horizontalAdvance(s) for s in sample) + 22, 260)
            )

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    def new_record(self, kind: str = ComplaintKind.COMPLAINT.value) -> None:
        from .complaint_dialog import ComplaintDialog

        sid = self.service_id()
        if sid is None:
            inform(self, f"New {kind.lower()}", "Choose the care home first.")
            return
        dialog = ComplaintDialog(self, self.ctx, sid, None, kind)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("complaint")

    def new_compliment(self) -> None:
        self.new_record(ComplaintKind.COMPLIMENT.value)

    def focus_search(self) -> None:
        self.filters.focus()

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def open_current(self) -> None:
        self._open_index(self.view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        from ...services.records.complaints import get_complaint
        from .complaint_dialog import ComplaintDialog

        if not index.isValid():
            return
        row: ComplaintRow = self.model.row_at(index.row())
        with self.ctx.db.reading() as session:
            service_id = get_complaint(session, row.id).service_id
        dialog = ComplaintDialog(self, self.ctx, service_id, row.id)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("complaint")

    def export(self) -> None:
        query, (sort, descending) = self.query(), self.model.sort_state
        export_list(
            self,
            self.ctx,
            "Complaints.xlsx",
            lambda s: spreadsheets.complaints_table(s, query, sort, descending),
        )
