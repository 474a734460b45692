"""The Steps tab of an action: a checklist. Ticking a step records it done today; the date can be
corrected, and unticking clears it (the gate then counts it as not done)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ....formatting import uk_date
from ....models import Action
from ....services.errors import ServiceError
from ....services.plans import actions
from ...context import AppContext
from ...widgets.forms import DateEdit, ErrorLabel, Form

COL_STEP, COL_OWNER, COL_RECORDED, COL_DUE, COL_DONE = range(5)
STEP_ROLE = Qt.ItemDataRole.UserRole + 1
LATE = QBrush(QColor("#b3261e"))
DONE = QBrush(QColor("#1e7b34"))


class DoneDateDialog(QDialog):
    """Ask which day a step was done (defaults to today, never later than today)."""

    def __init__(self, parent: QWidget | None, step: str, today: date, current: date | None):
        super().__init__(parent)
        self.setWindowTitle("Step done on")
        self.date = DateEdit(current or today)
        self.date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.today = today
        self.error = ErrorLabel()
        form = Form()
        label = QLabel(step)
        label.setWordWrap(True)
        form.addRow("Step:", label)
        form.add_field("done_on", "&Done on:", self.date)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _ok(self) -> None:
        if self.date.value() > self.today:
            self.error.set_error("A step cannot be done in the future.")
            return
        self.accept()


class StepsChecklist(QWidget):
    """Tick steps off. Each tick is one save."""

    sig_changed = Signal()
    """Emitted after a step's done date was saved."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._loading = False
        self.progress = QLabel()
        self.progress.setAccessibleName("Steps progress")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Step", "Owner", "Recorded in", "Due", "Done on"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAccessibleName("Steps checklist")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_STEP, QHeaderView.ResizeMode.Stretch)
        for col in (COL_OWNER, COL_DUE, COL_DONE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # "Recorded in" can be a long form name; the step itself matters more.
        header.setSectionResizeMode(COL_RECORDED, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(COL_RECORDED, 240)
        self.tree.itemChanged.connect(self._ticked)
        self.tree.itemActivated.connect(lambda _i, _c: self.change_date())
        self.date_button = QPushButton("Change done &date…")
        self.date_button.clicked.connect(self.change_date)
        self.error = ErrorLabel()
        hint = QLabel("Tick a step when it is done (Space); it is recorded as done today.")
        hint.setStyleSheet("color: #555;")
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.date_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

    def load(self, session: Session, action: Action) -> None:
        today = self.ctx.today()
        closed = action.status == "Closed"
        self._loading = True
        self.tree.clear()
        for step in action.steps:
            item = QTreeWidgetItem(
                [
                    step.description,
                    step.owner.name if step.owner else "",
                    step.recorded_in,
                    uk_date(step.due_date),
                    uk_date(step.done_on),
                ]
            )
            item.setData(COL_STEP, STEP_ROLE, step.id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not closed:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            item.setCheckState(
                COL_STEP, Qt.CheckState.Checked if step.done else Qt.CheckState.Unchecked
            )
            item.setToolTip(COL_STEP, step.description)
            item.setToolTip(COL_RECORDED, step.recorded_in)
            if step.done:
                item.setForeground(COL_DONE, DONE)
            elif step.due_date and step.due_date < today:
                item.setForeground(COL_DUE, LATE)
                item.setToolTip(COL_DUE, "Past its due date")
            self.tree.addTopLevelItem(item)
        done = sum(1 for s in action.steps if s.done)
        total = len(action.steps)
        self.progress.setText(
            f"<b>{done} of {total}</b> steps done."
            if total
            else "This action has no steps yet: add them with Edit action."
        )
        self.date_button.setEnabled(total > 0 and not closed)
        self.error.set_error("")
        self._loading = False

    def item_for(self, row: int) -> QTreeWidgetItem | None:
        return self.tree.topLevelItem(row)

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        if self._loading or column != COL_STEP:
            return
        done = item.checkState(COL_STEP) == Qt.CheckState.Checked
        step_id = item.data(COL_STEP, STEP_ROLE)
        # Saved once the tree has finished emitting: the reload that follows rebuilds the tree.
        QTimer.singleShot(0, lambda: self._save(step_id, self.ctx.today() if done else None))

    def change_date(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            self.error.set_error("Select the step first.")
            return
        if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        current = item.text(COL_DONE)
        today = self.ctx.today()
        existing = date(int(current[6:]), int(current[3:5]), int(current[:2])) if current else None
        dialog = DoneDateDialog(self, item.text(COL_STEP), today, existing)
        step_id = item.data(COL_STEP, STEP_ROLE)
        dialog.accepted.connect(lambda: self._save(step_id, dialog.date.value()))
        dialog.open()

    def _save(self, step_id: int, done_on: date | None) -> None:
        try:
            with self.ctx.unit_of_work() as session:
                actions.set_step_done(session, step_id, done_on)
        except ServiceError as exc:
            self.error.set_error(str(exc))
            return
        self.ctx.sig_data_changed.emit("action")
        self.sig_changed.emit()
