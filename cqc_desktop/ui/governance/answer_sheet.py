"""The answer sheet of an audit run: one row per question, answered from the keyboard.

Y, N or A answers the current question and moves down; Delete clears it; Enter or F2 opens the
comment. The model keeps answers, comments and evidence notes keyed by question.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ...services.governance.audits import Question
from ..widgets.table_models import ALIGN, BACKGROUND, DISPLAY, FOREGROUND, TOOLTIP

EDIT = Qt.ItemDataRole.EditRole
ANSWER_KEYS = {Qt.Key.Key_Y: "Yes", Qt.Key.Key_N: "No", Qt.Key.Key_A: "N/A"}
ANSWER_COLOURS = {
    "Yes": QBrush(QColor("#d4edda")),
    "No": QBrush(QColor("#f8d7d5")),
    "N/A": QBrush(QColor("#e6e6e6")),
}
ERROR_TEXT = QBrush(QColor("#b3261e"))
COL_SECTION, COL_NUMBER, COL_QUESTION, COL_ANSWER, COL_COMMENT, COL_EVIDENCE = range(6)
HEADERS = ("Section", "No.", "Question", "Answer", "Comment", "Evidence seen")


class AnswerSheet(QAbstractTableModel):
    """One row per question; the answer, comment and evidence note are what the auditor types."""

    sig_answers_changed = Signal()
    """Emitted when any answer changes (for the live score)."""

    def __init__(self, items: list[Question]) -> None:
        super().__init__()
        self.items = items
        self.answers: dict[str, str] = {}
        self.comments: dict[str, str] = {}
        self.evidence: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (COL_COMMENT, COL_EVIDENCE):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        q = self.items[index.row()]
        col = index.column()
        if role in (DISPLAY, EDIT):
            if col == COL_SECTION:
                # The section name once, on its first question, so the list reads like the form.
                first = index.row() == 0 or self.items[index.row() - 1].section != q.section
                return q.section if first else ""
            values = {
                COL_NUMBER: str(q.number),
                COL_QUESTION: q.text,
                COL_ANSWER: self.answers.get(q.key, ""),
                COL_COMMENT: self.comments.get(q.key, ""),
                COL_EVIDENCE: self.evidence.get(q.key, ""),
            }
            return values[col]
        if role == BACKGROUND and col == COL_ANSWER:
            return ANSWER_COLOURS.get(self.answers.get(q.key, ""))
        if role == FOREGROUND and q.key in self.errors:
            return ERROR_TEXT
        if role == TOOLTIP:
            return self.errors.get(q.key) or (q.text if col == COL_QUESTION else None)
        if role == ALIGN and col in (COL_NUMBER, COL_ANSWER):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = EDIT
    ) -> bool:
        if role != EDIT or index.column() not in (COL_COMMENT, COL_EVIDENCE):
            return False
        store = self.comments if index.column() == COL_COMMENT else self.evidence
        store[self.items[index.row()].key] = str(value)
        self.dataChanged.emit(index, index)
        return True

    def set_answer(self, row: int, answer: str) -> None:
        key = self.items[row].key
        if answer:
            self.answers[key] = answer
        else:
            self.answers.pop(key, None)
        self.errors.pop(key, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.sig_answers_changed.emit()

    def set_errors(self, errors: dict[str, str]) -> None:
        self.errors = {k: v for k, v in errors.items() if any(q.key == k for q in self.items)}
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, len(HEADERS) - 1))

    def unanswered(self) -> int:
        return sum(1 for q in self.items if q.key not in self.answers)


class AnswerSheetView(QTableView):
    """Y / N / A answer the current row and move down; Delete clears; Enter or F2 writes a comment."""

    def __init__(self, sheet: AnswerSheet) -> None:
        super().__init__()
        self.sheet = sheet
        self.setModel(sheet)
        self.setAccessibleName("Audit questions: press Y for yes, N for no, A for not applicable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_QUESTION, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (COL_SECTION, 120),
            (COL_NUMBER, 36),
            (COL_ANSWER, 60),
            (COL_COMMENT, 180),
            (COL_EVIDENCE, 120),
        ):
            self.setColumnWidth(col, width)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        editing = self.state() == QAbstractItemView.State.EditingState
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if index.isValid() and not editing and plain:
            key = Qt.Key(event.key())
            if key in ANSWER_KEYS:
                self.answer(ANSWER_KEYS[key])
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.sheet.set_answer(index.row(), "")
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                column = (
                    index.column() if index.column() in (COL_COMMENT, COL_EVIDENCE) else COL_COMMENT
                )
                target = self.sheet.index(index.row(), column)
                self.setCurrentIndex(target)
                self.edit(target)
                return
        super().keyPressEvent(event)

    def answer(self, value: str) -> None:
        index = self.currentIndex()
        if not index.isValid():
            index = self.sheet.index(0, COL_ANSWER)
        self.sheet.set_answer(index.row(), value)
        if index.row() + 1 < self.sheet.rowCount():
            self.setCurrentIndex(self.sheet.index(index.row() + 1, index.column()))
