"""Turning audit results into work and evidence: an action from a "No", a run as evidence.

A failed question becomes an action in one step: the form arrives filled in (the question, the
auditor's comment, a lead and a date) and the action is linked back to the answer, so the next run
shows whether the thing was put right. It hangs off a finding like every action does: the finding
of the action the audit was checking, another open finding at the home, or a new finding in the
home's "Internal audits" plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Action, AuditAnswer, AuditRun, Evidence, Finding, Plan
from ...models.enums import AuditAnswerValue, KeyQuestion, Origin, RiskArea, Supports
from ..errors import NotAllowed, NotFound, ValidationError
from ..plans.actions import ActionInput, create_action
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.plans import FindingInput, PlanInput, create_finding, create_plan
from ..trust.permissions import Permission, require
from .audit_runs import get_run, run_score
from .audits import percent_text, questions

INTERNAL_AUDIT_PLAN = "Internal audits"
DEFAULT_DAYS_TO_PUT_RIGHT = 14


@dataclass
class RaiseActionInput:
    title: str
    accountable_lead_id: int | None
    due_date: date | None
    description: str = ""
    # An existing finding, or None to add a new finding to the home's internal audit plan.
    finding_id: int | None = None
    finding_title: str = ""
    key_question: str = KeyQuestion.SAFE.value
    risk_area: str = RiskArea.OTHER.value
    likelihood: int = 3
    impact: int = 3


@dataclass(frozen=True)
class FindingChoice:
    finding_id: int
    label: str


@dataclass(frozen=True)
class ActionSuggestion:
    data: RaiseActionInput
    findings: tuple[FindingChoice, ...]  # open findings at the run's home


def _answer(session: Session, answer_id: int) -> AuditAnswer:
    answer = session.get(AuditAnswer, answer_id)
    if answer is None:
        raise NotFound("That audit answer no longer exists.")
    if answer.answer != AuditAnswerValue.NO:
        raise NotAllowed("Only a question answered “No” raises an action.")
    if answer.action_id is not None:
        action = session.get(Action, answer.action_id)
        ref = f"{action.reference} {action.title}" if action else "an action"
        raise NotAllowed(f"An action was already raised from this answer: {ref}.")
    return answer


def _short(text: str, limit: int = 110) -> str:
    """The question's main clause: up to the first bracket or full stop, within ``limit``."""
    cut = min((i for i in (text.find(" ("), text.find(". ")) if i > 8), default=len(text))
    head = text[:cut].rstrip(".")
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def _findings(session: Session, service_id: int) -> list[Finding]:
    return list(
        session.scalars(
            select(Finding)
            .join(Plan, Finding.plan_id == Plan.id)
            .where(Plan.service_id == service_id, Plan.archived.is_(False))
            .order_by(Plan.id.desc(), Finding.id)
        )
    )


def suggest_action(session: Session, answer_id: int, today: date) -> ActionSuggestion:
    """The pre-filled "raise an action" form for a "No"."""
    answer = _answer(session, answer_id)
    run = answer.run
    definition = run.template.definition
    question = next(q for q in questions(definition) if q.key == answer.question_key)
    findings = _findings(session, run.service_id)
    risk_area = str(definition.get("risk_area") or RiskArea.OTHER.value)
    chosen: int | None = None
    if run.action_id is not None:
        linked = session.get(Action, run.action_id)
        if linked is not None and any(f.id == linked.finding_id for f in findings):
            chosen = linked.finding_id
    if chosen is None:
        chosen = next((f.id for f in findings if f.risk_area == risk_area), None)
    lines = [
        f"Raised from the {run.template.name} on {uk_date(run.run_on)} "
        f"({question.section}, question {question.number}): {question.text}"
    ]
    if answer.comment:
        lines.append(f"Auditor's comment: {answer.comment}")
    if answer.evidence_note:
        lines.append(f"Evidence seen: {answer.evidence_note}")
    data = RaiseActionInput(
        title=_short(question.text),
        accountable_lead_id=run.auditor_id,
        due_date=today + timedelta(days=DEFAULT_DAYS_TO_PUT_RIGHT),
        description="\n".join(lines),
        finding_id=chosen,
        finding_title=f"{run.template.name}: {_short(question.text, 150)} (not met)",
        key_question=str(definition.get("key_question") or KeyQuestion.SAFE.value),
        risk_area=risk_area,
    )
    choices = tuple(
        FindingChoice(f.id, f"{f.reference} {f.title} — {f.plan.title}") for f in findings
    )
    return ActionSuggestion(data, choices)


def _internal_audit_plan(session: Session, service_id: int) -> Plan:
    plan = session.scalar(
        select(Plan).where(
            Plan.service_id == service_id,
            Plan.origin == Origin.INTERNAL_AUDIT.value,
            Plan.title == INTERNAL_AUDIT_PLAN,
            Plan.archived.is_(False),
        )
    )
    if plan is not None:
        return plan
    return create_plan(
        session,
        PlanInput(
            service_id=service_id,
            title=INTERNAL_AUDIT_PLAN,
            origin=Origin.INTERNAL_AUDIT.value,
            summary="Findings raised from the home's own audits.",
        ),
    )


def raise_action_from_answer(
    session: Session, answer_id: int, data: RaiseActionInput, *, today: date
) -> Action:
    """Create the action (and, if asked, its finding) and link it to the failed question."""
    require(session, Permission.EDIT_PLANS)
    answer = _answer(session, answer_id)
    run = answer.run
    if data.finding_id is not None:
        finding = session.get(Finding, data.finding_id)
        if finding is None or finding.plan.service_id != run.service_id:
            raise ValidationError.single("finding_id", "Choose a finding at this care home.")
        finding_id = finding.id
    else:
        plan = _internal_audit_plan(session, run.service_id)
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
    answer.action_id = action.id
    session.flush()
    return action


def run_summary(run: AuditRun) -> str:
    """One paragraph: overall and section scores, for evidence descriptions and reports."""
    score = run_score(run)
    parts = [f"{s.title} {percent_text(s.percent)}" for s in score.sections]
    sample = f" Sample of {run.sample_size}." if run.sample_size else ""
    return (
        f"{run.template.name} (version {run.template.version}) on {uk_date(run.run_on)}: "
        f"{percent_text(score.percent)} overall ({score.yes} yes, {score.no} no, {score.na} N/A "
        f"not scored).{sample} " + "; ".join(parts) + "."
    )


def link_run_as_evidence(
    session: Session,
    run_id: int,
    action_id: int,
    *,
    supports: str = Supports.YES.value,
    tested_by_id: int | None = None,
    tested_on: date | None = None,
    title: str = "",
    today: date,
) -> Evidence:
    """Record the run as "audit" evidence for an action; the run remembers the action too."""
    require(session, Permission.RECORD)
    run = get_run(session, run_id)
    if session.scalar(
        select(Evidence.id).where(Evidence.audit_run_id == run.id, Evidence.action_id == action_id)
    ):
        raise NotAllowed("This audit run is already linked as evidence for that action.")
    evidence = add_evidence(
        session,
        action_id,
        EvidenceInput(
            title=title.strip()
            or f"{run.template.name} {uk_date(run.run_on)}: {percent_text(run.score_percent)}",
            source_type="audit",
            collected_on=run.run_on,
            supports=supports,
            description=run_summary(run),
            tested_by_id=tested_by_id,
            tested_on=tested_on,
            audit_run_id=run.id,
        ),
        today=today,
    )
    if run.action_id is None:
        run.action_id = action_id
    session.flush()
    return evidence
