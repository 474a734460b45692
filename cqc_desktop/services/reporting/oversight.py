"""Oversight records for reports: new findings, audit score trends, meetings and their decisions,
alerts and escalations in a period. Plain dataclasses read with SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import (
    Action,
    Alert,
    AuditRun,
    AuditTemplate,
    Finding,
    Meeting,
    MeetingItem,
    Person,
    Plan,
    Review,
)
from ...models.enums import Decision, MeetingDecision
from .common import Period

AUDIT_RUNS_SHOWN = 6


@dataclass(frozen=True)
class FindingLine:
    id: int
    reference: str
    title: str
    plan_title: str
    origin: str
    key_question: str
    regulation: str
    rag: str
    raised_on: date


def new_findings(session: Session, service_ids: list[int], period: Period) -> list[FindingLine]:
    """Findings raised in the period. A finding is dated by its plan's report (an inspection
    report, a visit); a plan without a report date falls back to when the finding was entered."""
    rows = session.execute(
        select(Finding, Plan.title, Plan.origin, Plan.report_date)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Plan.service_id.in_(service_ids), Plan.archived.is_(False))
        .order_by(Plan.id, Finding.id)
    ).all()
    out = []
    for finding, plan_title, origin, report_date in rows:
        raised = report_date or finding.created_at.date()
        if period.contains(raised):
            out.append(
                FindingLine(
                    finding.id,
                    finding.reference,
                    finding.title,
                    plan_title,
                    origin,
                    finding.key_question,
                    finding.breached_regulation,
                    finding.rag,
                    raised,
                )
            )
    return out


@dataclass(frozen=True)
class AuditRunLine:
    run_on: date
    score: float | None
    sample_size: int | None
    auditor: str
    version: int


@dataclass(frozen=True)
class AuditTrend:
    key: str
    name: str
    runs: tuple[AuditRunLine, ...]  # oldest first, the last few up to the period's end
    run_in_period: bool

    @property
    def latest(self) -> AuditRunLine:
        return self.runs[-1]

    @property
    def change(self) -> float | None:
        """Points up or down on the run before (None with one run or an all-N/A run)."""
        if len(self.runs) < 2:
            return None
        now, before = self.runs[-1].score, self.runs[-2].score
        return None if now is None or before is None else now - before


def audit_trends(session: Session, service_id: int, period: Period) -> list[AuditTrend]:
    """Each audit carried out at the home, with its last few scores up to the period's end."""
    rows = session.execute(
        select(AuditRun, AuditTemplate.key, AuditTemplate.name, AuditTemplate.version, Person.name)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .outerjoin(Person, AuditRun.auditor_id == Person.id)
        .where(AuditRun.service_id == service_id, AuditRun.run_on <= period.end)
        .order_by(AuditRun.run_on, AuditRun.id)
    ).all()
    grouped: dict[str, list[tuple[str, AuditRunLine]]] = {}
    for run, key, name, version, auditor in rows:
        line = AuditRunLine(run.run_on, run.score_percent, run.sample_size, auditor or "", version)
        grouped.setdefault(key, []).append((name, line))
    trends = []
    for key, items in grouped.items():
        runs = tuple(line for _, line in items[-AUDIT_RUNS_SHOWN:])
        trends.append(
            AuditTrend(
                key=key,
                name=items[-1][0],
                runs=runs,
                run_in_period=any(period.contains(r.run_on) for r in runs),
            )
        )
    return sorted(trends, key=lambda t: t.name)


@dataclass(frozen=True)
class MeetingLine:
    id: int
    held_on: date
    meeting_type: str
    chair: str
    status: str
    items: int
    provider_wide: bool


def _meetings_for(service_id: int | None) -> ColumnElement[bool]:
    if service_id is None:
        return Meeting.service_id.is_(None)
    return or_(Meeting.service_id == service_id, Meeting.service_id.is_(None))


def meetings_held(session: Session, service_id: int | None, period: Period) -> list[MeetingLine]:
    items = (
        select(MeetingItem.meeting_id, func.count(MeetingItem.id).label("n"))
        .group_by(MeetingItem.meeting_id)
        .subquery()
    )
    rows = session.execute(
        select(Meeting, Person.name, func.coalesce(items.c.n, 0))
        .outerjoin(Person, Meeting.chair_id == Person.id)
        .outerjoin(items, items.c.meeting_id == Meeting.id)
        .where(_meetings_for(service_id), Meeting.held_on.between(period.start, period.end))
        .order_by(Meeting.held_on, Meeting.id)
    ).all()
    return [
        MeetingLine(
            m.id, m.held_on, m.meeting_type, chair or "", m.status, int(n), m.service_id is None
        )
        for m, chair, n in rows
    ]


@dataclass(frozen=True)
class DecisionLine:
    held_on: date
    meeting_type: str
    minutes_status: str
    item_title: str
    decision: str
    owner: str
    due: date | None
    action_reference: str
    challenge: str


def decisions(session: Session, service_id: int | None, period: Period) -> list[DecisionLine]:
    """Decisions minuted in the period ("Note" items are not decisions and are left out).

    For one home this includes provider-wide meetings, but only their items about that home's
    actions or about no action in particular.
    """
    owner = aliased(Person)
    stmt = (
        select(MeetingItem, Meeting, owner.name, Action.reference, Plan.service_id)
        .join(Meeting, MeetingItem.meeting_id == Meeting.id)
        .outerjoin(owner, MeetingItem.owner_id == owner.id)
        .outerjoin(Action, MeetingItem.action_id == Action.id)
        .outerjoin(Finding, Action.finding_id == Finding.id)
        .outerjoin(Plan, Finding.plan_id == Plan.id)
        .where(
            _meetings_for(service_id),
            Meeting.held_on.between(period.start, period.end),
            MeetingItem.decision != "",
            MeetingItem.decision != MeetingDecision.NOTE.value,
        )
        .order_by(Meeting.held_on, Meeting.id, MeetingItem.position)
    )
    out = []
    for item, meeting, owner_name, reference, action_home in session.execute(stmt):
        if service_id is not None and action_home is not None and action_home != service_id:
            continue
        out.append(
            DecisionLine(
                meeting.held_on,
                meeting.meeting_type,
                meeting.status,
                item.title,
                item.decision,
                owner_name or "",
                item.due_date,
                reference or "",
                item.challenge,
            )
        )
    return out


@dataclass(frozen=True)
class AlertLine:
    raised_on: date
    kind: str
    message: str
    acknowledged: bool
    note: str


def alerts(session: Session, service_id: int, period: Period) -> list[AlertLine]:
    rows = session.scalars(
        select(Alert)
        .where(
            or_(Alert.service_id == service_id, Alert.service_id.is_(None)),
            Alert.raised_on.between(period.start, period.end),
        )
        .order_by(Alert.raised_on, Alert.id)
    )
    return [
        AlertLine(
            a.raised_on, a.kind, a.message, a.acknowledged_at is not None, a.acknowledgement_note
        )
        for a in rows
    ]


@dataclass(frozen=True)
class EscalationLine:
    on: date
    kind: str
    action_label: str
    by: str
    text: str


def escalations(session: Session, service_id: int, period: Period) -> list[EscalationLine]:
    """Reviews that escalated or reopened an action in the period, and escalations minuted at a
    meeting without a matching review."""
    reviewer = aliased(Person)
    rows = session.execute(
        select(Review, Action.reference, Action.title, reviewer.name)
        .join(Action, Review.action_id == Action.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(reviewer, Review.reviewer_id == reviewer.id)
        .where(
            Plan.service_id == service_id,
            Review.decision.in_([Decision.ESCALATE.value, Decision.REOPEN.value]),
            Review.review_date.between(period.start, period.end),
        )
        .order_by(Review.review_date, Review.id)
    ).all()
    out = [
        EscalationLine(
            r.review_date,
            "Action reopened" if r.decision == Decision.REOPEN.value else "Escalated at review",
            f"{ref} {title}".strip(),
            who,
            r.progress,
        )
        for r, ref, title, who in rows
    ]
    seen = {r.meeting_item_id for r, *_ in rows if r.meeting_item_id is not None}
    owner = aliased(Person)
    items = session.execute(
        select(MeetingItem, Meeting.held_on, Meeting.meeting_type, owner.name)
        .join(Meeting, MeetingItem.meeting_id == Meeting.id)
        .outerjoin(owner, MeetingItem.owner_id == owner.id)
        .where(
            _meetings_for(service_id),
            MeetingItem.decision == MeetingDecision.ESCALATE.value,
            Meeting.held_on.between(period.start, period.end),
        )
    ).all()
    for item, held_on, meeting_type, who in items:
        if item.id not in seen:
            out.append(
                EscalationLine(
                    held_on, f"Escalated at {meeting_type}", item.title, who or "", item.discussion
                )
            )
    return sorted(out, key=lambda e: e.on)
