"""Raising an action from an incident, a complaint, feedback or a supervision in one step.

The action form arrives filled in from the record (what happened, who raised it, a date to put it
right) and saving links the record to the action, so the record shows its action and the action's
evidence can include it. Like every action it hangs off a finding: an open finding at the home, or
a new one in the home's "Incidents", "Complaints and feedback" or "Supervision" plan (made when
first needed).
Functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Complaint, Feedback, Finding, Incident, Person, Plan, Supervision
from ...models.enums import KeyQuestion, Origin, RiskArea
from ..errors import NotAllowed, NotFound, ValidationError
from ..plans.actions import ActionInput, create_action
from ..plans.plans import FindingInput, PlanInput, create_finding, create_plan
from ..trust.permissions import Permission, require
from .common import uk_date
from .feedback import link_as_evidence
from .supervision import link_as_evidence as supervision_as_evidence

KINDS = ("incident", "complaint", "feedback", "supervision")
DAYS_TO_PUT_RIGHT = 14
PLAN_FOR = {
    "incident": ("Incidents", Origin.INCIDENT.value, "Actions raised from incident reviews."),
    "complaint": (
        "Complaints and feedback",
        Origin.COMPLAINT.value,
        "Actions raised from complaints and feedback.",
    ),
    "feedback": (
        "Complaints and feedback",
        Origin.COMPLAINT.value,
        "Actions raised from complaints and feedback.",
    ),
    "supervision": (
        "Supervision",
        Origin.INTERNAL_AUDIT.value,
        "Actions agreed in staff supervision and competency checks.",
    ),
}
# Which key question and risk area a new finding starts with, by incident type or complaint
# category; the form lets the manager change them.
RISK_OF = {
    "Medication": RiskArea.MEDICINES,
    "Medicines": RiskArea.MEDICINES,
    "Safeguarding": RiskArea.SAFEGUARDING,
    "Safety and safeguarding": RiskArea.SAFEGUARDING,
    "Fall": RiskArea.SAFETY,
    "Injury": RiskArea.SAFETY,
    "Pressure damage": RiskArea.SAFETY,
    "Food and drink": RiskArea.NUTRITION,
    "Staff attitude": RiskArea.DIGNITY,
    "Care and support": RiskArea.CARE_PLANNING,
    "Communication": RiskArea.CARE_PLANNING,
    "Environment and cleanliness": RiskArea.INFECTION_CONTROL,
}


@dataclass
class RaiseInput:
    title: str
    accountable_lead_id: int | None
    due_date: date | None
    description: str = ""
    finding_id: int | None = None  # None: a new finding in the home's plan for this kind
    finding_title: str = ""
    key_question: str = KeyQuestion.SAFE.value
    risk_area: str = RiskArea.OTHER.value
    likelihood: int = 3
    impact: int = 3


@dataclass(frozen=True)
class Suggestion:
    data: RaiseInput
    findings: tuple[tuple[int, str], ...]  # (finding id, label): open findings at the home
    heading: str  # what the record is, e.g. "Complaint CMP-2026-0004, received 02/11/2026"
    plan_title: str  # where a new finding goes


Record = Incident | Complaint | Feedback | Supervision


def _record(session: Session, kind: str, record_id: int) -> Record:
    record: Record | None
    if kind == "incident":
        record = session.get(Incident, record_id)
    elif kind == "complaint":
        record = session.get(Complaint, record_id)
    elif kind == "feedback":
        record = session.get(Feedback, record_id)
    elif kind == "supervision":
        record = session.get(Supervision, record_id)
    else:
        raise NotFound(f"An action cannot be raised from a {kind}.")
    if record is None:
        raise NotFound(f"That {kind} no longer exists.")
    if record.action_id is not None:
        action = session.get(Action, record.action_id)
        ref = f"{action.reference} {action.title}" if action else "an action"
        raise NotAllowed(f"This {kind} is already linked to {ref}.")
    return record


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    head = text.split(". ")[0].rstrip(".")
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def suggest(session: Session, kind: str, record_id: int, today: date) -> Suggestion:
    """The pre-filled action form for a record."""
    record = _record(session, kind, record_id)
    if isinstance(record, Incident):
        heading = f"Incident {record.reference}, {uk_date(record.occurred_at.date())}"
        what = record.learning_point or record.description or record.incident_type
        theme = record.incident_type
        lines = [
            f"Raised from {heading}: {record.incident_type.lower()} ({record.severity.lower()}), "
            f"{record.person_ref}.",
            record.description,
            record.learning_point and f"Learning point: {record.learning_point}",
        ]
        key_question = KeyQuestion.SAFE.value
        lead = record.reviewer_id
    elif isinstance(record, Complaint):
        heading = f"{record.kind} {record.reference}, received {uk_date(record.received_on)}"
        what = record.learning or record.summary
        theme = record.category
        lines = [
            f"Raised from {heading} ({record.category.lower()}), from {record.from_type.lower()}.",
            record.summary,
            record.learning and f"Learning: {record.learning}",
        ]
        key_question = KeyQuestion.RESPONSIVE.value
        lead = record.handled_by_id
    elif isinstance(record, Supervision):
        person = session.get(Person, record.person_id)
        name = person.name if person else "staff member"
        heading = f"{record.kind} with {name}, {uk_date(record.held_on)}"
        what = record.outcome or record.focus or record.notes
        theme = ""
        lines = [
            f"Raised from the {heading}.",
            record.focus and f"Focus: {record.focus}",
            record.outcome and f"Agreed: {record.outcome}",
        ]
        key_question = KeyQuestion.WELL_LED.value
        lead = record.supervisor_id
    else:
        heading = f"Feedback from {record.source} on {uk_date(record.received_on)}"
        what = record.what_was_said
        theme = ""
        lines = [f"Raised from {heading} ({record.sentiment.lower()}).", record.what_was_said]
        key_question = KeyQuestion.RESPONSIVE.value
        lead = record.recorded_by_id
    risk = RISK_OF.get(theme, RiskArea.OTHER).value
    findings = list(
        session.scalars(
            select(Finding)
            .join(Plan, Finding.plan_id == Plan.id)
            .where(Plan.service_id == record.service_id, Plan.archived.is_(False))
            .order_by(Plan.id.desc(), Finding.id)
        )
    )
    chosen = next((f.id for f in findings if f.risk_area == risk and risk != "Other"), None)
    data = RaiseInput(
        title=_short(what),
        accountable_lead_id=lead,
        due_date=today + timedelta(days=DAYS_TO_PUT_RIGHT),
        description="\n".join(line for line in lines if line),
        finding_id=chosen,
        finding_title=f"{heading}: {_short(what, 120)}",
        key_question=key_question,
        risk_area=risk,
    )
    choices = tuple((f.id, f"{f.reference} {f.title} — {f.plan.title}") for f in findings)
    return Suggestion(data, choices, heading, PLAN_FOR[kind][0])


def _plan_for(session: Session, kind: str, service_id: int) -> Plan:
    title, origin, summary = PLAN_FOR[kind]
    plan = session.scalar(
        select(Plan).where(
            Plan.service_id == service_id,
            Plan.origin == origin,
            Plan.title == title,
            Plan.archived.is_(False),
        )
    )
    if plan is not None:
        return plan
    return create_plan(
        session, PlanInput(service_id=service_id, title=title, origin=origin, summary=summary)
    )


def raise_action(
    session: Session, kind: str, record_id: int, data: RaiseInput, *, today: date
) -> Action:
    """Create the action (and, if asked, its finding) and link the record to it."""
    require(session, Permission.EDIT_PLANS)
    record = _record(session, kind, record_id)
    if data.finding_id is not None:
        finding = session.get(Finding, data.finding_id)
        if finding is None or finding.plan.service_id != record.service_id:
            raise ValidationError.single("finding_id", "Choose a finding at this care home.")
        finding_id = finding.id
    else:
        plan = _plan_for(session, kind, record.service_id)
        try:
            finding_id = create_finding(
                session,
                plan.id,
                FindingInput(
                    title=data.finding_title or data.title,
                    key_question=data.key_question,
                    risk_area=data.risk_area,
                    likelihood=data.likelihood,
                    impact=data.impact,
                    description=data.description,
                ),
            ).id
        except ValidationError as exc:
            raise ValidationError({f"finding.{k}": v for k, v in exc.errors.items()}) from exc
    action = create_action(
        session,
        finding_id,
        ActionInput(
            title=data.title,
            accountable_lead_id=data.accountable_lead_id,
            due_date=data.due_date,
            description=data.description,
        ),
        today=today,
    )
    record.action_id = action.id
    session.flush()
    if isinstance(record, Feedback):
        link_as_evidence(session, record, today)  # linked feedback is evidence for its action
    elif isinstance(record, Supervision):
        supervision_as_evidence(session, record, today)
    return action
