"""XmR charts in phases: limits belong to the way the process runs, not to every point ever taken.

Making Data Count's guidance, as this module applies it:

- The first phase (the baseline) gives the first limits.
- A recalculation point is a date when a change was made (a step done, or a date the manager
  chose, with a reason). Limits are worked out again from that date only once the change has
  produced a sustained shift: the first ``shift_length`` points after it all lie on one side of
  the previous phase's mean (or of the recorded baseline when the chart has no points before
  the change). Until then the date is marked but the old limits stay, so the new points are
  judged against how the process used to run — which is how a real shift shows up as special
  cause in the first place.
- A phase's limits come from its first ``limit_points`` points (about 12), then stay fixed;
  a phase with fewer points has provisional limits.
- The special-cause rules run within a phase: a run never continues across a recalculation.
- Limits are held within what the measure can be (0–100 for a percentage, 0 or more for a
  count), for display and for assurance.

Pure standard-library Python, like ``spc``: the UI, the reports and the closure gate all read
a measure through ``analyse_phases``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .spc import (
    DEFAULT_RULES,
    Assurance,
    Direction,
    PointReading,
    SpcRules,
    Variation,
    XmrLimits,
    read_with_limits,
    xmr_limits,
)

__all__ = [
    "LIMIT_POINTS",
    "Bounds",
    "BreakStatus",
    "Phase",
    "PhasedResult",
    "RequestedBreak",
    "analyse_phases",
    "bounds_for",
    "clamp_limits",
]

# Making Data Count: limits from about 12 points where available (fewer are provisional).
LIMIT_POINTS = 12


@dataclass(frozen=True)
class Bounds:
    """What values the measure can take: (lower, upper), None for no bound."""

    lower: float | None = None
    upper: float | None = None

    @property
    def description(self) -> str:
        if self.lower is not None and self.upper is not None:
            return (
                f"Limits are held within {self.lower:g}–{self.upper:g}, "
                "because a percentage cannot go outside that range."
            )
        if self.lower is not None:
            return f"The lower limit is held at {self.lower:g}, because a count cannot go below it."
        return ""


def bounds_for(unit: str, values: Sequence[float], baseline: float, target: float) -> Bounds:
    """0–100 for a percentage; 0 or more for a measure that has never been negative (a count)."""
    if unit.strip().lower() in {"%", "percent", "per cent", "percentage"}:
        return Bounds(0.0, 100.0)
    if min([*values, baseline, target]) >= 0:
        return Bounds(0.0, None)
    return Bounds()


def clamp_limits(limits: XmrLimits, bounds: Bounds) -> tuple[XmrLimits, bool]:
    """The limits held within the bounds, and whether any had to be moved."""

    def held(value: float) -> float:
        if bounds.lower is not None and value < bounds.lower:
            return bounds.lower
        if bounds.upper is not None and value > bounds.upper:
            return bounds.upper
        return value

    clamped = replace(
        limits,
        upper=held(limits.upper),
        lower=held(limits.lower),
        upper_two_sigma=held(limits.upper_two_sigma),
        lower_two_sigma=held(limits.lower_two_sigma),
    )
    return clamped, clamped != limits


class BreakStatus(StrEnum):
    RECALCULATED = "recalculated"  # a sustained shift followed: limits worked out again
    PENDING = "waiting for enough points"  # too few points after it to tell yet
    NO_SHIFT = "no sustained shift"  # points after it did not all move one way
    BEFORE_DATA = "before the first point"  # nothing to split


@dataclass(frozen=True)
class RequestedBreak:
    """A recalculation point as the chart found it: where it falls and what became of it."""

    index: int  # first point on or after the change
    label: str
    status: BreakStatus
    points_after: int  # how many points follow it so far


@dataclass(frozen=True)
class Phase:
    start: int  # index of the first point
    stop: int  # one past the last point
    label: str  # "Baseline" or what started it
    limits: XmrLimits | None  # held within the bounds
    limit_points: int  # how many points the limits were worked out from
    provisional: bool  # fewer than LIMIT_POINTS points behind the limits
    clamped: bool  # a limit was held at a bound
    assurance: Assurance

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class PhasedResult:
    phases: tuple[Phase, ...]
    points: tuple[PointReading, ...]
    breaks: tuple[RequestedBreak, ...]
    bounds: Bounds
    variation: Variation  # the latest point's
    assurance: Assurance  # the current phase's

    @property
    def current(self) -> Phase | None:
        return self.phases[-1] if self.phases else None

    @property
    def previous(self) -> Phase | None:
        return self.phases[-2] if len(self.phases) > 1 else None

    def phase_of(self, index: int) -> Phase:
        return next(p for p in self.phases if p.start <= index < p.stop)


def _side(reference: float, value: float) -> int:
    return (value > reference) - (value < reference)


def _shift_status(
    values: Sequence[float], start: int, reference: float | None, rules: SpcRules
) -> BreakStatus:
    after = values[start:]
    if reference is None:
        # No earlier level to compare with: the change starts the chart.
        return BreakStatus.RECALCULATED
    sides = {_side(reference, v) for v in after[: rules.shift_length]}
    if len(sides) != 1 or 0 in sides:
        return BreakStatus.NO_SHIFT
    if len(after) < rules.shift_length:
        return BreakStatus.PENDING
    return BreakStatus.RECALCULATED


def _assurance(limits: XmrLimits | None, target: float | None, better: Direction) -> Assurance:
    # The same rule as spc.analyse, on the (bounded) limits of one phase.
    if target is None:
        return Assurance.NO_TARGET
    if limits is None:
        return Assurance.TOO_FEW_POINTS
    if better is Direction.HIGHER:
        if limits.lower >= target:
            return Assurance.PASS
        if limits.upper < target:
            return Assurance.FAIL
    else:
        if limits.upper <= target:
            return Assurance.PASS
        if limits.lower > target:
            return Assurance.FAIL
    return Assurance.INCONSISTENT


def _phase(
    values: Sequence[float],
    start: int,
    stop: int,
    label: str,
    rules: SpcRules,
    bounds: Bounds,
    target: float | None,
    better: Direction,
    hold_at: int | None = None,
) -> Phase:
    # Points after a change still waiting to show a shift are not mixed into the limits.
    end = stop if hold_at is None or hold_at <= start + 1 else min(stop, hold_at)
    used = min(end - start, LIMIT_POINTS)
    raw = xmr_limits(values[start : start + used], rules)
    limits, clamped = (None, False) if raw is None else clamp_limits(raw, bounds)
    return Phase(
        start=start,
        stop=stop,
        label=label,
        limits=limits,
        limit_points=used if raw is not None else 0,
        provisional=raw is not None and used < LIMIT_POINTS,
        clamped=clamped,
        assurance=_assurance(limits, target, better),
    )


def analyse_phases(
    values: Sequence[float],
    direction: Direction | str,
    target: float | None = None,
    rules: SpcRules = DEFAULT_RULES,
    *,
    changes: Sequence[tuple[int, str]] = (),
    baseline: float | None = None,
    bounds: Bounds | None = None,
) -> PhasedResult:
    """Read a measure in phases.

    ``changes`` are (index of the first point on or after the change, label), in date order;
    ``baseline`` is the recorded starting level, used when no points come before a change.
    """
    better = Direction(str(direction).strip().lower())
    checked = [float(v) for v in values]
    bounds = bounds or Bounds()
    starts: list[tuple[int, str]] = [(0, "Baseline")]
    found: list[RequestedBreak] = []
    for index, label in sorted(changes, key=lambda c: c[0]):
        points_after = max(0, len(checked) - index)
        if index >= len(checked):
            found.append(RequestedBreak(index, label, BreakStatus.PENDING, 0))
            continue
        if index <= 0:
            # A change dated before the first point: every point is already after it.
            starts[0] = (0, label)
            found.append(RequestedBreak(0, label, BreakStatus.BEFORE_DATA, points_after))
            continue
        previous_start = starts[-1][0]
        if index <= previous_start:
            found.append(RequestedBreak(index, label, BreakStatus.NO_SHIFT, points_after))
            continue
        used = checked[previous_start : min(index, previous_start + LIMIT_POINTS)]
        reference: float | None
        if len(used) >= 2:
            reference = sum(used) / len(used)
        elif baseline is not None and math.isfinite(baseline):
            reference = baseline
        else:
            reference = used[0] if used else None
        status = _shift_status(checked, index, reference, rules)
        found.append(RequestedBreak(index, label, status, points_after))
        if status is BreakStatus.RECALCULATED:
            starts.append((index, label))

    pending = [b.index for b in found if b.status is BreakStatus.PENDING and b.points_after]
    phases: list[Phase] = []
    readings: list[PointReading] = []
    for n, (start, label) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(checked)
        hold = next((i for i in pending if start < i < stop), None)
        phase = _phase(checked, start, stop, label, rules, bounds, target, better, hold)
        phases.append(phase)
        readings.extend(_read_phase(checked, phase, better, rules))
    if not checked:
        phases = [_phase(checked, 0, 0, "Baseline", rules, bounds, target, better)]
    current = phases[-1]
    return PhasedResult(
        phases=tuple(phases),
        points=tuple(readings),
        breaks=tuple(found),
        bounds=bounds,
        variation=readings[-1].variation if readings else Variation.COMMON,
        assurance=current.assurance,
    )


def _read_phase(
    values: Sequence[float], phase: Phase, better: Direction, rules: SpcRules
) -> list[PointReading]:
    """Special-cause readings of one phase's points against that phase's (bounded) limits."""
    segment = values[phase.start : phase.stop]
    readings = read_with_limits(segment, phase.limits, better, rules)
    return [PointReading(phase.start + r.index, r.value, r.rules, r.variation) for r in readings]
