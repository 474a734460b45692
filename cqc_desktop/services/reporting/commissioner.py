"""Data for the commissioner contract-monitoring pack over a date range: trends, action updates,
safeguarding links, complaint themes, staffing actions, outcomes and partial progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ...models import Finding, FindingStatement, Incident, Person, Plan, Review
from ...models.enums import CqcNotification, IncidentType, Origin, RiskArea
from ..records.incidents import learning_within_days
from ..trust.anchors import Anchor, take_anchor
from .common import (
    ActionLine,
    HomeInfo,
    Period,
    ProgressGap,
    action_lines,
    free_text_scrubber,
    get_home,
    progress_gaps,
)
from .measures import MeasureSeries, measure_series
from .monthly import IncidentSummary, incident_summary
from .oversight import FindingLine
from .voices import Voices, voices

STAFFING_REGULATIONS = frozenset({"18", "19"})
STAFFING_STATEMENTS = frozenset({"S6", "C5", "W4"})


@dataclass(frozen=True)
class ReviewNote:
    on: date
    who: str
    level: str
    rag: str
    decision: str
    progress: str


@dataclass(frozen=True)
class ActionUpdate:
    action: ActionLine
    reviews: tuple[ReviewNote, ...]  # in the period, oldest first


@dataclass(frozen=True)
class SafeguardingLine:
    reference: str
    occurred_at: datetime
    incident_type: str
    severity: str
    person_ref: str
    referral_on: date | None
    cqc_notification: str
    cqc_notified_on: date | None
    family_informed_on: date | None
    reviewed_on: date | None
    learning_point: str
    learning_within_7: bool
    closed_on: date | None
    location: str = ""
    description: str = ""
    immediate_action: str = ""
    reported_by: str = ""  # a member of staff: staff are named (trust/privacy.py)
    reopened_on: date | None = None
    reopen_reason: str = ""


@dataclass(frozen=True)
class CommissionerPack:
    home: HomeInfo
    period: Period
    as_of: date
    actions: tuple[ActionLine, ...]
    measures: tuple[MeasureSeries, ...]
    updates: tuple[ActionUpdate, ...]
    safeguarding: tuple[SafeguardingLine, ...]
    complaints: tuple[FindingLine, ...]
    staffing: tuple[ActionUpdate, ...]
    incidents: IncidentSummary
    gaps: tuple[ProgressGap, ...]
    voices: Voices
    audit_anchor: Anchor | None = None  # printed in the footer; see trust/anchors.py

    @property
    def closed_in_period(self) -> list[ActionLine]:
        return [a for a in self.actions if a.closed_on and self.period.contains(a.closed_on)]


def commissioner_pack(
    session: Session, service_id: int, period: Period, today: date
) -> CommissionerPack:
    home = get_home(session, service_id)
    as_of = period.as_of(today)
    lines = action_lines(session, as_of, service_ids=[service_id])
    reviews = _reviews(session, [a.id for a in lines], period)
    updates = tuple(ActionUpdate(a, tuple(reviews.get(a.id, []))) for a in lines)
    staffing_ids = _staffing_action_ids(session, service_id)
    return CommissionerPack(
        audit_anchor=take_anchor(session, "printed the commissioner pack"),
        home=home,
        period=period,
        as_of=as_of,
        actions=tuple(lines),
        measures=tuple(
            measure_series(session, as_of, service_ids=[service_id], since=period.start)
        ),
        updates=tuple(u for u in updates if u.reviews or not u.action.closed),
        safeguarding=tuple(_safeguarding(session, service_id, period)),
        complaints=tuple(_complaints(session, service_id, period)),
        staffing=tuple(u for u in updates if u.action.id in staffing_ids),
        incidents=incident_summary(session, [service_id], period, as_of),
        gaps=tuple(progress_gaps(session, lines, as_of)),
        voices=voices(session, service_id, period, today),
    )


def _reviews(session: Session, ids: list[int], period: Period) -> dict[int, list[ReviewNote]]:
    out: dict[int, list[ReviewNote]] = defaultdict(list)
    if not ids:
        return out
    reviewer = aliased(Person)
    rows = session.execute(
        select(Review, reviewer.name)
        .join(reviewer, Review.reviewer_id == reviewer.id)
        .where(Review.action_id.in_(ids), Review.review_date.between(period.start, period.end))
        .order_by(Review.review_date, Review.id)
    )
    for review, who in rows:
        text = review.progress
        if review.notes.strip():
            text = f"{text}\nNotes: {review.notes.strip()}".strip()
        out[review.action_id].append(
            ReviewNote(review.review_date, who, review.level, review.rag, review.decision, text)
        )
    return out


def _safeguarding(session: Session, service_id: int, period: Period) -> list[SafeguardingLine]:
    """Incidents in the period with a safeguarding referral, of the safeguarding type, or
    notified to CQC."""
    start = datetime.combine(period.start, time.min)
    end = datetime.combine(period.end + timedelta(days=1), time.min)
    scrub = free_text_scrubber(session)
    rows = session.scalars(
        select(Incident)
        .where(
            Incident.service_id == service_id,
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
            or_(
                Incident.safeguarding_referral.is_(True),
                Incident.incident_type == IncidentType.SAFEGUARDING.value,
                Incident.cqc_notification != CqcNotification.NONE.value,
            ),
        )
        .order_by(Incident.occurred_at)
    )
    return [
        SafeguardingLine(
            reference=i.reference,
            occurred_at=i.occurred_at,
            incident_type=i.incident_type,
            severity=i.severity,
            person_ref=i.person_ref,
            referral_on=i.safeguarding_referred_on if i.safeguarding_referral else None,
            cqc_notification=i.cqc_notification,
            cqc_notified_on=i.cqc_notified_on,
            family_informed_on=i.family_informed_on if i.family_informed else None,
            reviewed_on=i.reviewed_on,
            learning_point=i.learning_point,
            learning_within_7=learning_within_days(i),
            closed_on=i.closed_on,
            location=i.location,
            description=scrub(i.description),
            immediate_action=scrub(i.immediate_action),
            reported_by=i.reported_by,
            reopened_on=i.reopened_on,
            reopen_reason=scrub(i.reopen_reason),
        )
        for i in rows
    ]


def _complaints(session: Session, service_id: int, period: Period) -> list[FindingLine]:
    """Findings raised from complaints: those raised in the period, and earlier ones whose
    actions are still open."""
    rows = session.execute(
        select(Finding, Plan.title, Plan.report_date)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(
            Plan.service_id == service_id,
            Plan.origin == Origin.COMPLAINT.value,
            Plan.archived.is_(False),
        )
        .order_by(Plan.report_date, Finding.id)
    ).all()
    out = []
    for finding, plan_title, report_date in rows:
        raised = report_date or finding.created_at.date()
        if raised > period.end:
            continue
        open_actions = any(a.status != "Closed" for a in finding.actions)
        if period.contains(raised) or open_actions:
            out.append(
                FindingLine(
                    finding.id,
                    finding.reference,
                    finding.title,
                    plan_title,
                    Origin.COMPLAINT.value,
                    finding.key_question,
                    finding.breached_regulation,
                    finding.rag,
                    raised,
                )
            )
    return out


def _staffing_action_ids(session: Session, service_id: int) -> set[int]:
    """Actions answering a staffing finding: the staffing risk area, Regulation 18 or 19, or a
    staffing quality statement."""
    findings = session.scalars(
        select(Finding)
        .join(Plan, Finding.plan_id == Plan.id)
        .outerjoin(FindingStatement, FindingStatement.finding_id == Finding.id)
        .where(
            Plan.service_id == service_id,
            or_(
                Finding.risk_area == RiskArea.STAFFING.value,
                Finding.breached_regulation.in_(STAFFING_REGULATIONS),
                FindingStatement.statement_code.in_(STAFFING_STATEMENTS),
            ),
        )
    ).unique()
    return {a.id for f in findings for a in f.actions}
