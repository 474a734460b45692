"""The Making Data Count variation and assurance icons: which one a reading gets, and its shape.

The shape is described here once, in a 100 × 100 box with y downwards, as circles, dots, lines
and a letter, so the screen (QPainter) and every PDF (ReportLab canvas) draw the same icon. Colour
is never the only signal: each icon also has its own letter and its own line of dots (a concern
carries a "!" after its H or L, so improving and concerning differ without colour).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .spc import Assurance, Direction, Variation
from .spc_phases import PhasedResult

BLUE = "#1f6fb4"  # improvement, consistently passing
ORANGE = "#e8710a"  # concern, consistently failing
GREY = "#5b6b7a"  # common cause, hit and miss


class VariationIcon(StrEnum):
    COMMON = "common"
    IMPROVING_HIGH = "improving-high"
    IMPROVING_LOW = "improving-low"
    CONCERN_HIGH = "concern-high"
    CONCERN_LOW = "concern-low"


class AssuranceIcon(StrEnum):
    PASS = "pass"
    HIT_AND_MISS = "hit-and-miss"
    FAIL = "fail"


@dataclass(frozen=True)
class IconSpec:
    key: str
    colour: str
    letter: str
    legend: str  # the jargon belongs here, in the key, not under the chart
    dots: tuple[tuple[float, float], ...]  # the little run of points inside the circle
    target_line: bool = False  # assurance icons show the target as a line


# Dots keep below y = 52 so they never run into the letter above them.
_FLAT = ((24.0, 68.0), (37.0, 64.0), (50.0, 69.0), (63.0, 64.0), (76.0, 68.0))
_RISING = ((24.0, 80.0), (37.0, 77.0), (50.0, 72.0), (63.0, 62.0), (76.0, 56.0))
_FALLING = ((24.0, 56.0), (37.0, 62.0), (50.0, 72.0), (63.0, 77.0), (76.0, 80.0))
_LEVEL = ((24.0, 64.0), (37.0, 60.0), (50.0, 64.0), (63.0, 60.0), (76.0, 64.0))

VARIATION_ICONS: dict[VariationIcon, IconSpec] = {
    VariationIcon.COMMON: IconSpec("common", GREY, "~", "Common cause: no signal", _FLAT),
    VariationIcon.IMPROVING_HIGH: IconSpec(
        "improving-high", BLUE, "H", "Special cause improving (higher)", _RISING
    ),
    VariationIcon.IMPROVING_LOW: IconSpec(
        "improving-low", BLUE, "L", "Special cause improving (lower)", _FALLING
    ),
    VariationIcon.CONCERN_HIGH: IconSpec(
        "concern-high", ORANGE, "H!", "Special cause concerning (higher)", _RISING
    ),
    VariationIcon.CONCERN_LOW: IconSpec(
        "concern-low", ORANGE, "L!", "Special cause concerning (lower)", _FALLING
    ),
}

ASSURANCE_ICONS: dict[AssuranceIcon, IconSpec] = {
    AssuranceIcon.PASS: IconSpec(
        "pass", BLUE, "P", "Assurance: consistently passing the target", _LEVEL, True
    ),
    AssuranceIcon.HIT_AND_MISS: IconSpec(
        "hit-and-miss", GREY, "?", "Assurance: hit and miss the target", _LEVEL, True
    ),
    AssuranceIcon.FAIL: IconSpec(
        "fail", ORANGE, "F", "Assurance: consistently failing the target", _LEVEL, True
    ),
}

# Where the target line sits in an assurance icon (under the dots; the letter carries the meaning).
TARGET_Y = 76.0


def variation_icon(result: PhasedResult, direction: Direction | str) -> VariationIcon:
    """Making Data Count: the latest point's reading, and which way it moved."""
    if not result.points:
        return VariationIcon.COMMON
    latest = result.points[-1]
    if latest.variation is Variation.COMMON:
        return VariationIcon.COMMON
    higher_is_better = Direction(str(direction)) is Direction.HIGHER
    improving = latest.variation is Variation.IMPROVEMENT
    # Improvement for a higher-is-better measure is a high signal; for lower-is-better, a low one.
    went_high = improving == higher_is_better
    if improving:
        return VariationIcon.IMPROVING_HIGH if went_high else VariationIcon.IMPROVING_LOW
    return VariationIcon.CONCERN_HIGH if went_high else VariationIcon.CONCERN_LOW


def assurance_icon(result: PhasedResult) -> AssuranceIcon | None:
    """The current phase's assurance; None with no target or too few points for limits."""
    return {
        Assurance.PASS: AssuranceIcon.PASS,
        Assurance.FAIL: AssuranceIcon.FAIL,
        Assurance.INCONSISTENT: AssuranceIcon.HIT_AND_MISS,
    }.get(result.assurance)
