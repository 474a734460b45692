"""When each home runs each audit, what is due, and how the score has moved over time.

During recovery an audit runs weekly; once the home is stable it drops to monthly (the worked
scenario: "audited weekly during recovery, monthly once stable"). The template says which it starts
at; a manager sets it per home. The schedule is keyed by the template's key so a new version of the
template keeps it, and "last run" looks across every version.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditRun, AuditSchedule, AuditTemplate, Service
from .errors import NotFound, Problems
from .permissions import Permission, require

WEEKLY, MONTHLY, OFF = "weekly", "monthly", "off"
FREQUENCY_LABELS = {
    WEEKLY: "Weekly (during recovery)",
    MONTHLY: "Monthly (once stable)",
    OFF: "Not scheduled",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31/01 + 1 month = 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(last_run: date | None, frequency: str, today: date) -> date | None:
    """Next due date: one period after the last run; due today if it has never been run."""
    if frequency == OFF:
        return None
    if last_run is None:
        return today
    return last_run + timedelta(days=7) if frequency == WEEKLY else add_months(last_run, 1)


def schedules_for(session: Session, service_id: int) -> dict[str, str]:
    """Template key → frequency at this home, for every current template."""
    chosen = dict(
        session.execute(
            select(AuditSchedule.template_key, AuditSchedule.frequency).where(
                AuditSchedule.service_id == service_id
            )
        ).all()
    )
    templates = session.scalars(select(AuditTemplate).where(AuditTemplate.current.is_(True)))
    return {t.key: chosen.get(t.key, t.schedule) for t in templates}


def set_audit_schedule(
    session: Session, service_id: int, template_key: str, frequency: str
) -> None:
    require(session, Permission.EDIT_PLANS)
    p = Problems()
    if frequency not in FREQUENCY_LABELS:
        p.add("frequency", "Choose weekly, monthly or not scheduled.")
    if session.get(Service, service_id) is None:
        p.add("service_id", "Choose a care home from the list.")
    p.raise_if_any()
    if not session.scalar(select(func.count()).where(AuditTemplate.key == template_key)):
        raise NotFound("That audit template no longer exists.")
    row = session.scalar(
        select(AuditSchedule).where(
            AuditSchedule.service_id == service_id, AuditSchedule.template_key == template_key
        )
    )
    if row is None:
        session.add(
            AuditSchedule(service_id=service_id, template_key=template_key, frequency=frequency)
        )
    else:
        row.frequency = frequency
    session.flush()


def last_runs(session: Session, service_id: int | None = None) -> dict[tuple[int, str], date]:
    """(home, template key) → date of the latest run, across template versions (one query)."""
    stmt = (
        select(AuditRun.service_id, AuditTemplate.key, func.max(AuditRun.run_on))
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .group_by(AuditRun.service_id, AuditTemplate.key)
    )
    if service_id is not None:
        stmt = stmt.where(AuditRun.service_id == service_id)
    return {(sid, key): last for sid, key, last in session.execute(stmt)}


def last_scores(session: Session, service_id: int | None = None) -> dict[str, float | None]:
    """Template key → overall score of its latest run (at one home, or at any home)."""
    stmt = select(
        AuditTemplate.key,
        AuditRun.score_percent,
        func.row_number()
        .over(
            partition_by=AuditTemplate.key,
            order_by=(AuditRun.run_on.desc(), AuditRun.id.desc()),
        )
        .label("n"),
    ).join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
    if service_id is not None:
        stmt = stmt.where(AuditRun.service_id == service_id)
    ranked = stmt.subquery()
    return {
        key: score
        for key, score in session.execute(
            select(ranked.c.key, ranked.c.score_percent).where(ranked.c.n == 1)
        )
    }


@dataclass(frozen=True)
class DueAudit:
    service_id: int
    service: str
    template_id: int  # the current version: the one to run next
    template_key: str
    name: str
    frequency: str
    last_run_on: date | None
    due_on: date
    days_overdue: int  # negative: days until due

    @property
    def frequency_label(self) -> str:
        return FREQUENCY_LABELS[self.frequency]


def audit_plan(session: Session, today: date, service_id: int | None = None) -> list[DueAudit]:
    """Every scheduled audit at every (or one) home with its next due date, soonest first."""
    homes = select(Service).where(Service.archived.is_(False)).order_by(Service.name)
    if service_id is not None:
        homes = homes.where(Service.id == service_id)
    services = list(session.scalars(homes))
    templates = list(
        session.scalars(
            select(AuditTemplate)
            .where(AuditTemplate.current.is_(True))
            .order_by(AuditTemplate.name)
        )
    )
    chosen = {
        (sid, key): freq
        for sid, key, freq in session.execute(
            select(AuditSchedule.service_id, AuditSchedule.template_key, AuditSchedule.frequency)
        )
    }
    last = last_runs(session, service_id)
    rows = []
    for service in services:
        for template in templates:
            frequency = chosen.get((service.id, template.key), template.schedule)
            previous = last.get((service.id, template.key))
            due = next_due(previous, frequency, today)
            if due is None:
                continue
            rows.append(
                DueAudit(
                    service_id=service.id,
                    service=service.name,
                    template_id=template.id,
                    template_key=template.key,
                    name=template.name,
                    frequency=frequency,
                    last_run_on=previous,
                    due_on=due,
                    days_overdue=(today - due).days,
                )
            )
    rows.sort(key=lambda r: (r.due_on, r.service, r.name))
    return rows


def due_audits(
    session: Session, today: date, service_id: int | None = None, within_days: int = 7
) -> list[DueAudit]:
    """Audits overdue or due within ``within_days`` days, soonest first: the dashboard's due list."""
    horizon = today + timedelta(days=within_days)
    return [row for row in audit_plan(session, today, service_id) if row.due_on <= horizon]


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    run_on: date
    percent: float | None
    version: int


def score_trend(session: Session, template_key: str, service_id: int) -> list[TrendPoint]:
    """Overall score of every run of one audit at one home, oldest first, across versions."""
    rows = session.execute(
        select(AuditRun.id, AuditRun.run_on, AuditRun.score_percent, AuditTemplate.version)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .where(AuditTemplate.key == template_key, AuditRun.service_id == service_id)
        .order_by(AuditRun.run_on, AuditRun.id)
    ).all()
    return [TrendPoint(rid, on, pct, version) for rid, on, pct, version in rows]


def stable_hint(trend: list[TrendPoint], frequency: str, threshold: float = 95.0) -> str:
    """A nudge, never an automatic change: a manager decides when recovery is over."""
    recent = [p.percent for p in trend[-3:]]
    if (
        frequency == WEEKLY
        and len(recent) == 3
        and all(p is not None and p >= threshold for p in recent)
    ):
        return (
            f"The last three runs scored {threshold:g} % or more: consider moving this audit to "
            "monthly now the home is stable."
        )
    last = trend[-1].percent if trend else None
    if frequency == MONTHLY and last is not None and last < threshold - 15:
        return "The last run scored low: consider auditing weekly until it recovers."
    return ""
