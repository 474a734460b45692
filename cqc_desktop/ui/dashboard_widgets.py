"""Pieces of the dashboard: summary cards, action tables that open an action on Enter or
double-click, and the column definitions of each list."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
)

from ..formatting import days_phrase, uk_date
from ..services.dashboard import ActionRow
from ..services.plan_listing import ActionListRow
from .forms import compact_rows
from .table_models import ID_ROLE, RAG_BACKGROUND, RED, Column, RowsModel

RAG_COL = 3


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
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.activated.connect(self._open)
        self.doubleClicked.connect(self._open)

    def _open(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            self.sig_open_action.emit(int(self.model().index(index.row(), 0).data(ID_ROLE)))


def table(model: RowsModel, name: str) -> ActionTableView:  # type: ignore[type-arg]
    return ActionTableView(model, name)
