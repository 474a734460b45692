"""A table model for long lists: rows arrive a page at a time, sorted and filtered in SQL.

Qt asks ``canFetchMore``/``fetchMore`` as the user scrolls, so a 200,000-row tracker shows its first
page at once and never holds every row. Sorting asks the loader for a new first page instead of
sorting in Python (see STYLE.md: a proxy model over 200k rows took ~20 s to sort).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from ...services.listing import PAGE_SIZE, Page
from .table_models import ALIGN, BACKGROUND, DISPLAY, FOREGROUND, ID_ROLE, TOOLTIP

Index = QModelIndex | QPersistentModelIndex
SortKey = str
Loader = Callable[[SortKey, bool, tuple[Any, int] | None, int], Page]
"""(sort key, descending, after-key, limit) → one page of rows."""


@dataclass(frozen=True)
class PagedColumn:
    title: str
    text: Callable[[Any], str]
    sort_key: SortKey | None = None  # None: this column cannot be sorted
    tooltip: Callable[[Any], str] | None = None
    align_right: bool = False


class PagedTableModel(QAbstractTableModel):
    """Rows from a keyset-paged loader. Row ids sit in ``ID_ROLE``."""

    def __init__(
        self,
        columns: Sequence[PagedColumn],
        loader: Loader,
        row_id: Callable[[Any], int],
        *,
        default_sort: tuple[SortKey, bool],
        foreground: Callable[[Any, int], QBrush | None] | None = None,
        background: Callable[[Any, int], QBrush | None] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self._columns = list(columns)
        self._loader = loader
        self._row_id = row_id
        self._sort, self._descending = default_sort
        self._foreground = foreground
        self._background = background
        self._page_size = page_size
        self._rows: list[Any] = []
        self._texts: dict[tuple[int, int], str] = {}  # (row, column) → text shown, once worked out
        self._after: tuple[Any, int] | None = None
        self._more = False

    # --- loading ---------------------------------------------------------------------------
    def set_loader(self, loader: Loader) -> None:
        """New filters: swap the loader and start again from the first page."""
        self._loader = loader
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        page = self._loader(self._sort, self._descending, None, self._page_size)
        self._rows = list(page.rows)
        self._texts = {}
        self._after = page.last_key
        self._more = page.more
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        page = self._loader(self._sort, self._descending, self._after, self._page_size)
        if page.rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._after = page.last_key or self._after
        self._more = page.more

    @property
    def loaded_rows(self) -> int:
        return len(self._rows)

    @property
    def sort_state(self) -> tuple[SortKey, bool]:
        return self._sort, self._descending

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_for_id(self, row_id: int) -> int | None:
        """Position of a loaded row, for re-selecting after a refresh."""
        return next((i for i, r in enumerate(self._rows) if self._row_id(r) == row_id), None)

    # --- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].sort_key
        if key is None:
            return
        self._sort = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def sort_column(self) -> int:
        return next((i for i, c in enumerate(self._columns) if c.sort_key == self._sort), -1)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every visible cell and every role on each repaint (~1,000 calls for a page
        # on screen): roles the model never answers return before the index is even looked at,
        # and each cell's text is worked out once per load, not on every repaint.
        if role not in _ROLES or not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == DISPLAY:
            key = (r, c)
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = self._columns[c].text(self._rows[r])
            return text
        row = self._rows[r]
        if role == ID_ROLE:
            return self._row_id(row)
        if role == FOREGROUND:
            return self._foreground(row, c) if self._foreground is not None else None
        if role == BACKGROUND:
            return self._background(row, c) if self._background is not None else None
        col = self._columns[c]
        if role == TOOLTIP:
            return col.tooltip(row) if col.tooltip is not None else None
        if col.align_right:  # ALIGN
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


_ROLES = frozenset(int(r) for r in (DISPLAY, ID_ROLE, FOREGROUND, BACKGROUND, TOOLTIP, ALIGN))
