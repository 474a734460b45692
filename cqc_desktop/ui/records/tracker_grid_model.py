"""The editable, keyset-paged model behind the tracker entry grid.

It holds a window of rows: opened on the date order it shows the newest page with the entry row
under it (scrolling up loads earlier pages); sorted by another column it starts at the top and
loads more as the view scrolls down, like ``PagedTableModel``. Typed cells wait in the row as
text, are checked as they are typed, and the whole row is saved in its own unit of work when the
cursor leaves it. Each saved change goes on an undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ...db import Database
from ...services.errors import ConflictError, ServiceError, ValidationError
from ...services.listing import Page
from ...services.records import trackers
from ...services.records.listing import TrackerQuery, tracker_page
from ...services.records.tracker_values import (
    BadValue,
    PeopleIndex,
    complete_choice,
    convert,
    display,
    expand_shortcut,
)
from ...services.trust.permissions import Actor
from ..widgets.table_models import BACKGROUND, DISPLAY, ID_ROLE, TOOLTIP

EDIT = Qt.ItemDataRole.EditRole
PAGE = 200
ERROR_BRUSH = QBrush(QColor("#f8d7d5"))
PENDING_BRUSH = QBrush(QColor("#fff4c2"))
NEW_ROW_BRUSH = QBrush(QColor("#eef3f9"))
Index = QModelIndex | QPersistentModelIndex
# Asked once per cell per repaint: combining enum flags on every call was a measurable cost.
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable
_ANSWERED = frozenset({int(DISPLAY), int(EDIT), int(BACKGROUND), int(TOOLTIP), int(ID_ROLE)})


@dataclass
class GridRow:
    entry_id: int | None  # None: the entry row at the bottom, not saved yet
    values: dict[str, Any] = field(default_factory=dict)  # as stored
    pending: dict[str, str] = field(default_factory=dict)  # typed, not saved yet
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def dirty(self) -> bool:
        return bool(self.pending)


@dataclass(frozen=True)
class Change:
    kind: str  # "add", "update" or "delete"
    entry_id: int
    before: dict[str, Any]


UNDO_REASON = "Undone with Ctrl+Z straight after it was entered."


class TrackerGridModel(QAbstractTableModel):
    """Rows of one tracker under a filter; see the module docstring."""

    sig_saved = Signal(int)
    """A row was saved (or undone) in the database; carries the row's entry id."""

    sig_problem = Signal(str)
    """A message for the line under the grid ("" clears it)."""

    def __init__(
        self,
        db: Database,
        today: Callable[[], date],
        actor: Callable[[], Actor | None],
    ) -> None:
        super().__init__()
        self.db = db
        self._today = today
        self._actor = actor
        self.columns: list[dict[str, Any]] = []
        self.query: TrackerQuery | None = None
        self.people = PeopleIndex()
        self.read_only = False
        self.defaults: dict[str, str] = {}
        self.sort_key, self.descending = "entry_date", False
        self.rows: list[GridRow] = []
        self._before: tuple[Any, int] | None = None
        self._after: tuple[Any, int] | None = None
        self.more_before = False
        self.more_after = False
        self.undo_stack: list[Change] = []

    # --- loading ---------------------------------------------------------------------------
    def set_tracker(
        self,
        query: TrackerQuery,
        columns: list[dict[str, Any]],
        people: PeopleIndex,
        *,
        read_only: bool,
        defaults: dict[str, str] | None = None,
    ) -> None:
        same = self.query is not None and self.query.tracker_id == query.tracker_id
        self.query, self.columns, self.people = query, columns, people
        self.read_only = read_only
        self.defaults = defaults or {}
        if not same:
            self.undo_stack.clear()
            self.sort_key, self.descending = "entry_date", False
        self.reload()

    def _load(self, descending: bool, after: tuple[Any, int] | None) -> Page:
        assert self.query is not None
        with self.db.reading() as session:
            return tracker_page(session, self.query, self.sort_key, descending, after, PAGE)

    def reload(self, *, at_end: bool | None = None) -> None:
        """Start again; by default at the end for the date order (where new rows go)."""
        if at_end is None:
            at_end = self.sort_key == "entry_date" and not self.descending
        self.beginResetModel()
        self.rows = []
        if self.query is not None:
            if at_end:
                page = self._load(not self.descending, None)
                self.rows = [self._row(r) for r in reversed(page.rows)]
                self._before, self.more_before = page.last_key, page.more
                self._after, self.more_after = None, False
            else:
                page = self._load(self.descending, None)
                self.rows = [self._row(r) for r in page.rows]
                self._after, self.more_after = page.last_key, page.more
                self._before, self.more_before = None, False
            if not self.more_after and not self.read_only:
                self.rows.append(self._new_row())
        self.endResetModel()

    def column_keys(self) -> tuple[str, ...]:
        return tuple(c["key"] for c in self.columns)

    @property
    def all_loaded(self) -> bool:
        """Every row under the filter is in the grid (so counting them needs no query)."""
        return self.query is not None and not (self.more_before or self.more_after)

    def saved_rows(self) -> int:
        return sum(1 for r in self.rows if r.entry_id is not None)

    def _row(self, entry: Any) -> GridRow:
        return GridRow(entry.id, dict(entry.values))

    def _new_row(self) -> GridRow:
        return GridRow(None, {}, dict(self.defaults))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.more_after

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.more_after:
            return
        page = self._load(self.descending, self._after)
        new = [self._row(r) for r in page.rows]
        self._after, self.more_after = page.last_key or self._after, page.more
        if not self.more_after and not self.read_only:
            new.append(self._new_row())
        if new:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self.rows.extend(new)
            self.endInsertRows()

    def load_earlier(self) -> int:
        """Prepend the page before the first row shown; returns how many rows arrived."""
        if not self.more_before:
            return 0
        page = self._load(not self.descending, self._before)
        new = [self._row(r) for r in reversed(page.rows)]
        self._before, self.more_before = page.last_key or self._before, page.more
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self.rows[:0] = new
            self.endInsertRows()
        return len(new)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        key = self.columns[column]["key"]
        # Sorting by the dating column sorts by the row date (indexed, so instant).
        self.sort_key = (
            "entry_date"
            if self.columns[column]["type"] == "date"
            and column == (next(i for i, c in enumerate(self.columns) if c["type"] == "date"))
            else key
        )
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # --- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            column = self.columns[section]
            return column["label"] + (" *" if column.get("required") else "")
        row = self.rows[section]
        if row.entry_id is None:
            return "New"
        return "✎" if row.dirty else str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _READ_ONLY if self.read_only else _EDITABLE

    def text(self, row: int, column: int) -> str:
        grid_row, col = self.rows[row], self.columns[column]
        if col["key"] in grid_row.pending:
            return grid_row.pending[col["key"]]
        return display(col, grid_row.values.get(col["key"]))

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Painting asks for a dozen roles per cell and this grid answers four: the others leave
        # before any lookup (a page of cells is asked about thousands of times per repaint).
        if role not in _ANSWERED or not index.isValid():
            return None
        if role in (DISPLAY, EDIT):
            return self.text(index.row(), index.column())
        row = self.rows[index.row()]
        if role == ID_ROLE:
            return row.entry_id
        key = self.columns[index.column()]["key"]
        if role == BACKGROUND:
            if key in row.errors:
                return ERROR_BRUSH
            if key in row.pending:
                return PENDING_BRUSH
            return NEW_ROW_BRUSH if row.entry_id is None else None
        return row.errors.get(key) or self._hint(self.columns[index.column()])

    @staticmethod
    def _hint(column: dict[str, Any]) -> str:
        hints = {
            "date": "A date: 26/11/2026 or 26/11/26; t for today, y for yesterday.",
            "time": "A time on the 24-hour clock: 18:30 or 1830.",
            "number": "A number.",
            "yes/no": "Y or N.",
            "choice": "One of: " + ", ".join(column.get("choices", [])),
            "person": "Start typing a name from the staff list.",
        }
        return hints.get(column["type"], "")

    def options(self, column: int) -> list[str]:
        col = self.columns[column]
        if col["type"] == "choice":
            return list(col.get("choices", []))
        if col["type"] == "person":
            return self.people.names()
        if col["type"] == "yes/no":
            return ["Yes", "No"]
        return []

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or self.read_only:
            return False
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        text = expand_shortcut(column, str(value or ""), self._today())
        if column["type"] in ("choice", "person", "yes/no"):
            text = complete_choice(text, self.options(index.column()))
        if text == self.text(index.row(), index.column()):
            return False
        key = column["key"]
        stored = display(column, row.values.get(key))
        if text == stored and row.entry_id is not None:
            row.pending.pop(key, None)
        else:
            row.pending[key] = text
        row.errors.pop(key, None)
        message = ""
        if text.strip():
            try:
                shown = display(column, convert(column, text, self.people))
                if column["type"] in ("date", "time", "choice", "yes/no"):
                    row.pending[key] = shown  # tidy what was typed: "1830" shows as 18:30
            except BadValue as bad:
                row.errors[key] = message = str(bad)
        self.dataChanged.emit(index, index)
        self.headerDataChanged.emit(Qt.Orientation.Vertical, index.row(), index.row())
        self.sig_problem.emit(message)
        return True

    # --- saving and undoing ----------------------------------------------------------------
    def commit(self, row_number: int) -> bool:
        """Save one row if it changed; False (with the cells marked) if it cannot be saved."""
        if not 0 <= row_number < len(self.rows):
            return True
        row = self.rows[row_number]
        if not row.dirty or self.query is None:
            return True
        if row.entry_id is None and row.pending == self.defaults:
            return True  # only the defaults: nothing typed yet
        today = self._today()
        try:
            with self.db.unit_of_work(self._actor()) as session:
                if row.entry_id is None:
                    actor = self._actor()
                    entry = trackers.add_tracker_entry(
                        session,
                        self.query.tracker_id,
                        dict(row.pending),
                        actor.person_id if actor is not None else None,
                        today=today,
                    )
                    change = Change("add", entry.id, {})
                else:
                    before = trackers.entry_values(session, [row.entry_id]).get(row.entry_id, {})
                    # Only the typed cells are saved, each checked against what this grid showed:
                    # another PC's change to other cells of the row is kept, not overwritten.
                    entry = trackers.update_tracker_entry(
                        session,
                        row.entry_id,
                        dict(row.pending),
                        today=today,
                        seen_values={k: row.values.get(k) for k in row.pending},
                    )
                    change = Change("update", entry.id, before)
                saved_id, saved_values = entry.id, dict(entry.values)
        except ValidationError as error:
            row.errors = {k: v for k, v in error.errors.items()}
            self._row_changed(row_number)
            labels = {c["key"]: c["label"] for c in self.columns}
            where = ", ".join(labels.get(k, k) for k in row.errors)
            self.sig_problem.emit(f"This row is not saved yet. Check {where}: {error}")
            return False
        except ConflictError as exc:
            self._show_their_change(row_number, exc)
            return False
        except ServiceError as exc:
            self.sig_problem.emit(str(exc))
            return False
        was_new = row.entry_id is None
        row.entry_id, row.values, row.pending, row.errors = saved_id, saved_values, {}, {}
        self.undo_stack.append(change)
        self._row_changed(row_number)
        if was_new:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
            self.rows.append(self._new_row())
            self.endInsertRows()
        self.sig_problem.emit("")
        self.sig_saved.emit(saved_id)
        return True

    def _show_their_change(self, row_number: int, conflict: ConflictError) -> None:
        """Someone else changed a cell this row was saving: show their value behind each clashing
        cell and keep what was typed. Enter then saves the typed value over theirs (the grid now
        shows theirs, so the check passes); Esc keeps theirs."""
        row = self.rows[row_number]
        assert row.entry_id is not None
        with self.db.reading() as session:
            theirs = trackers.entry_values(session, [row.entry_id]).get(row.entry_id, {})
        by = conflict.who or "someone else"
        when = conflict.when_text()
        labels = {c["key"]: c for c in self.columns}
        row.errors = {
            key: (
                f"Changed by {by}{when} to “{display(labels[key], theirs.get(key))}”. "
                "Save the row again to put yours over it, or press Esc to keep theirs."
            )
            for key in row.pending
            if key in labels and theirs.get(key) != row.values.get(key)
        }
        row.values = theirs
        self._row_changed(row_number)
        self.sig_problem.emit(
            f"Changed by {by}{when} after you opened it; nothing lost. Red cells (hover for their "
            "value): save again to keep yours, Esc keeps theirs."
        )

    def discard(self, row_number: int) -> bool:
        """Forget what was typed in a row since it was last saved."""
        if not 0 <= row_number < len(self.rows) or not self.rows[row_number].dirty:
            return False
        row = self.rows[row_number]
        row.pending = dict(self.defaults) if row.entry_id is None else {}
        row.errors = {}
        self._row_changed(row_number)
        self.sig_problem.emit("")
        return True

    def dirty_rows(self) -> list[int]:
        return [
            i
            for i, r in enumerate(self.rows)
            if r.dirty and not (r.entry_id is None and r.pending == self.defaults)
        ]

    def delete(self, row_number: int, reason: str = "") -> bool:
        """Withdraw a saved row (a manager's act, with a reason) or drop an unsaved one."""
        row = self.rows[row_number]
        if row.entry_id is None:
            return self.discard(row_number)
        try:
            with self.db.unit_of_work(self._actor()) as session:
                before = trackers.entry_values(session, [row.entry_id]).get(row.entry_id, {})
                trackers.withdraw_tracker_entry(session, row.entry_id, reason, today=self._today())
        except ServiceError as exc:
            self.sig_problem.emit(str(exc))
            return False
        self.undo_stack.append(Change("delete", row.entry_id, before))
        self.beginRemoveRows(QModelIndex(), row_number, row_number)
        del self.rows[row_number]
        self.endRemoveRows()
        self.sig_saved.emit(row.entry_id)
        return True

    def undo(self) -> str:
        """Undo the last saved row change; returns what was undone, in words ("" if nothing)."""
        if not self.undo_stack:
            return ""
        change = self.undo_stack.pop()
        today = self._today()
        try:
            with self.db.unit_of_work(self._actor()) as session:
                if change.kind == "add":
                    trackers.withdraw_tracker_entry(
                        session, change.entry_id, UNDO_REASON, today=today
                    )
                    restored_id = change.entry_id
                    said = "Undone: the new row was removed."
                elif change.kind == "update":
                    trackers.update_tracker_entry(
                        session, change.entry_id, change.before, today=today
                    )
                    restored_id = change.entry_id
                    said = "Undone: the row is back as it was."
                else:
                    restored_id = trackers.add_tracker_entry(
                        session,
                        self.query.tracker_id if self.query else 0,
                        change.before,
                        today=today,
                    ).id
                    said = "Undone: the deleted row is back."
        except ServiceError as exc:
            self.sig_problem.emit(f"Could not undo: {exc}")
            return ""
        self.reload()
        self.sig_saved.emit(restored_id)
        return said

    def row_of(self, entry_id: int | None) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.entry_id == entry_id), None)

    def _row_changed(self, row_number: int) -> None:
        left = self.index(row_number, 0)
        right = self.index(row_number, max(0, len(self.columns) - 1))
        self.dataChanged.emit(left, right)
        self.headerDataChanged.emit(Qt.Orientation.Vertical, row_number, row_number)
