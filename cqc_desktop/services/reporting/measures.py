"""Measures for reports: each with its points up to the report date and the same progress and
SPC readings the app shows (services/measures and services/spc, with the rule lengths from the
settings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Finding, Measure, MeasureChange, MeasurePoint, Plan
from ..plans.measure_reading import (
    MARK_CLOSED,
    MARK_REOPENED,
    ChartMark,
    MeasureReading,
    change_label,
    read_series,
)
from ..plans.measures import progress
from ..plans.spc import SpcRules, XmrLimits, spc_rules


@dataclass(frozen=True)
class PointData:
    period_start: date
    value: float
    variation: str  # spc.Variation value
    rules: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class MeasureSeries:
    """A measure with its points and the SPC and progress readings the app shows for it."""

    id: int
    action_id: int
    action_reference: str
    action_title: str
    name: str
    unit: str
    direction: str
    frequency: str
    baseline: float
    baseline_period: str
    target: float  # absolute, worked out from a relative target
    target_kind: str
    target_setting: float  # as entered: −80 for "80 % fewer"
    target_date: date | None
    data_source: str
    points: tuple[PointData, ...]
    limits: XmrLimits | None
    variation: str
    assurance: str
    latest: float | None
    change_percent: float | None
    at_target: bool
    sustained_points: int
    fraction_of_goal: float | None
    progress_label: str
    reading: MeasureReading  # phases, icons, marks and the plain-English sentence

    @property
    def latest_point(self) -> PointData | None:
        return self.points[-1] if self.points else None


def measure_series(
    session: Session,
    up_to: date,
    *,
    service_ids: Sequence[int] | None = None,
    action_ids: Iterable[int] | None = None,
    since: date | None = None,
) -> list[MeasureSeries]:
    """Measures of unarchived actions with their points up to ``up_to`` (and from ``since``)."""
    stmt = (
        select(Measure, Action.reference, Action.title, Action.closed_on, Action.reopened_on)
        .join(Action, Measure.action_id == Action.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Action.archived.is_(False), Plan.archived.is_(False))
        .order_by(Plan.service_id, Plan.id, Finding.id, Action.id, Measure.id)
    )
    if service_ids is not None:
        stmt = stmt.where(Plan.service_id.in_(list(service_ids)))
    if action_ids is not None:
        stmt = stmt.where(Action.id.in_(list(action_ids)))
    measures = session.execute(stmt).all()
    if not measures:
        return []
    # Plain rows rather than MeasurePoint objects: a large home has thousands of points.
    points_stmt = (
        select(
            MeasurePoint.measure_id,
            MeasurePoint.period_start,
            MeasurePoint.value,
            MeasurePoint.note,
        )
        .where(
            MeasurePoint.measure_id.in_([row[0].id for row in measures]),
            MeasurePoint.period_start <= up_to,
        )
        .order_by(MeasurePoint.measure_id, MeasurePoint.period_start)
    )
    if since is not None:
        points_stmt = points_stmt.where(MeasurePoint.period_start >= since)
    by_measure: dict[int, list[_Point]] = defaultdict(list)
    for point in session.execute(points_stmt):
        by_measure[point.measure_id].append(point)
    changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for change in session.scalars(
        select(MeasureChange)
        .where(
            MeasureChange.measure_id.in_([row[0].id for row in measures]),
            MeasureChange.changed_on <= up_to,
        )
        .order_by(MeasureChange.changed_on)
    ):
        changes[change.measure_id].append((change.changed_on, change_label(change)))
    rules = spc_rules(session)
    out: list[MeasureSeries] = []
    for measure, reference, title, closed_on, reopened_on in measures:
        events = [
            ChartMark(on, kind, label)
            for on, kind, label in (
                (closed_on, MARK_CLOSED, "Closed"),
                (reopened_on, MARK_REOPENED, "Reopened"),
            )
            if on is not None and on <= up_to
        ]
        out.append(
            _series(
                measure,
                reference,
                title,
                by_measure[measure.id],
                rules,
                changes[measure.id],
                events,
            )
        )
    return out


class _Point(Protocol):
    measure_id: int
    period_start: date
    value: float
    note: str


def _series(
    measure: Measure,
    reference: str,
    title: str,
    points: Sequence[_Point],
    rules: SpcRules,
    changes: Sequence[tuple[date, str]] = (),
    events: Sequence[ChartMark] = (),
) -> MeasureSeries:
    values = [p.value for p in points]
    prog = progress(
        values,
        baseline=measure.baseline_value,
        direction=measure.direction,
        target_kind=measure.target_kind,
        target=measure.target_value,
    )
    reading = read_series(
        name=measure.name,
        unit=measure.unit,
        direction=measure.direction,
        frequency=measure.frequency,
        baseline=measure.baseline_value,
        target=prog.target,
        periods=[p.period_start for p in points],
        values=values,
        changes=changes,
        events=events,
        rules=rules,
    )
    result = reading.result
    current = result.current
    return MeasureSeries(
        id=measure.id,
        action_id=measure.action_id,
        action_reference=reference,
        action_title=title,
        name=measure.name,
        unit=measure.unit,
        direction=measure.direction,
        frequency=measure.frequency,
        baseline=measure.baseline_value,
        baseline_period=measure.baseline_period,
        target=prog.target,
        target_kind=measure.target_kind,
        target_setting=measure.target_value,
        target_date=measure.target_date,
        data_source=measure.data_source,
        points=tuple(
            PointData(p.period_start, p.value, r.variation.value, r.rules, p.note)
            for p, r in zip(points, result.points, strict=True)
        ),
        limits=current.limits if current is not None else None,
        variation=result.variation.value if points else "no data yet",
        assurance=result.assurance.value,
        latest=prog.latest,
        change_percent=prog.change_percent,
        at_target=prog.at_target,
        sustained_points=prog.sustained_points,
        fraction_of_goal=prog.fraction_of_goal,
        progress_label=prog.label,
        reading=reading,
    )
