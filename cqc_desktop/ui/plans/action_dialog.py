"""Create or edit an action: one accountable lead, a due date, the review cycle (from the finding's
risk unless overridden), its steps, and how the change will be watched once made."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, timedelta

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...formatting import uk_date
from ...models import Action
from ...models.enums import ReviewFrequency
from ...services.errors import ConflictError, ServiceError, ValidationError
from ...services.plans import actions, plans
from ...services.plans.actions import ActionInput, StepInput
from ...services.plans.scheduling import slowest_allowed
from ...services.setup import people
from ..context import AppContext
from ..widgets.conflict_dialog import ConflictChoice, ask_about_conflict
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
    top_aligned,
)
from .action_dialog_steps import StepsEditor

DEFAULT_DUE_DAYS = 56  # eight weeks: long enough to measure a change, short enough to matter


class ActionDialog(GuardedDialog):
    """New action for a finding (``action_id`` None) or edit an existing one."""

    what = "action"

    def __init__(
        self,
        ctx: AppContext,
        finding_id: int,
        action_id: int | None = None,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Edit action" if action_id else "New action")
        self.ctx = ctx
        self.finding_id = finding_id
        self.action_id = action_id
        today = ctx.today()
        with ctx.db.reading() as session:
            finding = plans.get_finding(session, finding_id)
            service_id = finding.plan.service_id
            suggested = actions.suggested_frequency(finding)
            slowest = slowest_allowed(finding.risk_area)
            context = (
                f"<b>{finding.reference} {finding.title}</b><br>{finding.key_question} · "
                f"{finding.risk_area} · risk score {finding.score} ({finding.rag})"
            )
            staff = [
                (f"{p.name} — {p.role}" if p.role else p.name, p.id)
                for p in people.list_people(session, service_id=service_id)
            ]
            action = actions.get_action(session, action_id) if action_id else None
            if action is not None and action.accountable_lead_id not in {i for _, i in staff}:
                lead = action.accountable_lead
                staff.append((f"{lead.name} (left)", lead.id))
            loaded = self._snapshot(action) if action is not None else None
            # The version the form was opened at: a save made after someone else's is refused.
            self.seen_version = action.version if action is not None else None
        self.suggested = suggested
        self.loaded = loaded

        self.context_label = QLabel(context)
        self.context_label.setWordWrap(True)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Left blank: numbered A1, A2, …")
        self.reference.setMaxLength(20)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText("What will be done")
        self.description = text_box(3)
        self.lead = combo_of(
            staff,
            blank="Choose the accountable lead…"
            if staff
            else "No staff yet — add staff or import your staff list (Administration ▸ Staff)",
        )
        if not staff:
            self.lead.setToolTip(
                "An action needs one accountable lead from the home's staff list. Add staff in "
                "Administration ▸ Staff (or ask a manager), then choose the lead here."
            )
        self.due = DateEdit(today)
        self.due.set_value(today + timedelta(days=DEFAULT_DUE_DAYS))
        self.frequency = combo_of(
            [
                (f.value + (" (suggested for this risk)" if f is suggested else ""), f.value)
                for f in ReviewFrequency
            ]
        )
        select_data(self.frequency, suggested.value)
        self.warning_signs = text_box(2, "What would show it is slipping")
        self.escalation = text_box(2, "Who is told, and when, if it slips")
        self.oversight = text_box(2, "Who keeps checking once it is done, how and how often")
        self.triggers = text_box(2, "What would reopen it")
        self.steps = StepsEditor(staff, today)

        left = Form()
        left.add_field("reference", "&Reference:", self.reference)
        left.add_field("title", "&Action:", self.title_edit)
        left.add_field("description", "&Detail:", self.description)
        left.add_field("accountable_lead", "Accountable &lead:", self.lead)
        left.add_field("due_date", "D&ue by:", self.due)
        left.add_field(
            "review_frequency",
            "Re&viewed:",
            self.frequency,
            hint=f"{finding_risk_note(slowest)}",
        )
        right = Form()
        right.add_field("early_warning_signs", "&Warning signs:", self.warning_signs)
        right.add_field("escalation_route", "&Escalation:", self.escalation)
        right.add_field("oversight_plan", "&Oversight plan:", self.oversight)
        right.add_field("triggers", "&Triggers:", self.triggers)
        steps_form = Form()
        steps_form.add_field("steps", "&Steps:", self.steps)
        self.forms = [left, right, steps_form]

        columns = QHBoxLayout()
        columns.addLayout(top_aligned(left), 1)
        columns.addSpacing(16)
        columns.addLayout(top_aligned(right), 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.context_label)
        layout.addLayout(columns)
        layout.addLayout(steps_form, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(1120, 660)

        if loaded is not None:
            self._fill(loaded)
        self.mark_clean()

    @staticmethod
    def _snapshot(a: Action) -> dict[str, object]:
        return {
            "reference": a.reference,
            "title": a.title,
            "description": a.description,
            "lead": a.accountable_lead_id,
            "due": a.due_date,
            "frequency": a.review_frequency,
            "warning": a.early_warning_signs,
            "escalation": a.escalation_route,
            "oversight": a.oversight_plan,
            "triggers": a.triggers,
            "steps": [
                StepInput(s.description, s.owner_id, s.recorded_in, s.due_date, s.done_on)
                for s in a.steps
            ],
        }

    def _fill(self, v: dict[str, object]) -> None:
        self.reference.setText(str(v["reference"]))
        self.title_edit.setText(str(v["title"]))
        self.title_edit.setCursorPosition(0)
        self.description.setPlainText(str(v["description"]))
        select_data(self.lead, v["lead"])
        self.due.set_value(v["due"])  # type: ignore[arg-type]
        select_data(self.frequency, v["frequency"])
        self.warning_signs.setPlainText(str(v["warning"]))
        self.escalation.setPlainText(str(v["escalation"]))
        self.oversight.setPlainText(str(v["oversight"]))
        self.triggers.setPlainText(str(v["triggers"]))
        self.steps.set_steps(v["steps"])  # type: ignore[arg-type]

    def _current(self) -> dict[str, object]:
        """The form's fields in the shape of ``_snapshot``."""
        return {
            "reference": self.reference.text(),
            "title": self.title_edit.text(),
            "description": self.description.toPlainText(),
            "lead": self.lead.currentData(),
            "due": self.due.value(),
            "frequency": self.frequency.currentData(),
            "warning": self.warning_signs.toPlainText(),
            "escalation": self.escalation.toPlainText(),
            "oversight": self.oversight.toPlainText(),
            "triggers": self.triggers.toPlainText(),
            "steps": self.steps.steps(),
        }

    def _shown(self, key: str, value: object) -> str:
        if key == "lead":
            at = self.lead.findData(value)
            return self.lead.itemText(at) if at >= 0 else ""
        if key == "due":
            return uk_date(value) if isinstance(value, date) else ""
        if key == "steps":
            return "\n".join(s.description for s in value)  # type: ignore[attr-defined]
        return str(value or "")

    def _resolve_conflict(self, error: ConflictError) -> None:
        """Someone saved this action after the form was opened. Offer to show their change, or
        to load it and put back on top of it every field changed in this form."""
        assert self.action_id is not None and self.loaded is not None
        with self.ctx.db.reading() as session:
            action = actions.get_action(session, self.action_id)
            theirs, version = self._snapshot(action), action.version
        mine, base = self._current(), self.loaded
        differences = [
            (label, self._shown(key, theirs[key]), self._shown(key, mine[key]))
            for key, label in FIELD_LABELS.items()
            if theirs[key] != base[key] or mine[key] != base[key]
        ]
        if ask_about_conflict(self, error, differences) is not ConflictChoice.REAPPLY:
            # The form stays as typed; saving it still needs their change loaded first, or the
            # fields this form did not touch would put back what they replaced.
            self.general_error.set_error(
                f"{error} Your form is as you left it (nothing saved): press Save to choose again."
            )
            return
        self._fill({k: mine[k] if mine[k] != base[k] else theirs[k] for k in theirs})
        self.loaded, self.seen_version = theirs, version
        self.general_error.set_error(
            "Their change is loaded and yours is put back on top of it. Check the form, then "
            "press Save."
        )

    def state(self) -> Hashable:
        return (
            self.reference.text(),
            self.title_edit.text(),
            self.description.toPlainText(),
            self.lead.currentData(),
            self.due.value(),
            self.frequency.currentData(),
            self.warning_signs.toPlainText(),
            self.escalation.toPlainText(),
            self.oversight.toPlainText(),
            self.triggers.toPlainText(),
            self.steps.state(),
        )

    def data(self) -> ActionInput:
        return ActionInput(
            title=self.title_edit.text(),
            accountable_lead_id=self.lead.currentData(),
            due_date=self.due.value(),
            review_frequency=self.frequency.currentData(),
            description=self.description.toPlainText(),
            reference=self.reference.text(),
            early_warning_signs=self.warning_signs.toPlainText(),
            escalation_route=self.escalation.toPlainText(),
            oversight_plan=self.oversight.toPlainText(),
            triggers=self.triggers.toPlainText(),
            steps=self.steps.steps(),
        )

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.unit_of_work() as session:
                if self.action_id is None:
                    action = actions.create_action(
                        session, self.finding_id, data, today=self.ctx.today()
                    )
                else:
                    action = actions.update_action(
                        session, self.action_id, data, seen_version=self.seen_version
                    )
                saved_id, self.seen_version = action.id, action.version
        except ValidationError as exc:
            self.show_validation(self.forms, exc)
            return False
        except ConflictError as exc:
            self._resolve_conflict(exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.action_id = saved_id
        self.ctx.sig_data_changed.emit("action")
        self.sig_saved.emit(saved_id)
        return True


FIELD_LABELS = {
    "reference": "Reference",
    "title": "Action",
    "description": "Detail",
    "lead": "Accountable lead",
    "due": "Due by",
    "frequency": "Reviewed",
    "warning": "Warning signs",
    "escalation": "Escalation",
    "oversight": "Oversight plan",
    "triggers": "Triggers",
    "steps": "Steps",
}


def finding_risk_note(slowest: ReviewFrequency) -> str:
    if slowest is ReviewFrequency.FORTNIGHTLY:
        return "This risk area is reviewed at least fortnightly."
    return "Pre-filled from the finding's risk; change it if you need to."
