"""The tracker entry grid: spreadsheet-like and keyboard-first.

Tab and Enter move to the next cell (Shift+Tab back); the last cell moves to the first cell of the
next row, which saves the row just left, in its own transaction. Typing starts editing; choice and
person cells complete as you type; in a date cell `t` is today and `y` yesterday. A bad value is
marked red at once and explained under the grid. Ctrl+Z undoes the last row change (or, on a row
being typed, forgets what was typed); Ctrl+Delete deletes a row; Ctrl+End goes to the entry row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ..widgets.forms import ask_reason
from .tracker_grid_model import TrackerGridModel

Index = QModelIndex | QPersistentModelIndex
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_WIDTHS = {"date": 92, "time": 64, "number": 64, "yes/no": 60, "choice": 80, "person": 130}


class CellDelegate(QStyledItemDelegate):
    """A line editor per cell; choice and person cells complete the name as you type."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        if isinstance(model, TrackerGridModel):
            column = model.columns[index.column()]
            editor.setAccessibleName(column["label"])
            options = model.options(index.column())
            if options:
                completer = QCompleter(options, editor)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
                editor.setCompleter(completer)
            if column["type"] == "date":
                editor.setPlaceholderText("dd/mm/yyyy, t or y")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        # Ctrl+Z in a cell undoes the typing first; with nothing typed it undoes the last row change.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
            and isinstance(editor, QLineEdit)
            and not editor.isUndoAvailable()
        ):
            view = self.parent()
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            if isinstance(view, TrackerGrid):
                view.undo()
            return True
        # Enter moves on to the next cell, like Tab: rows are typed across, not down.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and isinstance(editor, QWidget)
        ):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.EditNextItem)
            return True
        return super().eventFilter(editor, event)


class TrackerGrid(QTableView):
    """The view; the model does the saving. See the module docstring for the keys."""

    sig_message = Signal(str)
    """A line for the status label under the grid (what was undone, what is wrong)."""

    def __init__(self, model: TrackerGridModel) -> None:
        super().__init__()
        self.grid = model
        self.setModel(model)
        self.setItemDelegate(CellDelegate(self))
        self.setAccessibleName("Tracker rows")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setTabKeyNavigation(True)
        self.setSortingEnabled(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setMinimumWidth(36)
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        model.modelReset.connect(self._after_reset)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self._watched_selection: QItemSelectionModel | None = None
        self._sized_for: tuple[Any, ...] | None = None
        self._connect_selection()

    def _connect_selection(self) -> None:
        selection = self.selectionModel()
        if selection is not self._watched_selection:
            selection.currentRowChanged.connect(self._row_changed)
            selection.currentChanged.connect(self._cell_changed)
            self._watched_selection = selection

    # --- layout ----------------------------------------------------------------------------
    def _after_reset(self) -> None:
        self._connect_selection()
        # Widths are set when a tracker is opened, not on every refresh, filter or sort: columns
        # the user widened stay put, and a refresh does not measure 600 cells of text again.
        shape = (self.grid.query.tracker_id if self.grid.query else None, self.grid.column_keys())
        if shape != self._sized_for:
            self._sized_for = shape
            self._size_columns()
        key, descending = self.grid.sort_key, self.grid.descending
        keys = [c["key"] for c in self.grid.columns]
        dating = next((i for i, c in enumerate(self.grid.columns) if c["type"] == "date"), -1)
        section = dating if key == "entry_date" else keys.index(key) if key in keys else -1
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.horizontalHeader().setSortIndicator(section, order)

    def _size_columns(self) -> None:
        """Wide enough for the heading and the values shown, within limits per type."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader().fontMetrics()
        rows = range(max(0, self.grid.rowCount() - 60), self.grid.rowCount())
        for n, column in enumerate(self.grid.columns):
            title = str(self.grid.headerData(n, Qt.Orientation.Horizontal))
            widest = max((metrics.horizontalAdvance(self.grid.text(r, n)) for r in rows), default=0)
            want = max(
                header.horizontalAdvance(title) + 28, widest + 16, _WIDTHS.get(column["type"], 120)
            )
            self.setColumnWidth(n, min(want, 280))

    def _header_clicked(self, section: int) -> None:
        if not self.save_current():
            return
        order = self.horizontalHeader().sortIndicatorOrder()
        self.grid.sort(section, order)

    def _scrolled(self, value: int) -> None:
        if value == self.verticalScrollBar().minimum() and self.grid.more_before:
            added = self.grid.load_earlier()
            if added:
                self.verticalScrollBar().setValue(value + added)

    # --- moving and saving -----------------------------------------------------------------
    def go_to_new_row(self) -> None:
        """Put the cursor in the first cell of the entry row, loading the end if needed."""
        if not self.save_current():
            return
        if self.grid.more_after or not self.grid.rows or self.grid.rows[-1].entry_id is not None:
            self.grid.reload(at_end=True)
        row = self.grid.rowCount() - 1
        if row < 0:
            return
        index = self.grid.index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_current(self) -> bool:
        """Save the row being typed (if any); False if it has a problem."""
        editor_open = self.state() == QAbstractItemView.State.EditingState
        if editor_open:
            widget = self.indexWidget(self.currentIndex())
            editor = widget or self.focusWidget()
            if isinstance(editor, QLineEdit):
                self.commitData(editor)
                self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        row = self.currentIndex().row()
        return self.grid.commit(row) if row >= 0 else True

    def save_all(self) -> bool:
        ok = self.save_current()
        for row in self.grid.dirty_rows():
            ok = self.grid.commit(row) and ok
        return ok

    def _row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not previous.isValid() or previous.row() == current.row():
            return
        if previous.row() >= self.grid.rowCount():
            return
        if not self.grid.commit(previous.row()):
            # Go back to the first problem so it is put right before moving on.
            row = previous.row()
            keys = [c["key"] for c in self.grid.columns]
            errors = self.grid.rows[row].errors
            column = next((keys.index(k) for k in errors if k in keys), 0)
            QTimer.singleShot(0, lambda: self._back_to(row, column))

    def _back_to(self, row: int, column: int) -> None:
        if row < self.grid.rowCount():
            if self.state() == QAbstractItemView.State.EditingState:
                widget = self.focusWidget()
                if isinstance(widget, QLineEdit):
                    self.closeEditor(widget, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            self.setCurrentIndex(self.grid.index(row, column))

    def _cell_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or current.row() >= self.grid.rowCount():
            return
        row = self.grid.rows[current.row()]
        key = self.grid.columns[current.column()]["key"]
        if key in row.errors:
            self.sig_message.emit(row.errors[key])

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # Tab on the last cell of the entry row saves it; the new entry row appears below.
        if cursorAction == QAbstractItemView.CursorAction.MoveNext:
            current = self.currentIndex()
            last_col = self.grid.columnCount() - 1
            if current.isValid() and current.column() == last_col:
                if current.row() == self.grid.rowCount() - 1:
                    if self.grid.commit(current.row()) and current.row() < self.grid.rowCount() - 1:
                        return self.grid.index(current.row() + 1, 0)
                    return current
                return self.grid.index(current.row() + 1, 0)
        return super().moveCursor(cursorAction, modifiers)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if ctrl and key == Qt.Key.Key_Z:
            self.undo()
            return
        if ctrl and key == Qt.Key.Key_End:
            self.go_to_new_row()
            return
        if ctrl and key == Qt.Key.Key_Delete:
            self.delete_current_row()
            return
        if key in _ENTER and self.state() != QAbstractItemView.State.EditingState:
            self.setCurrentIndex(self.moveCursor(QAbstractItemView.CursorAction.MoveNext, mods))
            return
        if key == Qt.Key.Key_Escape and self.grid.discard(self.currentIndex().row()):
            self.sig_message.emit("Your changes to this row were not kept.")
            return
        if key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            self.model().setData(self.currentIndex(), "", Qt.ItemDataRole.EditRole)
            return
        super().keyPressEvent(event)

    def undo(self) -> None:
        row = self.currentIndex().row()
        if self.state() == QAbstractItemView.State.EditingState:
            widget = self.focusWidget()
            if isinstance(widget, QLineEdit):
                self.closeEditor(widget, QAbstractItemDelegate.EndEditHint.RevertModelCache)
        if row >= 0 and self.grid.discard(row):
            self.sig_message.emit("Undone: what you typed in this row was not kept.")
            return
        said = self.grid.undo()
        self.sig_message.emit(said or "There is nothing to undo.")
        if said:
            self.go_to_new_row()

    def delete_current_row(self) -> None:
        row = self.currentIndex().row()
        if row < 0 or self.grid.read_only:
            return
        reason = ""
        if self.grid.rows[row].entry_id is not None:
            answer = ask_reason(
                self,
                "Withdraw row",
                "Why is this row being withdrawn?\n\nIt is kept, with your reason, in the "
                "withdrawals register,\nand leaves the measures worked out from this tracker.",
            )
            if answer is None:
                return
            reason = answer
        if self.grid.delete(row, reason):
            self.sig_message.emit("Row withdrawn. Ctrl+Z puts it back.")

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # Leaving the grid for another part of the window saves the row being typed, unless the
        # focus only went to the cell's own editor.
        super().focusOutEvent(event)
        focus = self.focusWidget()
        if self.state() != QAbstractItemView.State.EditingState and (
            focus is None or not self.isAncestorOf(focus)
        ):
            QTimer.singleShot(0, self._save_if_left)

    def _save_if_left(self) -> None:
        if self.hasFocus() or self.state() == QAbstractItemView.State.EditingState:
            return
        row = self.currentIndex().row()
        if row >= 0:
            self.grid.commit(row)

    def cell_text(self, row: int, column: int) -> str:
        return self.grid.text(row, column)

    def current_values(self) -> dict[str, Any]:
        row = self.currentIndex().row()
        return dict(self.grid.rows[row].values) if row >= 0 else {}
