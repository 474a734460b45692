"""History of one record: every change to it (and its parts), who made it and when.

Other tabs open it with ``show_history(parent, ctx, "Action", action_id)``; the record type is the
model's class name (or the class itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...services.trust import audit_history
from ...services.trust.audit_history import Entry
from ..context import AppContext
from ..widgets.forms import compact_rows
from ..widgets.table_models import Column, RowsModel

LIMIT = 2000


@dataclass(frozen=True)
class HistoryRow:
    id: int
    when: str
    who: str
    record: str
    what: str
    field: str
    before: str
    after: str
    record_type: str = ""
    record_id: int | None = None


def history_rows(entries: list[Entry], names: dict[int, str]) -> list[HistoryRow]:
    return [
        HistoryRow(
            e.id,
            e.when,
            e.username,
            e.record,
            e.what,
            audit_history.field_label(e.field),
            audit_history.display_value(e, e.old, names),
            audit_history.display_value(e, e.new, names),
            e.record_type,
            e.record_id,
        )
        for e in entries
    ]


def _short(text: str) -> str:
    line = text.replace("\n", " ⏎ ")
    return line if len(line) <= 120 else line[:117] + "…"


HISTORY_COLUMNS: list[Column[HistoryRow]] = [
    Column("When", lambda r: r.when),
    Column("Who", lambda r: r.who),
    Column("Record", lambda r: r.record),
    Column("Change", lambda r: r.what),
    Column("Field", lambda r: r.field),
    Column("Before", lambda r: _short(r.before), tooltip=lambda r: r.before),
    Column("After", lambda r: _short(r.after), tooltip=lambda r: r.after),
]


def entry_table(model: RowsModel[HistoryRow], name: str) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    compact_rows(table)
    return table


class HistoryDialog(QDialog):
    """Newest change first; the filter box narrows the list to a field, person or value."""

    def __init__(
        self,
        ctx: AppContext,
        record_type: str,
        record_id: int,
        parent: QWidget | None = None,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        label = title or f"{audit_history.record_label(record_type)} {record_id}"
        self.setWindowTitle(f"History — {label}")
        with ctx.db.reading() as session:
            entries = audit_history.history(session, record_type, record_id, limit=LIMIT)
            names = audit_history.person_names(session, entries)
        self.all_rows = history_rows(entries, names)
        self.model: RowsModel[HistoryRow] = RowsModel(HISTORY_COLUMNS, lambda r: r.id)
        self.model.set_rows(self.all_rows)
        self.table = entry_table(self.model, "Changes")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by field, person or value…")
        self.filter.setAccessibleName("Filter the history")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        count = len(self.all_rows)
        more = f" (the newest {LIMIT:,})" if count >= LIMIT else ""
        summary = (
            f"{count:,} change(s){more}. Every change is kept in the tamper-evident audit trail."
            if count
            else "No changes have been recorded for this record."
        )
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(1000, 560)
        self.table.resizeColumnsToContents()
        for column in (5, 6):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 280))

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        rows = [
            r
            for r in self.all_rows
            if not needle
            or needle in " ".join((r.who, r.record, r.what, r.field, r.before, r.after)).lower()
        ]
        self.model.set_rows(rows)


def show_history(
    parent: QWidget | None,
    ctx: AppContext,
    record_type: str | type,
    record_id: int,
    title: str = "",
) -> HistoryDialog:
    """Open the history of one record (non-modal; returns the dialog)."""
    name = record_type if isinstance(record_type, str) else record_type.__name__
    dialog = HistoryDialog(ctx, name, record_id, parent, title)
    dialog.show()
    return dialog
