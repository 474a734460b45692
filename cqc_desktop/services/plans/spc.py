"""Statistical process control for improvement measures (NHS "Making Data Count").

An XmR (individuals and moving range) chart separates the ordinary ups and downs
of a measure (common cause variation) from signals that something has really
changed (special cause variation), and says whether the process as it runs now
can be relied on to meet its target (assurance).

Everything here is pure standard-library Python so the same judgement can be made
by the UI, the reports and the tests without a database or a display.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

from sqlalchemy.orm import Session

from ..trust import settings

__all__ = [
    "DEFAULT_RULES",
    "RULE_OUTSIDE_LIMITS",
    "RULE_SHIFT",
    "RULE_TREND",
    "RULE_TWO_OF_THREE",
    "Assurance",
    "Direction",
    "PointReading",
    "SpcResult",
    "SpcRules",
    "Variation",
    "XmrLimits",
    "analyse",
    "read_with_limits",
    "xmr_limits",
]


class Direction(StrEnum):
    LOWER = "lower"
    HIGHER = "higher"


class Variation(StrEnum):
    COMMON = "common cause"
    IMPROVEMENT = "special cause improvement"
    CONCERN = "special cause concern"
    # Making Data Count uses this for measures with no better direction; every
    # measure here has one, so analyse() never returns it.
    NEITHER = "special cause (neither improvement nor concern)"


class Assurance(StrEnum):
    PASS = "will consistently pass the target"
    FAIL = "will consistently fail the target"
    INCONSISTENT = "inconsistent: will hit and miss the target"
    NO_TARGET = "no target set"
    TOO_FEW_POINTS = "too few points to judge"


RULE_OUTSIDE_LIMITS = "outside limits"
RULE_SHIFT = "shift"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two of three"

# Reported in this order whatever order the checks run in, so the same point
# always reads the same way on screen and in an exported report.
_RULE_ORDER = (RULE_OUTSIDE_LIMITS, RULE_SHIFT, RULE_TREND, RULE_TWO_OF_THREE)

# 2.66 = 3 / d2 (d2 = 1.128 for moving ranges of two points): turns the average
# moving range into three sigma. Kept as an exact fraction so limits such as
# 11.6 + 2.66 * 1.5 come out as the decimal a manager would get by hand.
_E2 = Fraction("2.66")
_TWO_SIGMA = _E2 * Fraction(2, 3)


@dataclass(frozen=True)
class SpcRules:
    """Which special cause tests to apply and how long a run must be to count."""

    shift_length: int = 7
    trend_length: int = 7
    two_of_three: bool = True
    min_points: int = 2

    def __post_init__(self) -> None:
        # A run of one point would flag every point, and a moving range needs
        # two values, so smaller settings can only come from a mistake.
        if self.shift_length < 2:
            raise ValueError("A shift must be at least 2 points long.")
        if self.trend_length < 2:
            raise ValueError("A trend must be at least 2 points long.")
        if self.min_points < 2:
            raise ValueError(
                "At least 2 points are needed before limits can be worked out, "
                "because the moving range compares each point with the one before."
            )


DEFAULT_RULES = SpcRules()


@dataclass(frozen=True)
class XmrLimits:
    """Centre line and process limits of an XmR chart.

    Limits can be infinite only for absurd data (values near the largest float),
    where the honest answer is that the process is unbounded.
    """

    mean: float
    average_moving_range: float
    upper: float
    lower: float
    upper_two_sigma: float
    lower_two_sigma: float


@dataclass(frozen=True)
class PointReading:
    """How one point on the chart reads."""

    index: int
    value: float
    rules: tuple[str, ...]
    variation: Variation

    @property
    def special_cause(self) -> bool:
        return self.variation is not Variation.COMMON


@dataclass(frozen=True)
class SpcResult:
    """The whole chart: limits, every point, and the headline readings."""

    limits: XmrLimits | None
    points: tuple[PointReading, ...]
    variation: Variation
    assurance: Assurance


def _finite_values(values: Sequence[float]) -> list[float]:
    checked: list[float] = []
    for position, raw in enumerate(values, start=1):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(
                f"Value number {position} is not a real number ({raw!r}); "
                "every point on the chart must be an ordinary number."
            )
        checked.append(value)
    return checked


def _to_float(exact: Fraction) -> float:
    # Exact arithmetic cannot overflow, but the answer may still be too large
    # for a float (e.g. the moving range between -1e308 and 1e308).
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def _parse_direction(direction: Direction | str) -> Direction:
    if isinstance(direction, Direction):
        return direction
    try:
        return Direction(str(direction).strip().lower())
    except ValueError:
        raise ValueError(
            f"Direction must be 'lower' or 'higher' (whichever is better for "
            f"this measure), not {direction!r}."
        ) from None


def xmr_limits(values: Sequence[float], rules: SpcRules = DEFAULT_RULES) -> XmrLimits | None:
    """Work out XmR limits from every value given, or None if there are too few."""
    checked = _finite_values(values)
    if len(checked) < rules.min_points:
        return None
    # Fractions keep the sums exact: no overflow for huge values, and no
    # rounding drift that could put the mean outside its own limits.
    exact = [Fraction(value) for value in checked]
    mean = sum(exact, Fraction(0)) / len(exact)
    moving_ranges = [abs(b - a) for a, b in pairwise(exact)]
    average_mr = sum(moving_ranges, Fraction(0)) / len(moving_ranges)
    return XmrLimits(
        mean=_to_float(mean),
        average_moving_range=_to_float(average_mr),
        upper=_to_float(mean + _E2 * average_mr),
        lower=_to_float(mean - _E2 * average_mr),
        upper_two_sigma=_to_float(mean + _TWO_SIGMA * average_mr),
        lower_two_sigma=_to_float(mean - _TWO_SIGMA * average_mr),
    )


def _compare(reference: float, value: float) -> int:
    """+1 if value is above reference, -1 if below, 0 if equal."""
    # Comparisons rather than subtraction: subtracting huge values can overflow.
    return (value > reference) - (value < reference)


def _runs(signs: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """Yield (start, stop, sign) for each maximal run of equal non-zero signs."""
    start = 0
    while start < len(signs):
        stop = start + 1
        while stop < len(signs) and signs[stop] == signs[start]:
            stop += 1
        if signs[start] != 0:
            yield start, stop, signs[start]
        start = stop


# Each flag is (point index, rule, movement) where movement is +1 for a
# deviation upwards and -1 for downwards; direction of "better" is applied later.
_Flag = tuple[int, str, int]


def _outside_limits(values: Sequence[float], limits: XmrLimits) -> Iterator[_Flag]:
    for index, value in enumerate(values):
        if value > limits.upper:
            yield index, RULE_OUTSIDE_LIMITS, 1
        elif value < limits.lower:
            yield index, RULE_OUTSIDE_LIMITS, -1


def _shifts(values: Sequence[float], mean: float, length: int) -> Iterator[_Flag]:
    # A point exactly on the mean has sign 0, which ends the run as required.
    sides = [_compare(mean, value) for value in values]
    for start, stop, side in _runs(sides):
        if stop - start >= length:
            for index in range(start, stop):
                yield index, RULE_SHIFT, side


def _trends(values: Sequence[float], length: int) -> Iterator[_Flag]:
    # steps[i] compares point i + 1 with point i, so a run of k equal steps
    # starting at i covers the k + 1 points i .. i + k.
    steps = [_compare(a, b) for a, b in pairwise(values)]
    for start, stop, step in _runs(steps):
        if stop - start + 1 >= length:
            for index in range(start, stop + 1):
                yield index, RULE_TREND, step


def _two_of_three(values: Sequence[float], limits: XmrLimits) -> Iterator[_Flag]:
    above = [value > limits.upper_two_sigma for value in values]
    below = [value < limits.lower_two_sigma for value in values]
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for beyond, movement in ((above, 1), (below, -1)):
            if sum(beyond[index] for index in window) >= 2:
                for index in window:
                    if beyond[index]:
                        yield index, RULE_TWO_OF_THREE, movement


def _assurance(limits: XmrLimits | None, target: float | None, direction: Direction) -> Assurance:
    if target is None:
        return Assurance.NO_TARGET
    if limits is None:
        return Assurance.TOO_FEW_POINTS
    # With a flat line both limits equal the mean, so these comparisons become
    # a plain comparison of the mean with the target, as required.
    if direction is Direction.HIGHER:
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


def analyse(
    values: Sequence[float],
    direction: Direction | str,
    target: float | None = None,
    rules: SpcRules = DEFAULT_RULES,
    baseline_count: int | None = None,
) -> SpcResult:
    """Read a measure as an XmR chart.

    ``baseline_count`` (if 2 or more) fixes the limits from the first that many
    values, so later points are judged against how the process used to run.
    """
    better = _parse_direction(direction)
    checked = _finite_values(values)
    if target is not None and not math.isfinite(target):
        raise ValueError(f"The target must be an ordinary number, not {target!r}.")

    baseline = checked
    if baseline_count is not None and baseline_count >= 2:
        baseline = checked[:baseline_count]
    limits = xmr_limits(baseline, rules)
    points = _readings(checked, limits, better, rules)
    latest = points[-1].variation if points else Variation.COMMON
    return SpcResult(
        limits=limits,
        points=tuple(points),
        variation=latest,
        assurance=_assurance(limits, target, better),
    )


def read_with_limits(
    values: Sequence[float], limits: XmrLimits | None, direction: Direction | str, rules: SpcRules
) -> tuple[PointReading, ...]:
    """Each point read against limits worked out elsewhere (a phase's, held within bounds)."""
    return tuple(_readings(_finite_values(values), limits, _parse_direction(direction), rules))


def _readings(
    checked: Sequence[float], limits: XmrLimits | None, better: Direction, rules: SpcRules
) -> list[PointReading]:
    flags: list[_Flag] = []
    if limits is not None:
        flags.extend(_outside_limits(checked, limits))
        flags.extend(_shifts(checked, limits.mean, rules.shift_length))
        flags.extend(_trends(checked, rules.trend_length))
        if rules.two_of_three:
            flags.extend(_two_of_three(checked, limits))

    rules_by_point: list[set[str]] = [set() for _ in checked]
    movements_by_point: list[set[int]] = [set() for _ in checked]
    for index, rule, movement in flags:
        rules_by_point[index].add(rule)
        movements_by_point[index].add(movement)

    good_movement = 1 if better is Direction.HIGHER else -1
    points: list[PointReading] = []
    for index, value in enumerate(checked):
        movements = movements_by_point[index]
        if not movements:
            variation = Variation.COMMON
        elif movements == {good_movement}:
            variation = Variation.IMPROVEMENT
        else:
            # Any signal in the worse direction wins (e.g. the peak where a
            # rising trend turns into a falling one): for care quality a missed
            # concern costs more than a concern that proves a false alarm.
            variation = Variation.CONCERN
        flagged_by = tuple(r for r in _RULE_ORDER if r in rules_by_point[index])
        points.append(PointReading(index, value, flagged_by, variation))
    return points


def spc_rules(session: Session) -> SpcRules:
    """The special-cause rule lengths as this database's settings have them."""
    return SpcRules(
        shift_length=int(settings.get(session, "spc.shift_length")),
        trend_length=int(settings.get(session, "spc.trend_length")),
        two_of_three=bool(settings.get(session, "spc.two_of_three")),
    )
