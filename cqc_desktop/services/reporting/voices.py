"""What complaints, feedback, notifications, the duty of candour and supervision add to the monthly
QA report and the commissioner pack: complaint themes and response times, a feedback summary,
notifications and candour on time, and supervision completion, for one home over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Complaint, Incident, Supervision
from ...models.enums import ComplaintKind
from ..records import complaint_listing, feedback, notifications, supervision
from ..records.complaints import state_of
from ..records.working_days import working_days_between
from .common import Period


@dataclass(frozen=True)
class ComplaintFigures:
    received: int
    compliments: int
    themes: tuple[tuple[str, int], ...]  # (category, complaints), most first
    acknowledged_on_time: int
    answered: int
    answered_on_time: int
    median_working_days: float | None  # received to response, for those answered
    overdue_now: int  # acknowledgement or response overdue at the period's end
    upheld: int  # upheld or partly upheld, of those answered


@dataclass(frozen=True)
class NotificationLine:
    reference: str
    occurred_on: date
    name: str
    due: date
    done_on: date | None
    state: str  # "On time", "Late", "Missing", "Not yet due"


@dataclass(frozen=True)
class SupervisionFigures:
    people: int  # people with a next supervision date
    overdue: int
    held_in_period: int


@dataclass(frozen=True)
class Voices:
    complaints: ComplaintFigures
    feedback: feedback.FeedbackSummary
    notifications: tuple[NotificationLine, ...]
    supervision: SupervisionFigures

    @property
    def notifications_on_time(self) -> int:
        return sum(1 for n in self.notifications if n.state == "On time")

    @property
    def notifications_late_or_missing(self) -> int:
        return sum(1 for n in self.notifications if n.state in ("Late", "Missing"))


def _on_time(done: date | None, due: date | None) -> bool:
    return done is not None and due is not None and done <= due


def _complaints(session: Session, service_id: int, period: Period, as_of: date) -> ComplaintFigures:
    rows = session.scalars(
        select(Complaint).where(
            Complaint.service_id == service_id,
            Complaint.received_on >= period.start,
            Complaint.received_on <= period.end,
        )
    ).all()
    complaints = [c for c in rows if c.kind == ComplaintKind.COMPLAINT]
    themes = complaint_listing.themes(session, service_id, period.start, period.end)
    answered = [c for c in complaints if c.responded_on is not None and c.responded_on <= as_of]
    states = [
        state_of(c.kind, c.acknowledge_by, c.acknowledged_on, c.respond_by, c.responded_on, as_of)
        for c in complaints
    ]
    return ComplaintFigures(
        received=len(complaints),
        compliments=themes.compliments,
        themes=tuple(themes.by_category.items()),
        acknowledged_on_time=sum(
            1 for c in complaints if _on_time(c.acknowledged_on, c.acknowledge_by)
        ),
        answered=len(answered),
        answered_on_time=sum(1 for c in answered if _on_time(c.responded_on, c.respond_by)),
        median_working_days=(
            float(
                median(
                    working_days_between(c.received_on, c.responded_on or c.received_on)
                    for c in answered
                )
            )
            if answered
            else None
        ),
        overdue_now=sum(1 for s in states if s.needs_attention),
        upheld=sum(1 for c in answered if c.finding in ("Upheld", "Partly upheld")),
    )


def _notifications(
    session: Session, service_id: int, period: Period, as_of: date
) -> list[NotificationLine]:
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.service_id == service_id,
            Incident.occurred_at >= datetime.combine(period.start, time.min),
            Incident.occurred_at < datetime.combine(period.end + timedelta(days=1), time.min),
        )
        .order_by(Incident.occurred_at, Incident.id)
    ).all()
    out: list[NotificationLine] = []
    for incident in incidents:
        for check in notifications.checks(notifications.facts_of(incident), as_of):
            done = check.done_on if check.done_on is not None and check.done_on <= as_of else None
            if done is not None:
                state = "Late" if check.late else "On time"
            else:
                state = "Missing" if as_of > check.due else "Not yet due"
            out.append(
                NotificationLine(
                    incident.reference,
                    incident.occurred_at.date(),
                    check.name,
                    check.due,
                    done,
                    state,
                )
            )
    return out


def voices(session: Session, service_id: int, period: Period, today: date) -> Voices:
    as_of = period.as_of(today)
    due = supervision.due_list(session, as_of, service_id)
    held = session.scalar(
        select(func.count())
        .select_from(Supervision)
        .where(
            Supervision.service_id == service_id,
            Supervision.held_on >= period.start,
            Supervision.held_on <= as_of,
        )
    )
    return Voices(
        complaints=_complaints(session, service_id, period, as_of),
        feedback=feedback.summary(session, service_id, period.start, period.end),
        notifications=tuple(_notifications(session, service_id, period, as_of)),
        supervision=SupervisionFigures(
            people=len(due), overdue=sum(1 for d in due if d.overdue), held_in_period=held or 0
        ),
    )
