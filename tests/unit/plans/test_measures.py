from __future__ import annotations

import pytest

from cqc_desktop.services.plans.measures import (
    change_from_baseline,
    meets_target,
    progress,
    target_value,
    worsening_run,
)


def test_relative_target_minus_80_percent_of_baseline() -> None:
    assert target_value(15, "relative", -80) == pytest.approx(3.0)
    assert target_value(10, "relative", -80) == 2.0  # exact, not 1.9999999999999996
    assert target_value(40, "relative", 50) == 60.0
    assert target_value(15, "absolute", 4) == 4


def test_progress_lower_is_better_relative_target() -> None:
    p = progress(
        [15, 11, 6, 3, 2, 3], baseline=15, direction="lower", target_kind="relative", target=-80
    )
    assert p.target == pytest.approx(3.0)
    assert p.at_target
    assert p.sustained_points == 3
    assert p.change_percent == pytest.approx(-80.0)
    assert p.fraction_of_goal == pytest.approx(1.0)
    assert p.label == "At target (3 in a row)"


def test_progress_higher_is_better_partial() -> None:
    p = progress(
        [40, 60, 80, 90], baseline=40, direction="higher", target_kind="absolute", target=95
    )
    assert not p.at_target
    assert p.sustained_points == 0
    assert p.fraction_of_goal == pytest.approx(50 / 55)
    assert p.label == "91 % of the way from baseline to target"


def test_progress_without_points() -> None:
    p = progress([], baseline=15, direction="lower", target_kind="relative", target=-80)
    assert p.latest is None and not p.at_target and p.label == "No data yet"


def test_meets_target_both_directions() -> None:
    assert meets_target(3, 3, "lower") and not meets_target(3.5, 3, "lower")
    assert meets_target(95, 95, "higher") and not meets_target(94.9, 95, "higher")


def test_change_from_zero_baseline_is_undefined() -> None:
    assert change_from_baseline(5, 0) is None


def test_two_worsening_points() -> None:
    assert worsening_run([3, 4, 6], "lower")
    assert not worsening_run([3, 4, 4], "lower")
    assert worsening_run([90, 85, 80], "higher")
    assert not worsening_run([80, 85], "higher")
