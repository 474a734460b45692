"""One reading of a measure for every place that shows it (the Measure tab, the PDFs, the gate):
the phased XmR analysis, the icons, the marks for changes, reopening and closure, and the
plain-English sentence — worked out once, from the same points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ...models import Action, Measure, MeasureChange
from ..errors import NotFound, ValidationError
from ..trust.permissions import Permission, current_actor, require
from .measure_words import describe
from .measures import target_value
from .spc import DEFAULT_RULES, SpcRules
from .spc_icons import AssuranceIcon, VariationIcon, assurance_icon, variation_icon
from .spc_phases import PhasedResult, analyse_phases, bounds_for

MARK_CHANGE = "change"
MARK_REOPENED = "reopened"
MARK_CLOSED = "closed"


@dataclass(frozen=True)
class ChartMark:
    """A labelled vertical mark on the chart."""

    on: date
    kind: str  # MARK_CHANGE, MARK_REOPENED or MARK_CLOSED
    label: str


@dataclass(frozen=True)
class MeasureReading:
    periods: tuple[date, ...]
    result: PhasedResult
    target: float
    marks: tuple[ChartMark, ...]
    variation_icon: VariationIcon
    assurance_icon: AssuranceIcon | None
    sentence: str

    @property
    def caption(self) -> str:
        """What the reader should know about the limits themselves (bounds, provisional)."""
        notes: list[str] = []
        current = self.result.current
        if current is not None and current.provisional:
            notes.append(
                f"The current limits are provisional: worked out from {current.limit_points} "
                "points (about 12 are needed)."
            )
        if any(p.clamped for p in self.result.phases):
            notes.append(self.result.bounds.description)
        return " ".join(notes)


def read_series(
    *,
    name: str,
    unit: str,
    direction: str,
    frequency: str,
    baseline: float,
    target: float,
    periods: Sequence[date],
    values: Sequence[float],
    changes: Sequence[tuple[date, str]] = (),
    events: Sequence[ChartMark] = (),
    rules: SpcRules = DEFAULT_RULES,
) -> MeasureReading:
    """The reading of a series of points (``periods`` ascending) with its recorded changes."""
    found: list[tuple[int, str]] = []
    for on, label in sorted(changes):
        index = next((i for i, p in enumerate(periods) if p >= on), len(periods))
        found.append((index, label))
    result = analyse_phases(
        values,
        direction,
        target,
        rules,
        changes=found,
        baseline=baseline,
        bounds=bounds_for(unit, values, baseline, target),
    )
    marks = [ChartMark(on, MARK_CHANGE, label) for on, label in sorted(changes)]
    marks += list(events)
    return MeasureReading(
        periods=tuple(periods),
        result=result,
        target=target,
        marks=tuple(sorted(marks, key=lambda m: m.on)),
        variation_icon=variation_icon(result, direction),
        assurance_icon=assurance_icon(result),
        sentence=describe(
            result,
            name=name,
            unit=unit,
            direction=direction,
            frequency=frequency,
            baseline=baseline,
            target=target,
            periods=periods,
            rules=rules,
        ),
    )


def action_events(action: Action, up_to: date) -> list[ChartMark]:
    """Closure and reopening of the action, as marks on its measure's chart."""
    events: list[ChartMark] = []
    if action.closed_on is not None and action.closed_on <= up_to:
        events.append(ChartMark(action.closed_on, MARK_CLOSED, "Closed"))
    if action.reopened_on is not None and action.reopened_on <= up_to:
        events.append(ChartMark(action.reopened_on, MARK_REOPENED, "Reopened"))
    return events


def measure_reading(
    measure: Measure, up_to: date, rules: SpcRules = DEFAULT_RULES, *, since: date | None = None
) -> MeasureReading:
    points = [
        p
        for p in measure.points
        if p.period_start <= up_to and (since is None or p.period_start >= since)
    ]
    return read_series(
        name=measure.name,
        unit=measure.unit,
        direction=measure.direction,
        frequency=measure.frequency,
        baseline=measure.baseline_value,
        target=target_value(measure.baseline_value, measure.target_kind, measure.target_value),
        periods=[p.period_start for p in points],
        values=[p.value for p in points],
        changes=[(c.changed_on, change_label(c)) for c in measure.changes if c.changed_on <= up_to],
        events=action_events(measure.action, up_to),
        rules=rules,
    )


def change_label(change: MeasureChange) -> str:
    return change.reason.strip() or "Change made"


# --- recording changes --------------------------------------------------------------------------


def record_change(
    session: Session,
    measure_id: int,
    changed_on: date,
    reason: str,
    *,
    step_id: int | None = None,
    today: date | None = None,
) -> MeasureChange:
    """Record the date a change was made (kept in the audit trail like every record)."""
    require(session, Permission.EDIT_PLANS)
    actor = current_actor(session)
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("That measure no longer exists.")
    if step_id is not None:
        step = next((s for s in measure.action.steps if s.id == step_id), None)
        if step is None:
            raise NotFound("That step is not part of this measure's action.")
        if step.done_on is None:
            raise ValidationError.single(
                "step", "That step is not done yet: a change can be marked once it is made."
            )
        changed_on = step.done_on
        reason = reason.strip() or step.description
    if not reason.strip():
        raise ValidationError.single(
            "reason", "Say what changed on that date, for example “Protected medicines round”."
        )
    if today is not None and changed_on > today:
        raise ValidationError.single("changed_on", "A change cannot be dated in the future.")
    if any(c.changed_on == changed_on for c in measure.changes):
        raise ValidationError.single(
            "changed_on", f"A change is already recorded on {changed_on:%d/%m/%Y}."
        )
    change = MeasureChange(
        measure_id=measure_id,
        changed_on=changed_on,
        reason=reason.strip(),
        step_id=step_id,
        recorded_by_id=actor.person_id if actor is not None else None,
    )
    session.add(change)
    session.flush()
    session.refresh(measure)
    return change


def delete_change(session: Session, change_id: int) -> None:
    require(session, Permission.EDIT_PLANS)
    change = session.get(MeasureChange, change_id)
    if change is None:
        raise NotFound("That change no longer exists.")
    session.delete(change)
    session.flush()
