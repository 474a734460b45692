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

from ...models import AuditRun, AuditSchedule, AuditTemplate, Service
from ..errors import NotFound, Problems
from ..trust.permissions import Permission, require

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


@dataclass(frozen=True)
class LatestRun:
    """The latest run of one audit (any version) at one home."""

    run_on: date
    run_id: int
    score: float | None


def latest_runs(
    session: Session, service_id: int | None = None
) -> dict[tuple[int, str], LatestRun]:
    """(home, template key) → its latest run (by date, then id), across template versions.

    One query: the newest date per (home, template) comes from the (home, template, date) index,
    and only the runs on that date are read back. The audits tab's "last run", "last score" and
    due dates all come from this, read once per refresh."""
    newest = select(
        AuditRun.service_id.label("sid"),
        AuditRun.template_id.label("tid"),
        func.max(AuditRun.run_on).label("on"),
    ).group_by(AuditRun.service_id, AuditRun.template_id)
    if service_id is not None:
        newest = newest.where(AuditRun.service_id == service_id)
    m = newest.subquery()
    stmt = (
        select(
            AuditRun.service_id,
            AuditTemplate.key,
            AuditRun.run_on,
            AuditRun.id,
            AuditRun.score_percent,
        )
        .join(
            m,
            (AuditRun.service_id == m.c.sid)
            & (AuditRun.template_id == m.c.tid)
            & (AuditRun.run_on == m.c.on),
        )
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
    )
    found: dict[tuple[int, str], LatestRun] = {}
    for sid, key, run_on, run_id, score in session.execute(stmt):
        seen = found.get((sid, key))
        if seen is None or (run_on, run_id) > (seen.run_on, seen.run_id):
            found[(sid, key)] = LatestRun(run_on, run_id, score)
    return found


def last_runs(
    session: Session,
    service_id: int | None = None,
    *,
    latest: dict[tuple[int, str], LatestRun] | None = None,
) -> dict[tuple[int, str], date]:
    """(home, template key) → date of the latest run, across template versions. ``latest``:
    what ``latest_runs`` already read for the same home(s)."""
    if latest is None:
        latest = latest_runs(session, service_id)
    return {k: run.run_on for k, run in latest.items()}


def last_scores(
    session: Session,
    service_id: int | None = None,
    *,
    latest: dict[tuple[int, str], LatestRun] | None = None,
) -> dict[str, float | None]:
    """Template key → overall score of its latest run (at one home, or at any home).
    ``latest``: what ``latest_runs`` already read for the same home(s)."""
    if latest is None:
        latest = latest_runs(session, service_id)
    newest: dict[str, LatestRun] = {}
    for (_sid, key), run in latest.items():
        seen = newest.get(key)
        if seen is None or (run.run_on, run.run_id) > (seen.run_on, seen.run_id):
            newest[key] = run
    return {key: run.score for key, run in newest.items()}


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


def audit_plan(
    session: Session,
    today: date,
    service_id: int | None = None,
    *,
    last: dict[tuple[int, str], date] | None = None,
    templates: list[AuditTemplate] | None = None,
    chosen: dict[tuple[int, str], str] | None = None,
) -> list[DueAudit]:
    """Every scheduled audit at every (or one) home with its next due date, soonest first.
    ``last``, ``templates``, ``chosen``: ``last_runs`` for the same home(s), the current
    templates and every home's chosen frequencies, when the caller has them already."""
    homes = select(Service).where(Service.archived.is_(False)).order_by(Service.name)
    if service_id is not None:
        homes = homes.where(Service.id == service_id)
    services = list(session.scalars(homes))
    if templates is None:
        templates = _current_templates(session)
    if chosen is None:
        chosen = _chosen_frequencies(session)
    if last is None:
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


def _current_templates(session: Session) -> list[AuditTemplate]:
    return list(
        session.scalars(
            select(AuditTemplate)
            .where(AuditTemplate.current.is_(True))
            .order_by(AuditTemplate.name)
        )
    )


def _chosen_frequencies(session: Session) -> dict[tuple[int, str], str]:
    """(home, template key) → the frequency a manager chose there."""
    return {
        (sid, key): freq
        for sid, key, freq in session.execute(
            select(AuditSchedule.service_id, AuditSchedule.template_key, AuditSchedule.frequency)
        )
    }


@dataclass(frozen=True)
class ScheduleOverview:
    """What the audits tab lists for every (or one) home, each read once."""

    templates: list[AuditTemplate]  # the current versions, by name
    plan: list[DueAudit]  # as ``audit_plan``
    last: dict[tuple[int, str], date]  # as ``last_runs``
    frequencies: dict[str, str]  # as ``schedules_for`` at the one home; empty for every home
    scores: dict[str, float | None]  # as ``last_scores``


def schedule_overview(
    session: Session, today: date, service_id: int | None = None
) -> ScheduleOverview:
    """The audits tab's figures in one pass: the templates, schedules and latest runs are read
    once and shared (reading them for each figure read each of them two or three times)."""
    templates = _current_templates(session)
    chosen = _chosen_frequencies(session)
    latest = latest_runs(session, service_id)
    last = last_runs(session, service_id, latest=latest)
    return ScheduleOverview(
        templates=templates,
        plan=audit_plan(session, today, service_id, last=last, templates=templates, chosen=chosen),
        last=last,
        frequencies=(
            {t.key: chosen.get((service_id, t.key), t.schedule) for t in templates}
            if service_id is not None
            else {}
        ),
        scores=last_scores(session, service_id, latest=latest),
    )


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
