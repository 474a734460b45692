"""The plain-English reading under every measure chart, made from the same phased analysis.

No SPC words here ("special cause", "assurance", "process limits"): those belong in the chart's
key. A manager reads what happened, when, and whether it can be relied on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ...formatting import number
from .measures import meets_target
from .spc import (
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    Assurance,
    Direction,
    SpcRules,
    Variation,
)
from .spc_phases import BreakStatus, PhasedResult


def about(value: float) -> str:
    """A level as people say it: "about 15", "about 1.5"."""
    return number(round(value) if abs(value) >= 10 else round(value, 1))


def amount(value: float, unit: str) -> str:
    text = number(value)
    unit = unit.strip()
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}" if unit else text


def period_word(frequency: str, count: int) -> str:
    word = "month" if frequency == "monthly" else "week"
    return f"{count} {word}{'s' if count != 1 else ''}"


def rule_words(rule: str, rules: SpcRules) -> str:
    return {
        RULE_OUTSIDE_LIMITS: "outside the range it usually varies within",
        RULE_SHIFT: f"part of a run of {rules.shift_length} or more on one side of the average",
        RULE_TREND: f"part of {rules.trend_length} or more rising or falling in a row",
        RULE_TWO_OF_THREE: "two of three points near the edge of the usual range",
    }.get(rule, rule)


def describe(
    result: PhasedResult,
    *,
    name: str,
    unit: str,
    direction: str,
    frequency: str,
    baseline: float,
    target: float,
    periods: Sequence[date],
    rules: SpcRules,
) -> str:
    """Two or three sentences: the level and any change, the target, and what to expect."""
    values = [p.value for p in result.points]
    if not values:
        return f"No points have been recorded for {name} yet."
    current = result.current
    assert current is not None
    sentences: list[str] = []
    lower_better = Direction(direction) is Direction.LOWER
    target_side = "at or below" if lower_better else "at or above"
    limits = current.limits
    level = limits.mean if limits is not None else values[-1]
    previous = result.previous
    if previous is not None and previous.limits is not None:
        before = previous.limits.mean
    else:
        before = baseline
    if len(result.phases) > 1:
        moved = "fell" if level < before else "rose"
        sentences.append(
            f"{name} {moved} from about {about(before)} to about {about(level)} after the change "
            f"on {periods[current.start]:%d/%m/%Y}"
        )
    elif limits is not None:
        sentences.append(f"{name} has averaged about {about(level)} since {periods[0]:%d/%m/%Y}")
    else:
        sentences.append(f"{name} was {amount(values[-1], unit)} on {periods[-1]:%d/%m/%Y}")

    run = 0
    for value in reversed(values[current.start :]):
        if not meets_target(value, target, direction):
            break
        run += 1
    goal = amount(target, unit)
    if run >= 2:
        sentences[-1] += (
            f" and has stayed {target_side} the target of {goal} for {period_word(frequency, run)}."
        )
    elif run == 1:
        sentences[-1] += (
            f"; the latest value, {amount(values[-1], unit)}, meets the target of {goal}."
        )
    else:
        sentences[-1] += (
            f"; the latest value, {amount(values[-1], unit)}, misses the target of {goal}."
        )

    for found in result.breaks:
        if found.status is BreakStatus.PENDING and found.points_after:
            sentences.append(
                f"A change was recorded on {periods[found.index]:%d/%m/%Y}: the range is worked "
                f"out again once {rules.shift_length} points after it show it has lasted "
                f"({found.points_after} so far)."
            )
        elif found.status is BreakStatus.NO_SHIFT:
            sentences.append(
                f"The change recorded on {periods[found.index]:%d/%m/%Y} has not been followed "
                "by a lasting shift, so the range was not worked out again."
            )

    if limits is not None:
        low, high = about(limits.lower), about(limits.upper)
        expect = {
            Assurance.PASS: f"As it runs now it can be relied on to keep meeting the target "
            f"(expected between {low} and {high}).",
            Assurance.FAIL: f"As it runs now it will not meet the target without a further "
            f"change (expected between {low} and {high}).",
            Assurance.INCONSISTENT: f"As it runs now it will sometimes meet the target and "
            f"sometimes miss it (expected between {low} and {high}).",
        }.get(result.assurance)
        if expect:
            sentences.append(expect)

    latest = result.points[-1]
    if latest.variation is not Variation.COMMON and latest.rules:
        kind = "better" if latest.variation is Variation.IMPROVEMENT else "worse"
        # The first rule is enough here; the hover and the points table give them all.
        sentences.append(
            f"The latest point is unusual and {kind} than before: "
            f"{rule_words(latest.rules[0], rules)}."
        )
    return " ".join(sentences)
