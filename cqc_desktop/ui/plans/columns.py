"""The Plans tab's action list: its columns (each sortable in SQL), colours and key handling."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from ...formatting import uk_date
from ...services.plans.listing import ActionListRow
from .. import ui_state
from ..widgets.forms import compact_rows
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.table_models import RAG_BACKGROUND, RED

GREY = QBrush(QColor("#808080"))


def _context(r: ActionListRow) -> str:
    return (
        f"{r.reference} {r.title}\n{r.plan_title} ({r.service})\n"
        f"{r.finding_reference} {r.finding_title} — {r.key_question}, {r.risk_area}"
    )


COLUMNS = [
    PagedColumn("Ref", lambda r: r.reference, "reference", tooltip=_context),
    PagedColumn("Action", lambda r: r.title, "title", tooltip=_context),
    PagedColumn(
        "Finding", lambda r: f"{r.finding_reference} {r.finding_title}", "finding", tooltip=_context
    ),
    PagedColumn("Plan", lambda r: r.plan_title, "plan", tooltip=_context),
    PagedColumn("Lead", lambda r: r.lead, "lead"),
    PagedColumn("RAG", lambda r: r.rag, "rag"),
    PagedColumn(
        "Status",
        lambda r: (
            ("Closed ⚑" if r.closed_with_override else r.status)
            + (" (archived)" if r.archived else "")
        ),
        "status",
        tooltip=lambda r: (
            "Closed without full evidence (override)" if r.closed_with_override else ""
        ),
    ),
    PagedColumn("Due", lambda r: uk_date(r.due_date), "due"),
    PagedColumn(
        "Next review", lambda r: uk_date(r.next_review) if not r.closed else "—", "next_review"
    ),
    PagedColumn(
        "Measure", lambda r: r.measure_short, "measure", tooltip=lambda r: r.measure_status
    ),
    PagedColumn(
        "Evidence",
        lambda r: f"{r.evidence_total}: {_by_type(r)}" if r.evidence_total else "None",
        "evidence",
        tooltip=lambda r: r.evidence_summary,
    ),
]
DEFAULT_WIDTHS = (70, 200, 150, 160, 108, 54, 84, 82, 86, 120, 130)
COL_PLAN, COL_RAG, COL_STATUS, COL_DUE, COL_REVIEW = 3, 5, 6, 7, 8
SHORT_SOURCE = {
    "Staff observation": "Obs",
    "People's feedback": "People",
    "Relatives' comments": "Relatives",
    "Staff feedback": "Staff",
    "Supervision notes": "Supervision",
    "Care records": "Records",
    "Governance minutes": "Minutes",
    "Incident review": "Incidents",
    "Training record": "Training",
}


def _by_type(row: ActionListRow) -> str:
    return ", ".join(f"{SHORT_SOURCE.get(k, k)} {n}" for k, n in row.evidence_by_type.items())


def foreground(row: ActionListRow, column: int) -> QBrush | None:
    if row.archived:
        return GREY
    if column == COL_REVIEW and row.review_overdue:
        return RED
    if column == COL_DUE and row.due_overdue:
        return RED
    if column == COL_STATUS and row.closed_with_override:
        return RED
    return None


def background(row: ActionListRow, column: int) -> QBrush | None:
    return RAG_BACKGROUND.get(row.rag) if column == COL_RAG and not row.closed else None


class ActionTable(QTableView):
    """The action list. Enter asks to open the action in its own window; Delete to archive it.
    Column widths, order and which columns show are remembered (right-click the header)."""

    sig_open = Signal()
    """Enter on the selected action."""

    sig_archive = Signal()
    """Delete on the selected action."""

    # "/2": the Ref column was made wider for plan codes (MED-A1); older saved widths hid them.
    STATE_KEY = "plans/header/2"

    def __init__(self, model: PagedTableModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName("Actions")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        compact_rows(self)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The action's title takes whatever room the fixed-width columns leave.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSortIndicator(model.sort_column(), Qt.SortOrder.AscendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        state = ui_state.load_bytes(self.STATE_KEY)
        if state is not None:
            header.restoreState(state)
        else:
            for col, width in enumerate(DEFAULT_WIDTHS):
                self.setColumnWidth(col, width)
            # The tree already groups by plan; the column is there for anyone who wants it.
            self.setColumnHidden(COL_PLAN, True)
        header.sectionResized.connect(self._save_state)

    def _save_state(self) -> None:
        ui_state.save_bytes(self.STATE_KEY, self.horizontalHeader().saveState())

    def _column_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for col, column in enumerate(COLUMNS):
            act = menu.addAction(column.title)
            act.setCheckable(True)
            act.setChecked(not self.isColumnHidden(col))
            act.setEnabled(col != 1)  # the action's title always shows
            act.toggled.connect(lambda on, c=col: self._show_column(c, on))
        menu.popup(self.horizontalHeader().mapToGlobal(pos))

    def _show_column(self, col: int, on: bool) -> None:
        self.setColumnHidden(col, not on)
        self._save_state()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_open.emit()
            return
        if key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.sig_archive.emit()
            return
        super().keyPressEvent(event)
