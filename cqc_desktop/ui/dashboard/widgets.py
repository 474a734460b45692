"""Pieces of the dashboard: summary cards, action tables that open an action on Enter or
double-click, and the column definitions of each list."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
)

from ...formatting import days_phrase, uk_date
from ...services.plans.dashboard import ActionRow
from ...services.plans.listing import ActionListRow
from ..widgets.forms import compact_rows
from ..widgets.table_models import ID_ROLE, RAG_BACKGROUND, RED, Column, RowsModel

RAG_COL = 3

# A typical widest value for each column, so widths come from one measurement per column rather
# than from every cell of every row (ResizeToContents did that on each refresh: thousands of
# data() calls on a provider's database). The columns stay resizable by dragging.
LEAD_SAMPLE = "Siobhán Kowalska"
ACTION_SAMPLES = ("MEDX-A99", "", LEAD_SAMPLE, "Amber", "30/11/2026", "999 days overdue")
DUE_SAMPLES = ("MEDX-A99", "", LEAD_SAMPLE, "Amber", "30/11/2026")
MY_SAMPLES = (
    "MEDX-A99",
    "",
    "In progress",
    "Amber",
    "30/11/2026",
    "30/11/2026",
    "✘ 100 (target 100)",
)
LEAD_LOAD_SAMPLES = ("", "Registered manager", "999", "999", "999")


def action_columns(when: str) -> list[Column[ActionRow]]:
    return [
        Column("Ref", lambda r: r.reference),
        Column("Action", lambda r: r.title, tooltip=lambda r: f"{r.title}\n{r.service}"),
        Column("Lead", lambda r: r.lead),
        Column("RAG", lambda r: r.rag),
        Column("Next review", lambda r: uk_date(r.next_review)),
        Column(when, lambda r: days_phrase(r.days_overdue)),
    ]


def due_columns() -> list[Column[ActionRow]]:
    return [
        Column("Ref", lambda r: r.reference),
        Column("Action", lambda r: r.title, tooltip=lambda r: f"{r.title}\n{r.service}"),
        Column("Lead", lambda r: r.lead),
        Column("RAG", lambda r: r.rag),
        Column("Due", lambda r: uk_date(r.due_date)),
    ]


def my_columns() -> list[Column[ActionListRow]]:
    return [
        Column("Ref", lambda r: r.reference),
        Column("Action", lambda r: r.title, tooltip=lambda r: f"{r.plan_title}\n{r.title}"),
        Column("Status", lambda r: r.status),
        Column("RAG", lambda r: r.rag),
        Column("Next review", lambda r: uk_date(r.next_review)),
        Column("Due", lambda r: uk_date(r.due_date)),
        Column("Measure", lambda r: r.measure_short, tooltip=lambda r: r.measure_status),
    ]


def rag_background(row: ActionRow | ActionListRow, column: int) -> QBrush | None:
    return RAG_BACKGROUND.get(row.rag) if column == RAG_COL else None


def overdue_foreground(row: ActionRow, column: int) -> QBrush | None:
    return RED if column >= 4 and row.days_overdue > 0 else None


def my_foreground(row: ActionListRow, column: int) -> QBrush | None:
    if column == 4 and row.review_overdue:
        return RED
    if column == 5 and row.due_overdue:
        return RED
    return None


class SummaryCard(QFrame):
    """A big number with a caption, like the tiles on a paper governance dashboard."""

    def __init__(self, caption: str, *, warn: bool = False) -> None:
        super().__init__()
        self.setObjectName("summaryCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._warn = warn
        self._colour = ""
        self.value = QLabel("0")
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 6)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)

    def set_value(self, value: int) -> None:
        self.value.setText(str(value))
        colour = "#b3261e" if self._warn and value else "#1f3b57"
        if colour != self._colour:  # a new style sheet restyles the card: only when it changes
            self._colour = colour
            self.value.setStyleSheet(f"font-size: 20pt; font-weight: 600; color: {colour};")


class ActionTableView(QTableView):
    """A read-only list of actions; Enter or double-click asks to open the action."""

    sig_open_action = Signal(int)
    """Carries the id of the action to open."""

    def __init__(self, model: RowsModel, name: str) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.setModel(model)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        compact_rows(self)
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(False)
        self.activated.connect(self._open)
        self.doubleClicked.connect(self._open)

    def _open(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            self.sig_open_action.emit(int(self.model().index(index.row(), 0).data(ID_ROLE)))


def table(
    model: RowsModel,  # type: ignore[type-arg]
    name: str,
    samples: Sequence[str],
    stretch: int = 1,
) -> ActionTableView:
    view = ActionTableView(model, name)
    size_columns(view, samples, stretch)
    return view


def size_columns(view: QTableView, samples: Sequence[str], stretch: int) -> None:
    """Give each column room for its title and ``samples[column]``, and column ``stretch`` the
    rest of the width; the user can still drag the others wider."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    cells, titles = view.fontMetrics(), header.fontMetrics()
    model = view.model()
    for column, sample in enumerate(samples):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(cells.horizontalAdvance(sample) + 16, titles.horizontalAdvance(title) + 24)
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
