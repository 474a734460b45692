"""Creating measures and recording their points (typed in; derived points come from trackers)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Measure, MeasurePoint
from ...models.enums import Direction, MeasureFrequency, TargetKind
from ..errors import NotAllowed, NotFound, Problems, ValidationError
from ..trust import withdrawals
from ..trust.permissions import Permission, require
from .measures import Progress, progress
from .spc import DEFAULT_RULES, SpcResult, SpcRules, analyse


@dataclass
class MeasureInput:
    name: str
    direction: str
    baseline_value: float | None
    target_kind: str
    target_value: float | None
    unit: str = ""
    baseline_period: str = ""
    target_date: date | None = None
    data_source: str = ""
    frequency: str = MeasureFrequency.WEEKLY.value


def _check(data: MeasureInput) -> None:
    p = Problems()
    p.require("name", data.name, "Name the measure, for example “Late medicines entries per week”.")
    p.choice("direction", data.direction, Direction, "direction (lower or higher is better)")
    p.choice("target_kind", data.target_kind, TargetKind, "target type")
    p.choice("frequency", data.frequency, MeasureFrequency, "frequency")
    if data.baseline_value is None:
        p.add("baseline_value", "Enter the baseline: where the measure stood before the action.")
    elif not math.isfinite(data.baseline_value):
        p.add("baseline_value", "The baseline must be an ordinary number, for example 15.")
    if data.target_value is None:
        p.add("target_value", "Enter the target.")
    elif not math.isfinite(data.target_value):
        p.add("target_value", "The target must be an ordinary number, for example 3 or -80.")
    elif data.target_kind == TargetKind.RELATIVE and data.target_value <= -100:
        p.add("target_value", "A relative target cannot be a fall of 100 % or more.")
    p.raise_if_any()


def create_measure(session: Session, action_id: int, data: MeasureInput) -> Measure:
    require(session, Permission.EDIT_PLANS)
    if session.get(Action, action_id) is None:
        raise NotFound("That action no longer exists.")
    _check(data)
    assert data.baseline_value is not None and data.target_value is not None
    measure = Measure(
        action_id=action_id,
        name=data.name.strip(),
        unit=data.unit.strip(),
        direction=data.direction,
        frequency=data.frequency,
        baseline_value=data.baseline_value,
        baseline_period=data.baseline_period.strip(),
        target_kind=data.target_kind,
        target_value=data.target_value,
        target_date=data.target_date,
        data_source=data.data_source.strip(),
    )
    session.add(measure)
    session.flush()
    return measure


class SamePeriod(ValidationError):
    """A point already exists for the week or month of the date given (on another day)."""

    def __init__(self, existing: MeasurePoint, period_name: str) -> None:
        super().__init__(
            {
                "period_start": f"There is already a point for the {period_name} "
                f"({existing.period_start:%d/%m/%Y}: {existing.value:g}). Replace it?"
            }
        )
        self.existing_period = existing.period_start
        self.existing_value = existing.value


def period_of(frequency: str, day: date) -> tuple[date, str]:
    """The start of the week (Monday) or month ``day`` falls in, and how to name that period."""
    if frequency == MeasureFrequency.MONTHLY:
        start = day.replace(day=1)
        return start, f"month of {start:%B %Y}"
    start = day - timedelta(days=day.weekday())
    return start, f"week starting {start:%d/%m/%Y}"


def _last_day(frequency: str, start: date) -> date:
    """The last day of the week or month starting on ``start`` (date.max at the calendar's end)."""
    try:
        if frequency == MeasureFrequency.MONTHLY:
            return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return start + timedelta(days=6)
    except OverflowError:
        return date.max


def record_point(
    session: Session,
    measure_id: int,
    period_start: date,
    value: float,
    note: str = "",
    *,
    numerator: float | None = None,
    denominator: float | None = None,
    replace: bool = False,
) -> MeasurePoint:
    """Add or correct the value for one period. Derived points cannot be typed over.

    A weekly or monthly measure has one point per week or month: a second date in the same
    period raises ``SamePeriod`` unless ``replace`` is given, which removes the other point.
    """
    require(session, Permission.EDIT_PLANS)
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("That measure no longer exists.")
    if not math.isfinite(value):
        raise ValidationError.single(
            "value", "Enter the value as an ordinary number, for example 3."
        )
    point = session.scalar(
        select(MeasurePoint).where(
            MeasurePoint.measure_id == measure_id, MeasurePoint.period_start == period_start
        )
    )
    if point is not None and point.derived:
        raise NotAllowed(
            "This point is worked out from tracker records; correct the records instead."
        )
    if point is None:
        start, name = period_of(measure.frequency, period_start)
        clash = session.scalar(
            select(MeasurePoint).where(
                MeasurePoint.measure_id == measure_id,
                MeasurePoint.period_start >= start,
                MeasurePoint.period_start <= _last_day(measure.frequency, start),
            )
        )
        if clash is not None:
            if clash.derived:
                raise NotAllowed(f"The {name} already has a point worked out from tracker records.")
            if not replace:
                raise SamePeriod(clash, name)
            session.delete(clash)
            session.flush()
    if point is None:
        point = MeasurePoint(measure_id=measure_id, period_start=period_start, value=value)
        session.add(point)
    point.value = float(value)
    point.note = note.strip()
    point.numerator = numerator
    point.denominator = denominator
    session.flush()
    return point


def get_measure(session: Session, measure_id: int) -> Measure:
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("That measure no longer exists.")
    return measure


def update_measure(session: Session, measure_id: int, data: MeasureInput) -> Measure:
    """Correct a measure's definition; its points are kept."""
    require(session, Permission.EDIT_PLANS)
    measure = get_measure(session, measure_id)
    _check(data)
    assert data.baseline_value is not None and data.target_value is not None
    measure.name = data.name.strip()
    measure.unit = data.unit.strip()
    measure.direction = data.direction
    measure.frequency = data.frequency
    measure.baseline_value = data.baseline_value
    measure.baseline_period = data.baseline_period.strip()
    measure.target_kind = data.target_kind
    measure.target_value = data.target_value
    measure.target_date = data.target_date
    measure.data_source = data.data_source.strip()
    session.flush()
    return measure


def withdraw_point(session: Session, point_id: int, reason: str) -> None:
    """Take a typed-in point entered by mistake out of the measure, keeping it and the reason in
    the withdrawals register. Derived points follow their records."""
    require(session, Permission.EDIT_PLANS)
    point = session.get(MeasurePoint, point_id)
    if point is None:
        raise NotFound("That point no longer exists.")
    if point.derived:
        raise NotAllowed(
            "This point is worked out from tracker records; correct the records instead."
        )
    withdrawals.withdraw(session, point, reason)


def measures_for(session: Session, action_id: int) -> list[Measure]:
    return list(
        session.scalars(select(Measure).where(Measure.action_id == action_id).order_by(Measure.id))
    )


def measure_progress(measure: Measure) -> Progress:
    return progress(
        [p.value for p in measure.points],
        baseline=measure.baseline_value,
        direction=measure.direction,
        target_kind=measure.target_kind,
        target=measure.target_value,
    )


def measure_spc(measure: Measure, rules: SpcRules = DEFAULT_RULES) -> SpcResult:
    prog = measure_progress(measure)
    return analyse([p.value for p in measure.points], measure.direction, prog.target, rules)
