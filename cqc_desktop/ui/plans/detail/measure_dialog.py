"""Set up a measure for an action, or correct its definition: baseline, direction, target."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ....formatting import number
from ....models import Measure
from ....models.enums import Direction, MeasureFrequency, TargetKind
from ....services.errors import ServiceError, ValidationError
from ....services.plans import measure_data
from ....services.plans.measure_data import MeasureInput
from ....services.plans.measures import target_value
from ...context import AppContext
from ...widgets.forms import (
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    select_data,
)


def parse_number(text: str) -> float | None:
    """ "12", "12.5", "90%" or " 3 " → a number; anything else → None."""
    cleaned = text.strip().rstrip("%").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


class MeasureDialog(GuardedDialog):
    """Set up a measure for an action (``measure_id`` None) or correct its definition."""

    what = "measure"

    def __init__(
        self,
        ctx: AppContext,
        action_id: int,
        measure_id: int | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Edit measure" if measure_id else "New measure")
        self.ctx = ctx
        self.action_id = action_id
        self.measure_id = measure_id
        self.name = QLineEdit()
        self.name.setPlaceholderText("For example: Late medicines entries per week")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("entries, %, days…")
        self.direction = combo_of(
            [
                ("Lower is better", Direction.LOWER.value),
                ("Higher is better", Direction.HIGHER.value),
            ]
        )
        self.frequency = combo_of(
            [("Weekly", MeasureFrequency.WEEKLY.value), ("Monthly", MeasureFrequency.MONTHLY.value)]
        )
        self.baseline = QLineEdit()
        self.baseline_period = QLineEdit()
        self.baseline_period.setPlaceholderText(
            "Where the baseline came from, e.g. 4 weeks of MAR review"
        )
        self.target_kind = combo_of(
            [
                ("An absolute value", TargetKind.ABSOLUTE.value),
                ("A % change from the baseline", TargetKind.RELATIVE.value),
            ]
        )
        self.target = QLineEdit()
        self.target_note = QLabel()
        self.target_note.setStyleSheet("color: #555;")
        self.target_date = OptionalDateEdit("By", ctx.today() + timedelta(weeks=8))
        self.data_source = QLineEdit()
        self.data_source.setPlaceholderText("Where the numbers come from")
        self.form = Form()
        self.form.add_field("name", "&Measure:", self.name)
        self.form.add_field("unit", "&Unit:", self.unit)
        self.form.add_field("direction", "&Direction:", self.direction)
        self.form.add_field("frequency", "&Frequency:", self.frequency)
        self.form.add_field("baseline_value", "&Baseline:", self.baseline)
        self.form.add_field("baseline_period", "Baseline &from:", self.baseline_period)
        self.form.add_field("target_kind", "Target &is:", self.target_kind)
        self.form.add_field("target_value", "&Target:", self.target)
        self.form.addRow("", self.target_note)
        self.form.add_field("target_date", "Target &date:", self.target_date)
        self.form.add_field("data_source", "Data &source:", self.data_source)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(560, 0)
        if measure_id is not None:
            with ctx.db.reading() as session:
                self._fill(measure_data.get_measure(session, measure_id))
        for w in (self.baseline, self.target):
            w.textChanged.connect(self._show_target)
        self.target_kind.currentIndexChanged.connect(self._show_target)
        self.direction.currentIndexChanged.connect(self._show_target)
        # A new measure's direction follows its kind until the manager picks one: a percentage
        # (of plans reviewed, of charts signed) is better higher, a count (late entries) lower.
        self._direction_chosen = measure_id is not None
        self.direction.activated.connect(self._direction_picked)
        self.unit.textChanged.connect(self._default_direction)
        self._show_target()
        self.mark_clean()

    def _direction_picked(self) -> None:
        self._direction_chosen = True

    def _default_direction(self) -> None:
        if self._direction_chosen:
            return
        percentage = self.unit.text().strip().lower() in {"%", "percent", "per cent", "percentage"}
        select_data(self.direction, Direction.HIGHER.value if percentage else Direction.LOWER.value)

    def _fill(self, m: Measure) -> None:
        self.name.setText(m.name)
        self.unit.setText(m.unit)
        select_data(self.direction, m.direction)
        select_data(self.frequency, m.frequency)
        self.baseline.setText(number(m.baseline_value))
        self.baseline_period.setText(m.baseline_period)
        select_data(self.target_kind, m.target_kind)
        self.target.setText(number(m.target_value))
        self.target_date.set_value(m.target_date)
        self.data_source.setText(m.data_source)

    def _show_target(self) -> None:
        baseline = parse_number(self.baseline.text())
        target = parse_number(self.target.text())
        kind = self.target_kind.currentData()
        if baseline is None or target is None:
            self.target_note.setText(
                "Enter −80 for “80 % fewer than the baseline”."
                if kind == TargetKind.RELATIVE
                else ""
            )
            return
        goal = target_value(baseline, kind, target)
        self.target_note.setText(f"The measure reaches its target at {number(goal)}.")

    def state(self) -> Hashable:
        return (
            self.name.text(),
            self.unit.text(),
            self.direction.currentData(),
            self.frequency.currentData(),
            self.baseline.text(),
            self.baseline_period.text(),
            self.target_kind.currentData(),
            self.target.text(),
            self.target_date.value(),
            self.data_source.text(),
        )

    def data(self) -> MeasureInput:
        return MeasureInput(
            name=self.name.text(),
            direction=self.direction.currentData(),
            baseline_value=parse_number(self.baseline.text()),
            target_kind=self.target_kind.currentData(),
            target_value=parse_number(self.target.text()),
            unit=self.unit.text(),
            baseline_period=self.baseline_period.text(),
            target_date=self.target_date.value(),
            data_source=self.data_source.text(),
            frequency=self.frequency.currentData(),
        )

    def save(self) -> bool:
        data = self.data()
        problems = {}
        if self.baseline.text().strip() and data.baseline_value is None:
            problems["baseline_value"] = "The baseline must be a number."
        if self.target.text().strip() and data.target_value is None:
            problems["target_value"] = "The target must be a number (−80 for 80 % fewer)."
        try:
            if problems:
                raise ValidationError(problems)
            with self.ctx.unit_of_work() as session:
                if self.measure_id is None:
                    measure = measure_data.create_measure(session, self.action_id, data)
                else:
                    measure = measure_data.update_measure(session, self.measure_id, data)
                saved = measure.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.measure_id = saved
        self.ctx.sig_data_changed.emit("measure")
        self.sig_saved.emit(saved)
        return True
