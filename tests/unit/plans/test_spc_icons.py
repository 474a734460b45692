"""Which Making Data Count icon a reading gets, and that colour is never the only difference."""

from __future__ import annotations

import pytest

from cqc_desktop.services.plans.spc_icons import (
    ASSURANCE_ICONS,
    BLUE,
    GREY,
    ORANGE,
    VARIATION_ICONS,
    AssuranceIcon,
    VariationIcon,
    assurance_icon,
    variation_icon,
)
from cqc_desktop.services.plans.spc_phases import analyse_phases

STEADY = [10.0, 12.0, 11.0, 13.0, 10.0, 12.0]  # mean 11.33, limits 6.01 to 16.65
# Twelve steady points fix the limits (moving ranges average 2: 6.01 to 16.65), then one more.
HIGH = [*STEADY, *STEADY, 20.0]  # the last point above the upper limit
LOW = [*STEADY, *STEADY, 2.0]  # the last point below the lower limit


@pytest.mark.parametrize(
    ("values", "direction", "icon"),
    [
        (STEADY, "lower", VariationIcon.COMMON),
        (HIGH, "higher", VariationIcon.IMPROVING_HIGH),
        (LOW, "lower", VariationIcon.IMPROVING_LOW),
        (HIGH, "lower", VariationIcon.CONCERN_HIGH),
        (LOW, "higher", VariationIcon.CONCERN_LOW),
    ],
)
def test_variation_icon_follows_the_latest_point_and_the_better_direction(
    values: list[float], direction: str, icon: VariationIcon
) -> None:
    assert variation_icon(analyse_phases(values, direction), direction) is icon


@pytest.mark.parametrize(
    ("target", "direction", "icon"),
    [
        (17.0, "lower", AssuranceIcon.PASS),  # upper limit 16.65 at or below 17
        (5.0, "higher", AssuranceIcon.PASS),  # lower limit 6.01 at or above 5
        (11.0, "lower", AssuranceIcon.HIT_AND_MISS),  # between the limits
        (5.0, "lower", AssuranceIcon.FAIL),  # lower limit 6.01 above 5
        (17.0, "higher", AssuranceIcon.FAIL),  # upper limit 16.65 below 17
    ],
)
def test_assurance_icon_compares_the_limits_with_the_target(
    target: float, direction: str, icon: AssuranceIcon
) -> None:
    assert assurance_icon(analyse_phases(STEADY, direction, target)) is icon


def test_no_assurance_icon_without_a_target_or_with_one_point() -> None:
    assert assurance_icon(analyse_phases(STEADY, "lower")) is None
    assert assurance_icon(analyse_phases([4.0], "lower", 3)) is None


def test_each_icon_differs_by_shape_or_letter_not_only_colour() -> None:
    letters = {k: VARIATION_ICONS[k].letter for k in VariationIcon}
    assert letters == {
        VariationIcon.COMMON: "~",
        VariationIcon.IMPROVING_HIGH: "H",
        VariationIcon.IMPROVING_LOW: "L",
        VariationIcon.CONCERN_HIGH: "H!",
        VariationIcon.CONCERN_LOW: "L!",
    }
    # The run of dots rises for a high signal and falls for a low one.
    for key in (VariationIcon.IMPROVING_HIGH, VariationIcon.CONCERN_HIGH):
        dots = VARIATION_ICONS[key].dots
        assert dots[-1][1] < dots[0][1]  # y runs downwards: the last dot is higher
    for key in (VariationIcon.IMPROVING_LOW, VariationIcon.CONCERN_LOW):
        dots = VARIATION_ICONS[key].dots
        assert dots[-1][1] > dots[0][1]
    assert {VARIATION_ICONS[k].colour for k in VariationIcon} == {GREY, BLUE, ORANGE}
    assurance = {k: ASSURANCE_ICONS[k].letter for k in AssuranceIcon}
    assert assurance == {
        AssuranceIcon.PASS: "P",
        AssuranceIcon.HIT_AND_MISS: "?",
        AssuranceIcon.FAIL: "F",
    }
    assert all(s.target_line for s in ASSURANCE_ICONS.values())
    assert not any(s.target_line for s in VARIATION_ICONS.values())
