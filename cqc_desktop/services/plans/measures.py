"""Measure progress against baseline and target, including relative targets such as −80 %."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ...models.enums import Direction, TargetKind


def target_value(baseline: float, target_kind: str, target: float) -> float:
    """The absolute figure to reach. A relative target is a percentage change from baseline."""
    if TargetKind(target_kind) is TargetKind.RELATIVE:
        # Rounded so that 10 × (1 − 0.8) is 2, not 1.9999999999999996, on screen and in tests.
        return round(baseline * (1 + target / 100), 9)
    return target


def meets_target(value: float, target: float, direction: str) -> bool:
    if Direction(direction) is Direction.LOWER:
        return value <= target + 1e-9
    return value >= target - 1e-9


def change_from_baseline(value: float, baseline: float) -> float | None:
    """Percentage change from baseline (−80.0 means 80 % lower); None when the baseline is 0."""
    if baseline == 0:
        return None
    return (value - baseline) / abs(baseline) * 100


@dataclass(frozen=True)
class Progress:
    """Where a measure stands: the latest value, the target, and how far along the way it is."""

    latest: float | None
    target: float
    change_percent: float | None  # latest vs baseline
    fraction_of_goal: float | None  # 0 at baseline, 1 at target (may exceed 1 or go negative)
    at_target: bool
    sustained_points: int  # how many of the latest points in a row meet the target

    @property
    def label(self) -> str:
        if self.latest is None:
            return "No data yet"
        if self.at_target:
            return f"At target ({self.sustained_points} in a row)"
        if self.fraction_of_goal is not None and self.fraction_of_goal > 0:
            share = min(self.fraction_of_goal, 1.0) * 100
            return f"{share:.0f} % of the way from baseline to target"
        return "Not improving"


def progress(
    values: Sequence[float],
    *,
    baseline: float,
    direction: str,
    target_kind: str,
    target: float,
) -> Progress:
    goal = target_value(baseline, target_kind, target)
    latest = values[-1] if values else None
    run = 0
    for value in reversed(values):
        if not meets_target(value, goal, direction):
            break
        run += 1
    fraction = None
    if latest is not None and goal != baseline:
        fraction = (latest - baseline) / (goal - baseline)
    return Progress(
        latest=latest,
        target=goal,
        change_percent=None if latest is None else change_from_baseline(latest, baseline),
        fraction_of_goal=fraction,
        at_target=latest is not None and meets_target(latest, goal, direction),
        sustained_points=run,
    )


def worsening_run(values: Sequence[float], direction: str, length: int = 2) -> bool:
    """True when the last ``length`` changes all moved the wrong way (two worsening points)."""
    if len(values) < length + 1:
        return False
    tail = values[-(length + 1) :]
    lower_is_better = Direction(direction) is Direction.LOWER
    return all((b > a) if lower_is_better else (b < a) for a, b in pairwise(tail))
