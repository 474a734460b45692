"""Measures worked out from records: a count or percentage of tracker rows, incidents or
observations matching a condition, per week or month. No one types the same number twice.

The rule is kept as JSON in ``Measure.derivation``. Its points are marked ``derived`` and are
recomputed whenever the records change, in the same transaction as the change. Tracker rows are
counted in SQL (a tracker can hold 200,000 rows); incidents and observations are few enough to
read and test in Python, which lets rules like "reviewed with action and learning within 7 days"
say "not known yet" while an incident's week is still running.

A point typed by hand before a measure was made derived is never overwritten: the derivation
skips that period.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ...models import Incident, Measure, MeasurePoint, Observation, Tracker, TrackerEntry
from ..errors import NotFound, Problems
from ..plans.measure_data import MeasureInput, create_measure
from ..trust.permissions import Permission, require
from .common import action_service_id
from .derived_fields import INCIDENT_FIELDS, OBSERVATION_FIELDS, fields_for
from .derived_rules import (
    OPERATORS,
    FieldSpec,
    Rule,
    check_rules,
    describe_rules,
    matches_all,
    tracker_condition,
)

SOURCES = {"tracker": "Tracker rows", "incidents": "Incidents", "observations": "Observations"}
STATISTICS = {"count": "Count", "percent": "Percentage"}

__all__ = ["OPERATORS", "SOURCES", "STATISTICS", "Derivation", "FieldSpec", "Rule", "fields_for"]


@dataclass(frozen=True)
class Derivation:
    source: str
    statistic: str
    where: tuple[Rule, ...] = ()
    # For a percentage: which records make up the whole (none = every record of the source).
    of: tuple[Rule, ...] = ()
    tracker_id: int | None = None
    start: date | None = None
    computed_on: date | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "source": self.source,
                "statistic": self.statistic,
                "tracker_id": self.tracker_id,
                "where": [r.to_dict() for r in self.where],
                "of": [r.to_dict() for r in self.of],
                "start": self.start.isoformat() if self.start else None,
                "computed_on": self.computed_on.isoformat() if self.computed_on else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Derivation:
        raw = json.loads(text)
        return cls(
            source=raw["source"],
            statistic=raw["statistic"],
            where=tuple(Rule.from_dict(r) for r in raw.get("where", [])),
            of=tuple(Rule.from_dict(r) for r in raw.get("of", [])),
            tracker_id=raw.get("tracker_id"),
            start=date.fromisoformat(raw["start"]) if raw.get("start") else None,
            computed_on=date.fromisoformat(raw["computed_on"]) if raw.get("computed_on") else None,
        )


def derivation_of(measure: Measure) -> Derivation | None:
    return Derivation.from_json(measure.derivation) if measure.derivation else None


# --- checking and describing ------------------------------------------------------------------


def check_derivation(session: Session, derivation: Derivation, service_id: int) -> Derivation:
    """Validate a rule against its source and return it with typed values."""
    p = Problems()
    if derivation.source not in SOURCES:
        p.add("source", "Choose what to count: tracker rows, incidents or observations.")
    if derivation.statistic not in STATISTICS:
        p.add("statistic", "Choose a count or a percentage.")
    tracker_id = derivation.tracker_id if derivation.source == "tracker" else None
    if derivation.source == "tracker":
        tracker = session.get(Tracker, tracker_id) if tracker_id is not None else None
        if tracker is None:
            p.add("tracker_id", "Choose the tracker to count rows from.")
        elif tracker.service_id != service_id:
            p.add("tracker_id", "Choose a tracker from the same care home as the action.")
    p.raise_if_any()
    specs = {f.key: f for f in fields_for(session, derivation.source, tracker_id)}
    where = check_rules(p, "where", derivation.where, specs)
    of = check_rules(p, "of", derivation.of, specs)
    if derivation.statistic == "percent" and not where:
        p.add("where", "Say which records count towards the percentage.")
    p.raise_if_any()
    return replace(derivation, where=where, of=of, tracker_id=tracker_id, computed_on=None)


def describe(session: Session, derivation: Derivation, frequency: str = "weekly") -> str:
    """The rule in words, e.g. "Medicines improvement tracker rows where Minutes late is more
    than 30, counted per week"."""
    tracker = (
        session.get(Tracker, derivation.tracker_id) if derivation.tracker_id is not None else None
    )
    what = f"{tracker.name} rows" if tracker is not None else SOURCES[derivation.source].lower()
    what = what[0].upper() + what[1:]
    specs = {f.key: f for f in fields_for(session, derivation.source, derivation.tracker_id)}
    per = "per month" if frequency == "monthly" else "per week"
    if derivation.statistic == "percent":
        whole = what + (f" where {describe_rules(derivation.of, specs)}" if derivation.of else "")
        return f"% of {whole.lower() if tracker is None else whole} where {describe_rules(derivation.where, specs)}, {per}"
    where = f" where {describe_rules(derivation.where, specs)}" if derivation.where else ""
    return f"{what}{where}, counted {per}"


# --- periods ----------------------------------------------------------------------------------


def period_start(day: date, frequency: str) -> date:
    if frequency == "monthly":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())  # weeks start on Monday, as rotas do


def next_period(start: date, frequency: str) -> date:
    if frequency == "monthly":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7)


def periods_between(first: date, last: date, frequency: str) -> list[date]:
    out, current = [], period_start(first, frequency)
    while current <= last:
        out.append(current)
        current = next_period(current, frequency)
    return out


@dataclass
class _Tally:
    matched: int = 0
    total: int = 0


@dataclass
class _Counts:
    by_period: dict[date, _Tally] = field(default_factory=dict)
    first: date | None = None  # earliest record of the source, where the series starts

    def add(self, period: date, matched: int, total: int) -> None:
        tally = self.by_period.setdefault(period, _Tally())
        tally.matched += matched
        tally.total += total


# --- counting ---------------------------------------------------------------------------------


def _tracker_counts(
    session: Session,
    d: Derivation,
    tracker: Tracker,
    frequency: str,
    window: tuple[date, date] | None,
    today: date,
) -> _Counts:
    columns = {c["key"]: c for c in tracker.columns}
    where = [tracker_condition(columns[r.field], r) for r in d.where]
    of = [tracker_condition(columns[r.field], r) for r in d.of]
    matched = case((and_(*where), 1), else_=0) if where else None
    end = next_period(period_start(today, frequency), frequency)
    base = [TrackerEntry.tracker_id == tracker.id, TrackerEntry.entry_date < end, *of]
    if d.start is not None:
        base.append(TrackerEntry.entry_date >= d.start)
    counts = _Counts(first=session.scalar(select(func.min(TrackerEntry.entry_date)).where(*base)))
    if window is not None:
        base += [TrackerEntry.entry_date >= window[0], TrackerEntry.entry_date < window[1]]
    stmt = select(
        TrackerEntry.entry_date,
        func.count(),
        func.sum(matched) if matched is not None else func.count(),
    ).where(*base)
    for day, total, hits in session.execute(stmt.group_by(TrackerEntry.entry_date)):
        counts.add(period_start(day, frequency), int(hits or 0), int(total))
    return counts


def _python_counts(
    records: Iterable[Any],
    getters: dict[str, Callable[[Any, date], Any]],
    when: Callable[[Any], date],
    d: Derivation,
    frequency: str,
    today: date,
) -> _Counts:
    counts = _Counts()
    last = next_period(period_start(today, frequency), frequency)
    for record in records:
        day = when(record)
        if day >= last or (d.start is not None and day < d.start):
            continue

        def value(key: str, record: Any = record) -> Any:
            return getters[key](record, today)

        if not matches_all(d.of, value):
            continue
        counts.first = day if counts.first is None else min(counts.first, day)
        hit = matches_all(d.where, value)
        if hit is None:
            continue  # not known yet (an incident whose 7 days are still running)
        counts.add(period_start(day, frequency), int(hit), 1)
    return counts


def _counts(
    session: Session,
    measure: Measure,
    d: Derivation,
    today: date,
    window: tuple[date, date] | None,
) -> _Counts:
    frequency = measure.frequency
    if d.source == "tracker":
        tracker = session.get(Tracker, d.tracker_id)
        if tracker is None:
            return _Counts()
        return _tracker_counts(session, d, tracker, frequency, window, today)
    service_id = action_service_id(session, measure.action_id)
    if d.source == "incidents":
        incidents = session.scalars(select(Incident).where(Incident.service_id == service_id))
        getters = {spec.key: get for spec, get in INCIDENT_FIELDS}
        return _python_counts(
            incidents, getters, lambda i: i.occurred_at.date(), d, frequency, today
        )
    observations = session.scalars(select(Observation).where(Observation.service_id == service_id))
    obs_getters = {spec.key: get for spec, get in OBSERVATION_FIELDS}
    return _python_counts(
        observations, obs_getters, lambda o: o.observed_at.date(), d, frequency, today
    )


# --- recomputing ------------------------------------------------------------------------------


def recompute(
    session: Session, measure: Measure, today: date, *, days: Iterable[date] | None = None
) -> int:
    """Bring a derived measure's points up to date; returns how many points changed.

    ``days`` limits the work to the periods holding those dates (one tracker row saved); periods
    with no point yet, such as a new week, are always filled in.
    """
    d = derivation_of(measure)
    if d is None:
        return 0
    frequency = measure.frequency
    existing = {
        p.period_start: p
        for p in session.scalars(select(MeasurePoint).where(MeasurePoint.measure_id == measure.id))
    }
    end = period_start(today, frequency)
    window = None
    targets: set[date] | None = None
    if days is not None and d.source == "tracker":
        targets = {period_start(day, frequency) for day in days}
        first_known = min(existing, default=None)
        if first_known is not None and targets:
            gaps = {p for p in periods_between(first_known, end, frequency) if p not in existing}
            targets |= gaps
            if min(targets) >= first_known:
                window = (min(targets), next_period(max(targets), frequency))
            else:
                targets = None  # a row earlier than the series: start again from scratch
        else:
            targets = None
    counts = _counts(session, measure, d, today, window)
    start = d.start or counts.first
    wanted: dict[date, tuple[float, float | None, float | None]] = {}
    if start is not None:
        for period in periods_between(start, end, frequency):
            tally = counts.by_period.get(period, _Tally())
            if d.statistic == "count":
                wanted[period] = (float(tally.matched), None, None)
            elif tally.total:
                percent = round(100.0 * tally.matched / tally.total, 1)
                wanted[period] = (percent, float(tally.matched), float(tally.total))
    scope = targets if targets is not None else set(wanted) | set(existing)
    changed = 0
    for period in sorted(scope):
        point = existing.get(period)
        if point is not None and not point.derived:
            continue  # typed by hand before the measure was derived: never overwritten
        result = wanted.get(period)
        if result is None:
            if point is not None:
                session.delete(point)
                changed += 1
            continue
        value, numerator, denominator = result
        note = f"{numerator:g} of {denominator:g}" if denominator is not None else ""
        if point is None:
            point = MeasurePoint(measure_id=measure.id, period_start=period, derived=True)
            session.add(point)
        elif (point.value, point.numerator, point.denominator) == (value, numerator, denominator):
            continue
        point.value, point.numerator, point.denominator = value, numerator, denominator
        point.note = note
        changed += 1
    measure.derivation = replace(d, computed_on=today).to_json()
    session.flush()
    session.expire(measure, ["points"])
    return changed


def _derived_measures(session: Session) -> list[tuple[Measure, Derivation]]:
    measures = session.scalars(select(Measure).where(Measure.derivation.is_not(None)))
    return [(m, d) for m in measures if (d := derivation_of(m)) is not None]


def tracker_changed(
    session: Session,
    tracker_id: int,
    days: Iterable[date],
    today: date | None,
    *,
    full: bool = False,
) -> None:
    """Called by the tracker services after rows change."""
    today = today or date.today()
    days = list(days)
    for measure, d in _derived_measures(session):
        if d.source == "tracker" and d.tracker_id == tracker_id:
            recompute(session, measure, today, days=None if full else days)


def records_changed(session: Session, source: str, service_id: int, today: date | None) -> None:
    """Called by the incident and observation services after a record changes."""
    today = today or date.today()
    for measure, d in _derived_measures(session):
        if d.source == source and action_service_id(session, measure.action_id) == service_id:
            recompute(session, measure, today)


def bring_up_to_date(session: Session, today: date) -> int:
    """Recompute measures last worked out before today: a new week needs its point, and an
    incident whose 7 days ran out yesterday now counts as late. Cheap when nothing is due."""
    changed = 0
    for measure, d in _derived_measures(session):
        if d.computed_on is None or d.computed_on < today:
            changed += recompute(session, measure, today)
    return changed


def needs_update(session: Session, today: date) -> bool:
    return any(
        d.computed_on is None or d.computed_on < today for _, d in _derived_measures(session)
    )


# --- defining ---------------------------------------------------------------------------------


def create_derived_measure(
    session: Session, action_id: int, data: MeasureInput, derivation: Derivation, today: date
) -> Measure:
    """A new measure whose points come from records, computed straight away."""
    require(session, Permission.EDIT_PLANS)
    service_id = action_service_id(session, action_id)
    if service_id is None:
        raise NotFound("That action no longer exists.")
    clean = check_derivation(session, derivation, service_id)
    if not data.data_source.strip():
        data = replace(data, data_source=describe(session, clean, data.frequency)[:200])
    measure = create_measure(session, action_id, data)
    measure.derivation = clean.to_json()
    recompute(session, measure, today)
    return measure


def set_derivation(
    session: Session, measure_id: int, derivation: Derivation | None, today: date
) -> Measure:
    """Make a measure derived, change its rule, or (None) go back to typing points in, keeping
    the derived points as ordinary ones."""
    require(session, Permission.EDIT_PLANS)
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("That measure no longer exists.")
    if derivation is None:
        measure.derivation = None
        for point in session.scalars(
            select(MeasurePoint).where(MeasurePoint.measure_id == measure.id)
        ):
            point.derived = False
        session.flush()
        return measure
    service_id = action_service_id(session, measure.action_id)
    assert service_id is not None
    clean = check_derivation(session, derivation, service_id)
    measure.derivation = clean.to_json()
    measure.data_source = describe(session, clean, measure.frequency)[:200]
    recompute(session, measure, today)
    return measure


@dataclass(frozen=True)
class DerivedSummary:
    """A derived measure as the trackers and incidents tabs show it."""

    measure_id: int
    name: str
    description: str
    latest_period: date | None
    latest_value: float | None
    latest_note: str


def summaries(
    session: Session, source: str, *, tracker_id: int | None = None, service_id: int | None = None
) -> list[DerivedSummary]:
    out = []
    for measure, d in _derived_measures(session):
        if d.source != source:
            continue
        if source == "tracker" and d.tracker_id != tracker_id:
            continue
        if source != "tracker" and action_service_id(session, measure.action_id) != service_id:
            continue
        last = session.scalars(
            select(MeasurePoint)
            .where(MeasurePoint.measure_id == measure.id)
            .order_by(MeasurePoint.period_start.desc())
            .limit(1)
        ).first()
        out.append(
            DerivedSummary(
                measure.id,
                measure.name,
                describe(session, d, measure.frequency),
                last.period_start if last else None,
                last.value if last else None,
                last.note if last else "",
            )
        )
    return out
