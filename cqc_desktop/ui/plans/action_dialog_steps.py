"""The steps editor inside the action dialog: one row per step with its owner and where it is
recorded ("recorded in"), reorderable, keyboard-only friendly (every control is in tab order)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...services.plans.actions import StepInput
from ..widgets.forms import OptionalDateEdit, combo_of, select_data

# Where care homes keep the record of each step (from the worked scenarios); free text is allowed.
RECORDED_IN = (
    "Medicines improvement tracker",
    "Care planning improvement tracker",
    "Incident improvement tracker",
    "Daily governance log",
    "Rota notes",
    "Staff communication book",
    "Medication audit template",
    "Monthly care record audit",
    "Care plan review section",
    "Practice observation log",
    "Handover record",
    "Governance meeting minutes",
    "Provider governance minutes",
    "Monthly QA report",
)


class StepRow(QFrame):
    """One step: description, owner, recorded in, due date; done date kept from the checklist."""

    sig_remove = Signal(object)
    """Carries this row; the editor removes it."""

    sig_move = Signal(object, int)
    """Carries this row and -1 (up) or +1 (down)."""

    def __init__(self, people: list[tuple[str, int]], today: date, data: StepInput) -> None:
        super().__init__()
        self.done_on = data.done_on
        self.description = QLineEdit(data.description)
        self.description.setCursorPosition(0)  # show the start of a long step, not its end
        self.description.setToolTip(data.description)
        self.description.setPlaceholderText("What will be done")
        self.owner = combo_of(people, blank="(owner)")
        select_data(self.owner, data.owner_id)
        self.owner.setToolTip("Who does this step")
        self.owner.setMinimumContentsLength(14)
        self.owner.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.recorded_in = QComboBox()
        self.recorded_in.setEditable(True)
        self.recorded_in.addItems(RECORDED_IN)
        self.recorded_in.setCurrentText(data.recorded_in)
        self.recorded_in.lineEdit().setCursorPosition(0)
        self.recorded_in.lineEdit().setPlaceholderText("Recorded in…")
        self.recorded_in.setMinimumContentsLength(16)
        self.recorded_in.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.recorded_in.setToolTip("Where the record of this step is kept")
        self.due = OptionalDateEdit("Due", today, data.due_date)
        self.done_label = QLabel(f"Done {uk_date(data.done_on)}" if data.done_on else "")
        self.done_label.setStyleSheet("color: #1e7b34;")
        self.up = QToolButton(text="↑")
        self.down = QToolButton(text="↓")
        self.remove = QToolButton(text="✕")
        for button, name in ((self.up, "up"), (self.down, "down"), (self.remove, "Remove")):
            button.setAccessibleName(f"Move step {name}" if name != "Remove" else "Remove step")
            button.setToolTip(button.accessibleName())
        self.up.clicked.connect(lambda: self.sig_move.emit(self, -1))
        self.down.clicked.connect(lambda: self.sig_move.emit(self, 1))
        self.remove.clicked.connect(lambda: self.sig_remove.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.description, 5)
        row.addWidget(self.owner, 2)
        row.addWidget(self.recorded_in, 2)
        row.addWidget(self.due)
        row.addWidget(self.done_label)
        for button in (self.up, self.down, self.remove):
            row.addWidget(button)

    def set_number(self, n: int) -> None:
        self.description.setAccessibleName(f"Step {n}")
        self.owner.setAccessibleName(f"Step {n} owner")
        self.recorded_in.setAccessibleName(f"Step {n} recorded in")
        self.due.setAccessibleName(f"Step {n} due")

    def value(self) -> StepInput:
        return StepInput(
            description=self.description.text(),
            owner_id=self.owner.currentData(),
            recorded_in=self.recorded_in.currentText(),
            due_date=self.due.value(),
            done_on=self.done_on,
        )


class StepsEditor(QWidget):
    """A growing list of ``StepRow`` with an Add step button."""

    def __init__(self, people: list[tuple[str, int]], today: date) -> None:
        super().__init__()
        self._people = people
        self._today = today
        self.rows: list[StepRow] = []
        self._list = QWidget()
        self._rows_layout = QVBoxLayout(self._list)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self._rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(130)
        self.add_button = QPushButton("&Add step")
        self.add_button.clicked.connect(lambda: self.add_step(focus=True))
        self.empty = QLabel("No steps yet. Every action needs at least one concrete step.")
        self.empty.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.empty)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self._refresh()

    def set_steps(self, steps: list[StepInput]) -> None:
        for row in list(self.rows):
            self._drop(row)
        for step in steps:
            self.add_step(step)

    def add_step(self, data: StepInput | None = None, *, focus: bool = False) -> StepRow:
        row = StepRow(self._people, self._today, data or StepInput(""))
        row.sig_remove.connect(self._drop)
        row.sig_move.connect(self._move)
        self.rows.append(row)
        self._rows_layout.insertWidget(len(self.rows) - 1, row)
        self._refresh()
        if focus:
            row.description.setFocus()
        return row

    def _drop(self, row: StepRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._refresh()

    def _move(self, row: StepRow, delta: int) -> None:
        i = self.rows.index(row)
        j = i + delta
        if not 0 <= j < len(self.rows):
            return
        self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
        self._rows_layout.removeWidget(row)
        self._rows_layout.insertWidget(j, row)
        self._refresh()
        (row.up if delta < 0 else row.down).setFocus()

    def _refresh(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            row.set_number(n)
            row.up.setEnabled(n > 1)
            row.down.setEnabled(n < len(self.rows))
        self.empty.setVisible(not self.rows)
        # Keep tab order top to bottom after moves.
        previous: QWidget | None = None
        for row in self.rows:
            for widget in (
                row.description,
                row.owner,
                row.recorded_in,
                row.due.check,
                row.due.edit,
                row.up,
                row.down,
                row.remove,
            ):
                if previous is not None:
                    QWidget.setTabOrder(previous, widget)
                previous = widget
        if previous is not None:
            QWidget.setTabOrder(previous, self.add_button)

    def steps(self) -> list[StepInput]:
        return [row.value() for row in self.rows]

    def state(self) -> Hashable:
        return tuple(
            (s.description, s.owner_id, s.recorded_in, s.due_date, s.done_on) for s in self.steps()
        )
