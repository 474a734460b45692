"""The triggers behind the alerts, each a short query returning candidate alerts.

Each candidate carries a stable ``source_key`` naming exactly what fired; ``alerts.scan`` stores
the ones not seen before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import (
    Action,
    AuditAnswer,
    AuditRun,
    AuditTemplate,
    Finding,
    Incident,
    Measure,
    MeasureChange,
    MeasurePoint,
    Observation,
    Person,
    Plan,
)
from ...models.enums import ActionStatus, AlertKind, AuditAnswerValue, Outcome
from ..plans.spc import spc_rules
from .measures import target_value, worsening_run
from .spc import SpcRules, Variation
from .spc_phases import analyse_phases, bounds_for

LOOKBACK_DAYS = 28
REPEAT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Candidate:
    source_key: str
    kind: AlertKind
    message: str
    action_id: int | None
    service_id: int | None
    raised_on: date


def _live_actions() -> tuple[ColumnElement[bool], ...]:
    return (Action.archived.is_(False), Plan.archived.is_(False))


def _measure_triggers(session: Session, today: date) -> list[Candidate]:
    rules = spc_rules(session)
    # Only measures with a point in the look-back window: a measure nobody updates any more
    # cannot newly slip.
    recent = (
        select(MeasurePoint.measure_id)
        .where(
            MeasurePoint.period_start <= today,
            MeasurePoint.period_start >= today - timedelta(days=LOOKBACK_DAYS),
        )
        .distinct()
    )
    measures = session.execute(
        select(
            Measure.id,
            Measure.action_id,
            Measure.name,
            Measure.direction,
            Measure.baseline_value,
            Measure.target_kind,
            Measure.target_value,
            Measure.unit,
            Plan.service_id,
        )
        .join(Action, Measure.action_id == Action.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(*_live_actions(), Measure.id.in_(recent))
    ).all()
    points_by_measure: dict[int, list[tuple[date, float]]] = {}
    if measures:
        for mid, period, value in session.execute(
            select(MeasurePoint.measure_id, MeasurePoint.period_start, MeasurePoint.value)
            .where(MeasurePoint.measure_id.in_(recent), MeasurePoint.period_start <= today)
            .order_by(MeasurePoint.measure_id, MeasurePoint.period_start)
        ):
            points_by_measure.setdefault(mid, []).append((period, value))
    # Recorded changes start new phases: the latest point is read within its own phase.
    changes: dict[int, list[date]] = {}
    for mid, on in session.execute(
        select(MeasureChange.measure_id, MeasureChange.changed_on).where(
            MeasureChange.measure_id.in_(recent), MeasureChange.changed_on <= today
        )
    ):
        changes.setdefault(mid, []).append(on)
    out: list[Candidate] = []
    for mid, action_id, name, direction, baseline, kind, target, unit, service_id in measures:
        points = points_by_measure.get(mid, [])
        if not points:
            continue
        values = tuple(v for _, v in points)
        last_period = points[-1][0]
        goal = target_value(baseline, kind, target)
        periods = [p for p, _ in points]
        breaks = tuple(
            sorted(
                next((i for i, p in enumerate(periods) if p >= on), len(periods))
                for on in changes.get(mid, [])
            )
        )
        variation, flagged_by = _latest_reading(
            values, direction, goal, rules, breaks, baseline, unit
        )
        if variation is Variation.CONCERN:
            out.append(
                Candidate(
                    f"measure:{mid}:concern:{last_period.isoformat()}",
                    AlertKind.SPECIAL_CAUSE_CONCERN,
                    f"{name} for the period from {uk_date(last_period)} "
                    f"({_num(values[-1])}) is a special-cause concern ({', '.join(flagged_by)}).",
                    action_id,
                    service_id,
                    today,
                )
            )
        if worsening_run(values, direction):
            out.append(
                Candidate(
                    f"measure:{mid}:worsening:{last_period.isoformat()}",
                    AlertKind.WORSENING,
                    f"{name} has got worse two periods in a row "
                    f"({' → '.join(_num(v) for v in values[-3:])}).",
                    action_id,
                    service_id,
                    today,
                )
            )
    return out


@lru_cache(maxsize=8192)
def _latest_reading(
    values: tuple[float, ...],
    direction: str,
    goal: float,
    rules: SpcRules,
    breaks: tuple[int, ...] = (),
    baseline: float | None = None,
    unit: str = "",
) -> tuple[Variation, tuple[str, ...]]:
    """How the latest point reads, within its phase. Cached: the dashboard rescans after every
    save, and most measures have not changed since the last scan."""
    result = analyse_phases(
        values,
        direction,
        goal,
        rules,
        changes=[(i, "") for i in breaks],
        baseline=baseline,
        bounds=bounds_for(unit, values, baseline if baseline is not None else goal, goal),
    )
    if not result.points:
        return Variation.COMMON, ()
    return result.points[-1].variation, result.points[-1].rules


def _overdue_reviews(session: Session, today: date) -> list[Candidate]:
    rows = session.execute(
        select(
            Action.id,
            Action.next_review_date,
            Person.name,
            Plan.service_id,
        )
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Person, Action.accountable_lead_id == Person.id)
        .where(
            *_live_actions(),
            Action.status != ActionStatus.CLOSED.value,
            Action.next_review_date < today,
        )
    ).all()
    return [
        Candidate(
            # Keyed on the missed date: a later missed review is a new alert.
            f"action:{aid}:review_overdue:{due.isoformat()}",
            AlertKind.REVIEW_OVERDUE,
            f"The review due on {uk_date(due)} has not been recorded (lead: {lead}).",
            aid,
            service_id,
            today,
        )
        for aid, due, lead, service_id in rows
        if due is not None
    ]


def _not_met_observations(session: Session, today: date) -> list[Candidate]:
    since = datetime.combine(today - timedelta(days=LOOKBACK_DAYS), datetime.min.time())
    rows = session.scalars(
        select(Observation)
        .join(Action, Observation.action_id == Action.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(
            *_live_actions(),
            Observation.outcome == Outcome.NOT_MET.value,
            Observation.observed_at >= since,
        )
    ).all()
    return [
        Candidate(
            f"observation:{obs.id}:not_met",
            AlertKind.NOT_MET,
            f"{obs.area} observation on {uk_date(obs.observed_at)} "
            f"was not met ({obs.staff_observed or 'staff'}).",
            obs.action_id,
            obs.service_id,
            today,
        )
        for obs in rows
    ]


def _audit_noes(session: Session, today: date) -> list[Candidate]:
    linked_action = func.coalesce(AuditAnswer.action_id, AuditRun.action_id)
    rows = session.execute(
        select(
            AuditRun.id,
            AuditRun.run_on,
            AuditRun.service_id,
            AuditTemplate.name,
            linked_action,
            func.count(AuditAnswer.id),
        )
        .join(AuditRun, AuditAnswer.run_id == AuditRun.id)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .join(Action, Action.id == linked_action)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(
            *_live_actions(),
            AuditAnswer.answer == AuditAnswerValue.NO.value,
            AuditRun.run_on >= today - timedelta(days=LOOKBACK_DAYS),
            or_(AuditAnswer.action_id.is_not(None), AuditRun.action_id.is_not(None)),
        )
        .group_by(
            AuditRun.id, AuditRun.run_on, AuditRun.service_id, AuditTemplate.name, linked_action
        )
    ).all()
    out = []
    for run_id, run_on, service_id, template, action_id, noes in rows:
        items = "item was" if noes == 1 else "items were"
        out.append(
            Candidate(
                # One alert per run and action, not one per question answered "No".
                f"audit_run:{run_id}:action:{action_id}:no",
                AlertKind.NOT_MET,
                f"{noes} {items} answered “No” in the {template} of {uk_date(run_on)}.",
                action_id,
                service_id,
                today,
            )
        )
    return out


def _repeat_incidents(session: Session, today: date) -> list[Candidate]:
    """A second incident of the same type for the same person or place within 30 days.

    One pass in time order, remembering the latest incident per (home, type, person) and per
    (home, type, place): a provider's five years of incidents must not make this quadratic.
    """
    since = datetime.combine(
        today - timedelta(days=LOOKBACK_DAYS + REPEAT_WINDOW_DAYS), datetime.min.time()
    )
    rows = session.execute(
        select(
            Incident.id,
            Incident.service_id,
            Incident.incident_type,
            Incident.person_ref,
            Incident.location,
            Incident.occurred_at,
            Incident.reference,
            Incident.action_id,
        )
        .where(Incident.occurred_at >= since)
        .order_by(Incident.occurred_at, Incident.id)
    ).all()
    recent_from = today - timedelta(days=LOOKBACK_DAYS)
    window = timedelta(days=REPEAT_WINDOW_DAYS)
    last_for_person: dict[tuple[int, str, str], Any] = {}
    last_at_place: dict[tuple[int, str, str], Any] = {}
    out = []
    for row in rows:
        _id, service_id, kind, person, place, when, reference, action_id = row
        by_person = last_for_person.get((service_id, kind, person)) if person else None
        by_place = last_at_place.get((service_id, kind, place)) if place else None
        match: tuple[Any, str] | None = None
        if by_person is not None and when - by_person.occurred_at <= window:
            match = (by_person, f"for {person}")
        elif by_place is not None and when - by_place.occurred_at <= window:
            match = (by_place, f"in the {place.lower()}")
        if person:
            last_for_person[(service_id, kind, person)] = row
        if place:
            last_at_place[(service_id, kind, place)] = row
        if match is None or when.date() < recent_from:
            continue
        earlier, where = match
        gap = (when.date() - earlier.occurred_at.date()).days
        out.append(
            Candidate(
                f"incident:{_id}:repeat",
                AlertKind.REPEAT_INCIDENT,
                f"Repeat {kind.lower()} incident {where}: {reference} on {uk_date(when)}, "
                f"{gap} day{'s' if gap != 1 else ''} after {earlier.reference}.",
                action_id or earlier.action_id,
                service_id,
                today,
            )
        )
    return out


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def candidates(session: Session, today: date) -> list[Candidate]:
    """Every trigger that fires today (already-raised ones included; ``scan`` filters those)."""
    return [
        *_measure_triggers(session, today),
        *_overdue_reviews(session, today),
        *_not_met_observations(session, today),
        *_audit_noes(session, today),
        *_repeat_incidents(session, today),
    ]
