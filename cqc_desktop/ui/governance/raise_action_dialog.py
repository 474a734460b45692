"""Raising an action from a failed audit question in one step: the form arrives filled in."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import AuditAnswer
from ...models.enums import KeyQuestion, RiskArea
from ...services.errors import ServiceError, ValidationError
from ...services.governance.audit_actions import (
    INTERNAL_AUDIT_PLAN,
    RaiseActionInput,
    raise_action_from_answer,
    suggest_action,
)
from ...services.governance.audit_runs import get_run
from ..context import AppContext
from ..widgets.forms import DateEdit, Form, GuardedDialog, report_problem, select_data, text_box
from ..widgets.signed_in import actor_of, fill_people, muted

NEW_FINDING = -1


class RaiseActionDialog(GuardedDialog):
    """The action form, filled in from the failed question; saving links it to the answer."""

    what = "action"

    def __init__(self, ctx: AppContext, parent: QWidget | None, answer_id: int) -> None:
        super().__init__(parent, "Raise an action from a “No”")
        self.ctx = ctx
        self.answer_id = answer_id
        self.action_id: int | None = None
        self.title = QLineEdit()
        self.description = text_box(4)
        self.lead = QComboBox()
        self.due = DateEdit(ctx.today())
        self.finding = QComboBox()
        self.finding_title = QLineEdit()
        self.key_question = QComboBox()
        for value in KeyQuestion:
            self.key_question.addItem(value.value, value.value)
        self.risk_area = QComboBox()
        for value in RiskArea:
            self.risk_area.addItem(value.value, value.value)
        self.likelihood = QSpinBox()
        self.impact = QSpinBox()
        for spin in (self.likelihood, self.impact):
            spin.setRange(1, 5)
        with ctx.db.reading() as session:
            suggestion = suggest_action(session, answer_id, ctx.today())
            data = suggestion.data
            run = get_run(session, _run_id(session, answer_id))
            fill_people(
                self.lead,
                session,
                run.service_id,
                blank="— choose one lead —",
                selected=data.accountable_lead_id,
            )
            heading = f"{run.template.name}, {uk_date(run.run_on)}"
        for choice in suggestion.findings:
            self.finding.addItem(choice.label, choice.finding_id)
        self.finding.addItem(f"New finding in “{INTERNAL_AUDIT_PLAN}”", NEW_FINDING)
        select_data(self.finding, data.finding_id if data.finding_id is not None else NEW_FINDING)
        self.title.setText(data.title)
        self.description.setPlainText(data.description)
        self.due.set_value(data.due_date or ctx.today())
        self.finding_title.setText(data.finding_title)
        select_data(self.key_question, data.key_question)
        select_data(self.risk_area, data.risk_area)
        self.likelihood.setValue(data.likelihood)
        self.impact.setValue(data.impact)
        self.form = Form()
        self.form.add_field("title", "&Action:", self.title)
        self.form.add_field(
            "accountable_lead", "Accountable &lead:", self.lead, hint="One person, never a team."
        )
        self.form.add_field("due_date", "&Due:", self.due)
        self.form.add_field("description", "&What was found:", self.description)
        self.form.add_field("finding_id", "&Finding:", self.finding)
        self.new_form = Form()
        self.new_form.add_field("finding.title", "Finding &title:", self.finding_title)
        self.new_form.add_field("finding.key_question", "&Key question:", self.key_question)
        self.new_form.add_field("finding.risk_area", "&Risk area:", self.risk_area)
        self.new_form.add_field("finding.likelihood", "L&ikelihood (1–5):", self.likelihood)
        self.new_form.add_field("finding.impact", "I&mpact (1–5):", self.impact)
        self.new_box = QWidget()
        self.new_box.setLayout(self.new_form)
        self.save_button.setText("&Raise action")
        layout = QVBoxLayout(self)
        layout.addWidget(muted(f"From the {heading}. The action is linked to this question."))
        layout.addLayout(self.form)
        layout.addWidget(self.new_box)
        layout.addStretch(1)  # keep the form together when the new-finding fields are hidden
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.finding.currentIndexChanged.connect(self._finding_changed)
        self._finding_changed()
        self.resize(680, 460)
        self.mark_clean()

    def _finding_changed(self) -> None:
        self.new_box.setVisible(self.finding.currentData() == NEW_FINDING)

    def state(self) -> Hashable:
        return (
            self.title.text(),
            self.description.toPlainText(),
            self.lead.currentData(),
            self.due.value(),
            self.finding.currentData(),
            self.finding_title.text(),
            self.key_question.currentData(),
            self.risk_area.currentData(),
            self.likelihood.value(),
            self.impact.value(),
        )

    def save(self) -> bool:
        new = self.finding.currentData() == NEW_FINDING
        data = RaiseActionInput(
            title=self.title.text(),
            accountable_lead_id=self.lead.currentData(),
            due_date=self.due.value(),
            description=self.description.toPlainText(),
            finding_id=None if new else self.finding.currentData(),
            finding_title=self.finding_title.text(),
            key_question=self.key_question.currentData(),
            risk_area=self.risk_area.currentData(),
            likelihood=self.likelihood.value(),
            impact=self.impact.value(),
        )
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                action = raise_action_from_answer(
                    session, self.answer_id, data, today=self.ctx.today()
                )
                self.action_id = action.id
        except ValidationError as exc:
            self.show_validation([self.form, self.new_form], exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        assert self.action_id is not None
        self.sig_saved.emit(self.action_id)
        return True


def _run_id(session: Session, answer_id: int) -> int:
    answer = session.get(AuditAnswer, answer_id)
    assert answer is not None
    return answer.run_id
