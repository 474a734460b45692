"""A practice observation: what a senior saw, against the area's prompts, the outcome, the feedback
given and any follow-up. Linked to an action, it counts as evidence (source: staff observation)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...models import Observation
from ...models.enums import ObservationArea, Outcome, Shift
from ...services.errors import ServiceError, ValidationError
from ...services.records import logs
from ...services.setup import people
from ..context import AppContext
from ..widgets.forms import (
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_people
from .common import fill_actions

ANSWERS = ("", "Yes", "No", "N/A")


class ObservationDialog(GuardedDialog):
    what = "observation"

    def __init__(
        self, parent: QWidget | None, ctx: AppContext, service_id: int, observation_id: int | None
    ) -> None:
        super().__init__(
            parent, "New practice observation" if observation_id is None else "Practice observation"
        )
        self.ctx = ctx
        self.service_id = service_id
        self.observation_id = observation_id
        self.setMinimumSize(760, 680)
        self.form = Form()
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setCalendarPopup(True)
        now = datetime.combine(ctx.today(), datetime.now().time().replace(second=0, microsecond=0))
        self.when.setDateTime(QDateTime(now))
        self.shift = combo_of([(s.value, s.value) for s in Shift], blank="(shift)")
        self.observer = QComboBox()
        self.staff = QLineEdit()
        self.staff.setPlaceholderText("Who was observed")
        self.area = combo_of([(a.value, a.value) for a in ObservationArea])
        self.outcome_group = QButtonGroup(self)
        outcome_row = QWidget()
        ol = QHBoxLayout(outcome_row)
        ol.setContentsMargins(0, 0, 0, 0)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for outcome in Outcome:
            radio = QRadioButton(outcome.value)
            self.outcome_group.addButton(radio)
            self.outcome_buttons[outcome.value] = radio
            ol.addWidget(radio)
        ol.addStretch(1)
        self.prompts_box = QGroupBox("Prompts for this area (Yes, No or N/A)")
        self.prompts_layout = QFormLayout(self.prompts_box)
        self.prompts_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.prompt_combos: dict[str, QComboBox] = {}
        self.seen = text_box(3, "What you saw, in plain words")
        self.feedback = text_box(2, "What you told the staff member")
        self.follow_up = text_box(2, "What will happen next, if not fully met")
        self.follow_up_due = OptionalDateEdit("Due on", ctx.today())
        self.action = QComboBox()
        self.care_plan = QLineEdit()
        self.care_plan.setPlaceholderText("Care-plan reference, e.g. Rm 4 mobility plan")
        f = self.form
        f.add_field(
            "observed_at",
            "&When:",
            self._row(self.when, QLabel("Shift:"), self.shift),
            aliases=("shift",),
        )
        f.add_field("observer_id", "O&bserver:", self.observer)
        f.add_field("staff_observed", "&Staff observed:", self.staff)
        f.add_field("area", "&Area:", self.area)
        f.add_field("prompt_results", "", self.prompts_box)
        f.add_field("outcome", "&Outcome:", outcome_row)
        f.add_field("what_was_seen", "What was s&een:", self.seen)
        f.add_field("feedback_given", "&Feedback given:", self.feedback)
        f.add_field("follow_up", "Follow-&up:", self.follow_up)
        f.add_field("follow_up_due", "Follow-up &due:", self.follow_up_due)
        f.add_field(
            "action_id",
            "Linked a&ction:",
            self.action,
            hint="A linked observation counts as evidence for the action (source: staff observation).",
        )
        f.add_field("care_plan_ref", "Care &plan:", self.care_plan)
        body = QWidget()
        body.setLayout(f)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.area.currentIndexChanged.connect(lambda _i: self._show_prompts({}))
        with ctx.db.reading() as session:
            observation = session.get(Observation, observation_id) if observation_id else None
            fill_people(
                self.observer,
                session,
                service_id,
                blank="(choose)",
                selected=observation.observer_id if observation else None,
            )
            if observation is None:
                self.observer.setCurrentIndex(0)
            names = [p.name for p in people.list_people(session, service_id=service_id)]
            self.staff.setCompleter(QCompleter(names, self.staff))
            fill_actions(
                self.action, session, service_id, observation.action_id if observation else None
            )
            if observation is not None:
                self._load(observation)
            else:
                self._show_prompts({})
        self.mark_clean()

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return holder

    def _show_prompts(self, answers: dict[str, str]) -> None:
        while self.prompts_layout.rowCount():
            self.prompts_layout.removeRow(0)
        self.prompt_combos = {}
        for prompt in logs.observation_prompts(self.area.currentData()):
            combo = QComboBox()
            for answer in ANSWERS:
                combo.addItem(answer or "—", answer)
            combo.setAccessibleName(prompt)
            combo.setFixedWidth(combo.fontMetrics().horizontalAdvance("N/A") + 56)
            select_data(combo, answers.get(prompt, ""))
            label = QLabel(prompt)
            label.setWordWrap(True)
            label.setBuddy(combo)
            self.prompts_layout.addRow(label, combo)
            self.prompt_combos[prompt] = combo

    def _load(self, o: Observation) -> None:
        self.when.setDateTime(QDateTime(o.observed_at))
        select_data(self.shift, o.shift or None)
        self.staff.setText(o.staff_observed)
        self.area.blockSignals(True)
        select_data(self.area, o.area)
        self.area.blockSignals(False)
        self._show_prompts(dict(o.prompt_results))
        self.outcome_buttons[o.outcome].setChecked(True)
        self.seen.setPlainText(o.what_was_seen)
        self.feedback.setPlainText(o.feedback_given)
        self.follow_up.setPlainText(o.follow_up)
        self.follow_up_due.set_value(o.follow_up_due)
        self.care_plan.setText(o.care_plan_ref)

    def outcome(self) -> str:
        checked = self.outcome_group.checkedButton()
        return checked.text() if checked is not None else ""

    def answers(self) -> dict[str, str | bool]:
        return {p: c.currentData() for p, c in self.prompt_combos.items() if c.currentData()}

    def data(self) -> logs.ObservationInput:
        return logs.ObservationInput(
            observed_at=self.when.dateTime().toPython().replace(second=0, microsecond=0),  # type: ignore[union-attr]
            area=self.area.currentData(),
            outcome=self.outcome(),
            observer_id=self.observer.currentData(),
            staff_observed=self.staff.text(),
            what_was_seen=self.seen.toPlainText(),
            feedback_given=self.feedback.toPlainText(),
            follow_up=self.follow_up.toPlainText(),
            follow_up_due=self.follow_up_due.value(),
            shift=self.shift.currentData() or "",
            prompt_results=self.answers(),
            action_id=self.action.currentData(),
            care_plan_ref=self.care_plan.text(),
        )

    def state(self) -> Hashable:
        d = self.data()
        return (
            *(v for k, v in vars(d).items() if k != "prompt_results"),
            tuple(sorted(self.answers().items())),
        )

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.observation_id is None:
                    saved = logs.add_observation(
                        session, self.service_id, data, today=self.ctx.today()
                    ).id
                else:
                    saved = logs.update_observation(
                        session, self.observation_id, data, today=self.ctx.today()
                    ).id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Observation", exc)
            return False
        self.observation_id = saved
        self.sig_saved.emit(saved)
        return True
