"""Defining a measure worked out from records: a count or percentage of tracker rows, incidents or
observations matching conditions, per week or month, with its baseline and target."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...models.enums import Direction, MeasureFrequency, TargetKind
from ...services.errors import ServiceError, ValidationError
from ...services.plans.measure_data import MeasureInput
from ...services.records import derived_measures as dm
from ...services.records.derived_rules import NO_VALUE, OPERATORS, OPS_BY_TYPE, FieldSpec, Rule
from ...services.records.listing import action_choices
from ..context import AppContext
from ..widgets.forms import (
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    select_data,
)
from ..widgets.signed_in import actor_of, muted
from .common import button, keep_rows_compact

MAX_RULES = 4


class RuleRow(QWidget):
    """One condition: field, test and value."""

    def __init__(self, fields: list[FieldSpec], rule: Rule | None = None) -> None:
        super().__init__()
        self.fields = {f.key: f for f in fields}
        self.field = combo_of([(f.label, f.key) for f in fields])
        self.op = QComboBox()
        self.value = QLineEdit()
        self.value.setPlaceholderText("value")
        self.field.setAccessibleName("Field")
        self.op.setAccessibleName("Test")
        self.value.setAccessibleName("Value")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 2)
        row.addWidget(self.op, 1)
        row.addWidget(self.value, 1)
        self.field.currentIndexChanged.connect(lambda _i: self._fill_ops())
        self.op.currentIndexChanged.connect(lambda _i: self._show_value())
        if rule is not None:
            select_data(self.field, rule.field)
        self._fill_ops()
        if rule is not None:
            select_data(self.op, rule.op)
            self.value.setText("" if rule.value is None else str(rule.value))

    def _fill_ops(self) -> None:
        spec = self.fields.get(self.field.currentData())
        self.op.clear()
        for op in OPS_BY_TYPE[spec.type] if spec else ():
            self.op.addItem(OPERATORS[op], op)
        hint = {"yes/no": "Yes or No", "date": "dd/mm/yyyy", "time": "HH:MM"}.get(
            spec.type if spec else "", ", ".join(spec.choices) if spec and spec.choices else "value"
        )
        self.value.setPlaceholderText(hint)
        self._show_value()

    def _show_value(self) -> None:
        self.value.setVisible(self.op.currentData() not in NO_VALUE)

    def rule(self) -> Rule:
        value = None if self.op.currentData() in NO_VALUE else self.value.text()
        return Rule(self.field.currentData() or "", self.op.currentData() or "", value)


class RuleList(QWidget):
    def __init__(self, fields: list[FieldSpec], rules: list[Rule]) -> None:
        super().__init__()
        self.fields = fields
        self.rows: list[RuleRow] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.add_button = button("Add a condition", self.add)
        self.remove_button = button("Remove the last", self.remove)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.column.addLayout(buttons)
        for rule in rules:
            self.add(rule)
        self._enable()

    def add(self, rule: Rule | None = None) -> None:
        if len(self.rows) >= MAX_RULES or not self.fields:
            return
        row = RuleRow(self.fields, rule)
        self.rows.append(row)
        self.column.insertWidget(len(self.rows) - 1, row)
        self._enable()

    def remove(self) -> None:
        if self.rows:
            self.rows.pop().deleteLater()
        self._enable()

    def _enable(self) -> None:
        self.add_button.setEnabled(len(self.rows) < MAX_RULES)
        self.remove_button.setEnabled(bool(self.rows))

    def rules(self) -> tuple[Rule, ...]:
        return tuple(r.rule() for r in self.rows)


class DerivedMeasureDialog(GuardedDialog):
    what = "measure"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        source: str,
        *,
        tracker_id: int | None = None,
    ) -> None:
        super().__init__(parent, "New measure from records")
        self.ctx = ctx
        self.source = source
        self.tracker_id = tracker_id
        self.measure_id: int | None = None
        self.setMinimumWidth(700)
        with ctx.db.reading() as session:
            fields = dm.fields_for(session, source, tracker_id)
            self.actions = action_choices(session, service_id)
            what = dm.describe(session, dm.Derivation(source, "count", tracker_id=tracker_id))
        self.action = combo_of([(a.label, a.id) for a in self.actions], blank="(choose the action)")
        self.name = QLineEdit()
        self.count = QRadioButton("A &count of records")
        self.percent = QRadioButton("A &percentage of records")
        group = QButtonGroup(self)
        group.addButton(self.count)
        group.addButton(self.percent)
        kind = QWidget()
        kl = QHBoxLayout(kind)
        kl.setContentsMargins(0, 0, 0, 0)
        kl.addWidget(self.count)
        kl.addWidget(self.percent)
        kl.addStretch(1)
        preset = [Rule("learning_within_7_days", "=", "Yes")] if source == "incidents" else []
        numbers = [f for f in fields if f.type == "number"]
        if source == "tracker" and numbers:
            preset = [Rule(numbers[0].key, ">", None)]  # e.g. Minutes late is more than …
        self.where = RuleList(fields, preset)
        self.of = RuleList(fields, [])
        self.frequency = combo_of(
            [
                ("Per week", MeasureFrequency.WEEKLY.value),
                ("Per month", MeasureFrequency.MONTHLY.value),
            ]
        )
        self.direction = combo_of(
            [
                ("Lower is better", Direction.LOWER.value),
                ("Higher is better", Direction.HIGHER.value),
            ]
        )
        self.baseline = QLineEdit()
        self.baseline.setPlaceholderText("e.g. 15")
        self.baseline_period = QLineEdit()
        self.baseline_period.setPlaceholderText("e.g. 4 weeks of MAR review before the action")
        self.target_kind = combo_of(
            [
                ("A value to reach", TargetKind.ABSOLUTE.value),
                ("A % change from the baseline", TargetKind.RELATIVE.value),
            ]
        )
        self.target = QLineEdit()
        self.target.setPlaceholderText("e.g. 3, or -80 for 80 % fewer")
        self.target_date = OptionalDateEdit("By", ctx.today())
        self.described = muted(what)
        f = self.form = Form()
        f.add_field("action_id", "For &action:", self.action)
        f.add_field("name", "&Name:", self.name)
        f.add_field("statistic", "&What:", kind)
        f.add_field("where", "Records &where:", self.where, hint=f"From: {what.split(',')[0]}")
        f.add_field(
            "of",
            "Out of records where:",
            self.of,
            hint="For a percentage; leave empty for all records.",
        )
        f.add_field("frequency", "&Counted:", self.frequency)
        f.add_field("direction", "&Direction:", self.direction)
        f.add_field("baseline_value", "&Baseline:", self.baseline)
        f.add_field("baseline_period", "Baseline &period:", self.baseline_period)
        f.add_field("target_kind", "&Target type:", self.target_kind)
        f.add_field("target_value", "Tar&get:", self.target)
        f.add_field("target_date", "Target &date:", self.target_date)
        keep_rows_compact(f)
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.count.toggled.connect(lambda _on: self._kind_changed())
        (self.percent if source == "incidents" else self.count).setChecked(True)
        if source == "incidents":
            select_data(self.direction, Direction.HIGHER.value)
            self.name.setText("% incidents reviewed with action and learning within 7 days")
            self.target.setText("100")
        self._kind_changed()
        self.mark_clean()

    def _kind_changed(self) -> None:
        self.of.setEnabled(self.percent.isChecked())

    def derivation(self) -> dm.Derivation:
        statistic = "percent" if self.percent.isChecked() else "count"
        return dm.Derivation(
            self.source,
            statistic,
            self.where.rules(),
            self.of.rules() if statistic == "percent" else (),
            tracker_id=self.tracker_id,
        )

    def _number(self, text: str) -> float | None:
        try:
            return float(text.strip().replace(",", ""))
        except ValueError:
            return None

    def state(self) -> Hashable:
        return (
            self.action.currentData(),
            self.name.text(),
            repr(self.derivation()),
            self.frequency.currentData(),
            self.direction.currentData(),
            self.baseline.text(),
            self.baseline_period.text(),
            self.target_kind.currentData(),
            self.target.text(),
            self.target_date.value(),
        )

    def save(self) -> bool:
        action_id = self.action.currentData()
        if action_id is None:
            self.show_validation(
                self.form, ValidationError({"action_id": "Choose the action this measure is for."})
            )
            return False
        data = MeasureInput(
            name=self.name.text(),
            direction=self.direction.currentData(),
            baseline_value=self._number(self.baseline.text()),
            target_kind=self.target_kind.currentData(),
            target_value=self._number(self.target.text()),
            baseline_period=self.baseline_period.text(),
            target_date=self.target_date.value(),
            frequency=self.frequency.currentData(),
        )
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                measure = dm.create_derived_measure(
                    session, action_id, data, self.derivation(), self.ctx.today()
                )
                self.measure_id = measure.id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Measure", exc)
            return False
        return True
