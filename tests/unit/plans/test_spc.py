"""Tests for the XmR chart rules in cqc_desktop.services.spc.

Every series below was worked out by hand; the comments show the arithmetic so a
failing test can be checked against a calculator rather than against the code.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqc_desktop.services.plans.spc import (
    Assurance,
    Direction,
    PointReading,
    SpcResult,
    SpcRules,
    Variation,
    XmrLimits,
    analyse,
    xmr_limits,
)

# mean 58/5 = 11.6; moving ranges 2, 1, 2, 1 -> average 1.5;
# 2.66 * 1.5 = 3.99 and (2/3) * 2.66 * 1.5 = 2.66.
SIMPLE = [10, 12, 11, 13, 12]

# 15/5 alternate, then seven points at 11/12 (all above the mean of
# 145/14 = 10.357), then 5/15 alternate again.
SHIFT_OF_7 = [15, 5, 15, 5, 11, 12, 11, 12, 11, 12, 11, 5, 15, 5]
# The same with only six points in the run (mean 134/13 = 10.308).
SHIFT_OF_6 = [15, 5, 15, 5, 11, 12, 11, 12, 11, 12, 5, 15, 5]

# 9, 10, ..., 15 rise for seven points (indices 4..10) across the mean of
# 166/14 = 11.857, so no shift; limits 11.857 +/- 7.366, nothing outside.
TREND_OF_7 = [10, 14, 10, 14, 9, 10, 11, 12, 13, 14, 15, 10, 14, 10]
TREND_OF_6 = [10, 14, 10, 14, 9, 10, 11, 12, 13, 14, 10, 14, 10]

# 10/12 alternate eight times, then 16, 11, 16. Mean 219/19 = 11.526, average
# moving range 44/18 = 2.444: two-sigma line 15.861, upper limit 18.029, so
# both 16s are beyond two sigma but inside the limits.
TWO_OF_THREE = [10, 12] * 8 + [16, 11, 16]


def flagged(result: SpcResult) -> dict[int, tuple[str, ...]]:
    return {point.index: point.rules for point in result.points if point.rules}


def variations(result: SpcResult) -> list[Variation]:
    return [point.variation for point in result.points]


# --- limits -----------------------------------------------------------------


def test_limits_of_a_simple_series_match_hand_calculation() -> None:
    limits = xmr_limits(SIMPLE)

    assert limits is not None
    assert limits.mean == pytest.approx(11.6)
    assert limits.average_moving_range == pytest.approx(1.5)
    assert limits.upper == pytest.approx(15.59)
    assert limits.lower == pytest.approx(7.61)
    assert limits.upper_two_sigma == pytest.approx(14.26)
    assert limits.lower_two_sigma == pytest.approx(8.94)


def test_flat_line_has_limits_on_the_mean() -> None:
    assert xmr_limits([4, 4, 4]) == XmrLimits(4.0, 0.0, 4.0, 4.0, 4.0, 4.0)
    # Points sitting exactly on a limit are not outside it.
    assert flagged(analyse([4, 4, 4], "higher")) == {}


def test_analyse_reports_the_same_limits_as_xmr_limits() -> None:
    result = analyse(SIMPLE, Direction.HIGHER)

    assert result.limits == xmr_limits(SIMPLE)
    assert [point.value for point in result.points] == [10.0, 12.0, 11.0, 13.0, 12.0]
    assert [point.index for point in result.points] == [0, 1, 2, 3, 4]
    assert variations(result) == [Variation.COMMON] * 5
    assert result.variation is Variation.COMMON


def test_huge_values_give_infinite_limits_not_an_error() -> None:
    limits = xmr_limits([1e308, -1e308, 1e308])

    assert limits is not None
    assert limits.mean == pytest.approx(1e308 / 3)
    assert limits.upper == math.inf
    assert limits.lower == -math.inf


# --- too few points ---------------------------------------------------------


def test_no_values_gives_no_limits_and_no_points() -> None:
    result = analyse([], "lower")

    assert result == SpcResult(None, (), Variation.COMMON, Assurance.NO_TARGET)


def test_no_values_with_a_target_is_too_few_points() -> None:
    assert analyse([], "lower", target=5).assurance is Assurance.TOO_FEW_POINTS


def test_a_single_point_is_common_cause_and_too_few_to_judge() -> None:
    result = analyse([99], "higher", target=5)

    assert result.limits is None
    assert result.points == (PointReading(0, 99.0, (), Variation.COMMON),)
    assert result.variation is Variation.COMMON
    assert result.assurance is Assurance.TOO_FEW_POINTS


def test_min_points_is_configurable() -> None:
    rules = SpcRules(min_points=5)

    assert xmr_limits([1, 2, 3, 4], rules) is None
    assert analyse([1, 2, 3, 4], "higher", 3, rules).assurance is (Assurance.TOO_FEW_POINTS)
    assert xmr_limits([1, 2, 3, 4, 5], rules) is not None


# --- outside limits ---------------------------------------------------------


def test_point_above_upper_limit_is_flagged() -> None:
    # 10/20 alternate ten times then 50: mean 350/21 = 16.667, average moving
    # range (19 * 10 + 30) / 20 = 11, upper limit 16.667 + 29.26 = 45.927.
    values = [10, 20] * 10 + [50]

    result = analyse(values, "higher")

    assert result.limits is not None
    assert result.limits.upper == pytest.approx(45.926667, abs=1e-6)
    assert flagged(result) == {20: ("outside limits",)}
    assert result.points[20].special_cause
    assert not result.points[19].special_cause
    assert result.variation is Variation.IMPROVEMENT


def test_point_below_lower_limit_is_flagged() -> None:
    # Mirror image of the series above: -50 is below the lower limit -45.927.
    values = [-10, -20] * 10 + [-50]

    result = analyse(values, "lower")

    assert flagged(result) == {20: ("outside limits",)}
    assert result.points[20].variation is Variation.IMPROVEMENT


# --- shift ------------------------------------------------------------------


def test_shift_of_seven_points_is_flagged() -> None:
    result = analyse(SHIFT_OF_7, "higher")

    assert flagged(result) == {index: ("shift",) for index in range(4, 11)}


def test_shift_of_six_points_is_not_flagged() -> None:
    result = analyse(SHIFT_OF_6, "higher")

    assert flagged(result) == {}
    assert variations(result) == [Variation.COMMON] * len(SHIFT_OF_6)


def test_point_exactly_on_the_mean_breaks_a_shift() -> None:
    # Sum 140 over 14 points: the mean is exactly 10, and the 10 at index 7
    # splits what would be a run of seven into two runs of three.
    on_mean = [15, 5, 15, 5, 11, 12, 11, 10, 11, 12, 11, 5, 12, 5]
    # Nudging that point to 10.5 makes the mean 10.036 and the run whole.
    above_mean = [15, 5, 15, 5, 11, 12, 11, 10.5, 11, 12, 11, 5, 12, 5]

    on_result = analyse(on_mean, "higher")
    assert on_result.limits is not None
    assert on_result.limits.mean == 10.0
    assert flagged(on_result) == {}

    above_result = analyse(above_mean, "higher")
    assert flagged(above_result) == {index: ("shift",) for index in range(4, 11)}


def test_shift_length_is_configurable() -> None:
    result = analyse(SHIFT_OF_6, "higher", rules=SpcRules(shift_length=5))

    assert flagged(result) == {index: ("shift",) for index in range(4, 10)}

    too_long = analyse(SHIFT_OF_7, "higher", rules=SpcRules(shift_length=8))
    assert flagged(too_long) == {}


# --- trend ------------------------------------------------------------------


def test_rising_trend_of_seven_points_is_flagged() -> None:
    result = analyse(TREND_OF_7, "higher")

    assert flagged(result) == {index: ("trend",) for index in range(4, 11)}


def test_rising_trend_of_six_points_is_not_flagged() -> None:
    result = analyse(TREND_OF_6, "higher")

    assert flagged(result) == {}


def test_equal_consecutive_values_break_a_trend() -> None:
    # 9, 10, 11, 11, 12, 13, 14 never falls, but the repeated 11 splits it into
    # rises of three and five points.
    values = [10, 14, 10, 14, 9, 10, 11, 11, 12, 13, 14, 10, 14, 10]

    assert flagged(analyse(values, "higher")) == {}


def test_trend_length_is_configurable() -> None:
    result = analyse(TREND_OF_6, "higher", rules=SpcRules(trend_length=6))

    assert flagged(result) == {index: ("trend",) for index in range(4, 10)}


def test_falling_trend_is_flagged() -> None:
    # Reversing keeps the mean and moving ranges, so only the trend turns round.
    falling = list(reversed(TREND_OF_7))

    result = analyse(falling, "lower")

    assert flagged(result) == {index: ("trend",) for index in range(3, 10)}


# --- two of three -----------------------------------------------------------


def test_two_of_three_beyond_two_sigma_are_flagged() -> None:
    result = analyse(TWO_OF_THREE, "higher")

    assert result.limits is not None
    assert result.limits.upper_two_sigma == pytest.approx(15.861131, abs=1e-6)
    assert flagged(result) == {16: ("two of three",), 18: ("two of three",)}
    # The 11 between them is not beyond two sigma, so it is not flagged.
    assert result.points[17].variation is Variation.COMMON


def test_two_of_three_below_the_lower_two_sigma_line() -> None:
    mirrored = [-value for value in TWO_OF_THREE]

    result = analyse(mirrored, "higher")

    assert flagged(result) == {16: ("two of three",), 18: ("two of three",)}
    assert result.points[16].variation is Variation.CONCERN


def test_one_of_three_beyond_two_sigma_is_not_flagged() -> None:
    # Replace the second 16 with 11: only one point is now beyond two sigma
    # (line 14.1 after recalculating) and it is inside the upper limit 15.9.
    values = [10, 12] * 8 + [16, 11, 11]

    result = analyse(values, "higher")

    assert result.limits is not None
    assert result.limits.upper_two_sigma < 16 < result.limits.upper
    assert flagged(result) == {}


def test_two_of_three_can_be_switched_off() -> None:
    result = analyse(TWO_OF_THREE, "higher", rules=SpcRules(two_of_three=False))

    assert flagged(result) == {}


# --- improvement or concern -------------------------------------------------


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        (SHIFT_OF_7, "higher", Variation.IMPROVEMENT),
        (SHIFT_OF_7, "lower", Variation.CONCERN),
        ([-v for v in SHIFT_OF_7], "higher", Variation.CONCERN),
        ([-v for v in SHIFT_OF_7], "lower", Variation.IMPROVEMENT),
        (TREND_OF_7, "higher", Variation.IMPROVEMENT),
        (TREND_OF_7, "lower", Variation.CONCERN),
        (list(reversed(TREND_OF_7)), "higher", Variation.CONCERN),
        (list(reversed(TREND_OF_7)), "lower", Variation.IMPROVEMENT),
        (TWO_OF_THREE, "higher", Variation.IMPROVEMENT),
        (TWO_OF_THREE, "lower", Variation.CONCERN),
    ],
)
def test_flagged_points_read_by_direction(
    values: list[float], direction: str, expected: Variation
) -> None:
    result = analyse(values, direction)

    readings = {point.variation for point in result.points if point.rules}
    assert readings == {expected}


def test_trend_direction_decides_even_below_the_mean() -> None:
    # In TREND_OF_7 the rise starts below the mean (9, 10, 11 < 11.857): the
    # points still count as improvement because the trend is upwards.
    result = analyse(TREND_OF_7, "higher")

    assert [p.variation for p in result.points[4:7]] == [Variation.IMPROVEMENT] * 3


def test_conflicting_signals_on_one_point_read_as_concern() -> None:
    # 1..7..1: mean 49/13 = 3.769, average moving range 1, limits 1.109 and
    # 6.429, two-sigma lines 1.996 and 5.543. The peak 7 ends a rise and starts
    # a fall, so it carries both an improvement and a concern signal.
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]

    higher = analyse(values, "higher")
    assert higher.points[6].rules == (
        "outside limits",
        "shift",
        "trend",
        "two of three",
    )
    assert variations(higher) == (
        [Variation.CONCERN]  # 1 is below the lower limit
        + [Variation.IMPROVEMENT] * 5  # rising, then also above the mean
        + [Variation.CONCERN] * 7  # the peak, then falling
    )

    lower = analyse(values, "lower")
    assert variations(lower) == (
        [Variation.CONCERN] * 10  # rising, or falling but above the mean
        + [Variation.IMPROVEMENT] * 3  # falling and below the mean
    )
    assert lower.variation is Variation.IMPROVEMENT


def test_headline_variation_is_the_latest_point() -> None:
    # The last point of SHIFT_OF_7 is common cause even though the run is not.
    assert analyse(SHIFT_OF_7, "higher").variation is Variation.COMMON
    # Cut the series at the end of the run (mean 120/11 = 10.909, still below
    # every 11 and 12) and the latest point is the flagged one.
    ends_in_shift = analyse(SHIFT_OF_7[:11], "higher")
    assert ends_in_shift.points[-1].rules == ("shift",)
    assert ends_in_shift.variation is Variation.IMPROVEMENT
    assert analyse(SHIFT_OF_7[:11], "lower").variation is Variation.CONCERN


# --- assurance --------------------------------------------------------------
# SIMPLE has lower limit 7.61 and upper limit 15.59.


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        ("higher", 7.0, Assurance.PASS),
        ("higher", 7.61, Assurance.PASS),
        ("higher", 12.0, Assurance.INCONSISTENT),
        ("higher", 15.59, Assurance.INCONSISTENT),
        ("higher", 16.0, Assurance.FAIL),
        ("lower", 16.0, Assurance.PASS),
        ("lower", 15.59, Assurance.PASS),
        ("lower", 12.0, Assurance.INCONSISTENT),
        ("lower", 7.61, Assurance.INCONSISTENT),
        ("lower", 7.0, Assurance.FAIL),
    ],
)
def test_assurance_against_target(direction: str, target: float, expected: Assurance) -> None:
    assert analyse(SIMPLE, direction, target).assurance is expected


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        ("higher", 5.0, Assurance.PASS),
        ("higher", 5.5, Assurance.FAIL),
        ("lower", 5.0, Assurance.PASS),
        ("lower", 4.5, Assurance.FAIL),
    ],
)
def test_assurance_of_a_flat_line_compares_the_mean(
    direction: str, target: float, expected: Assurance
) -> None:
    assert analyse([5, 5, 5, 5], direction, target).assurance is expected


def test_no_target_means_no_assurance() -> None:
    assert analyse(SIMPLE, "higher").assurance is Assurance.NO_TARGET


# --- baseline ---------------------------------------------------------------


def test_baseline_fixes_the_limits() -> None:
    values = [*SIMPLE, 20, 21]

    fixed = analyse(values, "higher", baseline_count=5)

    assert fixed.limits == xmr_limits(SIMPLE)
    # Against the baseline (upper 15.59, two sigma 14.26) both new points are
    # outside the limits.
    assert flagged(fixed) == {
        5: ("outside limits", "two of three"),
        6: ("outside limits", "two of three"),
    }

    # Recalculated over all seven points (mean 99/7 = 14.143, average moving
    # range 2.5, upper 20.793) only 21 is outside.
    floating = analyse(values, "higher")
    assert floating.limits is not None
    assert floating.limits.upper == pytest.approx(20.792857, abs=1e-6)
    assert flagged(floating) == {
        5: ("two of three",),
        6: ("outside limits", "two of three"),
    }


@pytest.mark.parametrize("baseline_count", [None, 0, 1, 7, 100])
def test_baseline_that_is_too_short_or_too_long_uses_all_points(
    baseline_count: int | None,
) -> None:
    values = [*SIMPLE, 20, 21]

    result = analyse(values, "higher", baseline_count=baseline_count)

    assert result.limits == xmr_limits(values)


# --- bad input --------------------------------------------------------------


def test_direction_accepts_plain_words() -> None:
    assert analyse(SIMPLE, " Higher ", 7).assurance is Assurance.PASS
    assert analyse(SIMPLE, "LOWER", 7).assurance is Assurance.FAIL


def test_unknown_direction_is_refused_in_plain_english() -> None:
    with pytest.raises(ValueError, match="must be 'lower' or 'higher'"):
        analyse(SIMPLE, "up")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="Value number 3 is not a real number"):
        analyse([1.0, 2.0, bad], "lower")
    with pytest.raises(ValueError, match="not a real number"):
        xmr_limits([bad, 1.0])


def test_non_finite_target_is_refused() -> None:
    with pytest.raises(ValueError, match="target must be an ordinary number"):
        analyse(SIMPLE, "lower", target=math.nan)


@pytest.mark.parametrize(
    ("shift_length", "trend_length", "min_points"), [(1, 7, 2), (7, 1, 2), (7, 7, 1)]
)
def test_nonsensical_rules_are_refused(
    shift_length: int, trend_length: int, min_points: int
) -> None:
    with pytest.raises(ValueError, match=r"(?i)at least 2"):
        SpcRules(shift_length, trend_length, min_points=min_points)


def test_enum_wording_is_what_managers_see() -> None:
    assert str(Variation.IMPROVEMENT) == "special cause improvement"
    assert str(Assurance.INCONSISTENT) == "inconsistent: will hit and miss the target"
    assert Direction("lower") is Direction.LOWER


# --- properties -------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(
    values=st.lists(finite, max_size=60),
    direction=st.sampled_from(["lower", "higher"]),
    target=st.none() | finite,
    baseline_count=st.none() | st.integers(min_value=-1, max_value=70),
)
def test_analyse_never_raises_and_limits_bracket_the_mean(
    values: list[float],
    direction: str,
    target: float | None,
    baseline_count: int | None,
) -> None:
    result = analyse(values, direction, target, baseline_count=baseline_count)

    assert len(result.points) == len(values)
    assert [point.value for point in result.points] == values
    for point in result.points:
        assert point.special_cause == bool(point.rules)
        assert point.variation is not Variation.NEITHER
    if len(values) < 2:
        assert result.limits is None
    else:
        limits = result.limits
        assert limits is not None
        assert limits.lower <= limits.lower_two_sigma <= limits.mean
        assert limits.mean <= limits.upper_two_sigma <= limits.upper
        assert limits.average_moving_range >= 0
    if target is None:
        assert result.assurance is Assurance.NO_TARGET
