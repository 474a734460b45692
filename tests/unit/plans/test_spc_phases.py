"""Phases: limits worked out again after a change that produced a sustained shift (hand-worked)."""

from __future__ import annotations

import pytest

from cqc_desktop.services.plans.spc import Assurance, SpcRules, Variation, analyse
from cqc_desktop.services.plans.spc_phases import (
    LIMIT_POINTS,
    Bounds,
    BreakStatus,
    analyse_phases,
    bounds_for,
)

BEFORE = [10, 12, 11, 13, 10, 12]  # mean 68/6 = 11.333; moving ranges 2,1,2,3,2 -> 2
AFTER = [5, 6, 4, 5, 6, 5, 4]  # mean 35/7 = 5; moving ranges 1,2,1,1,1,1 -> 7/6
COUNT = Bounds(0.0, None)


def test_a_sustained_shift_after_the_change_gets_its_own_limits() -> None:
    result = analyse_phases(
        BEFORE + AFTER, "lower", 9, changes=[(6, "Protected medicines round")], bounds=COUNT
    )
    assert [b.status for b in result.breaks] == [BreakStatus.RECALCULATED]
    first, second = result.phases
    assert (first.start, first.stop, second.start, second.stop) == (0, 6, 6, 13)
    assert first.limits is not None and second.limits is not None
    # Baseline: 11.333 ± 2.66 × 2 = 6.013 to 16.653.
    assert first.limits.mean == pytest.approx(11.333333, abs=1e-6)
    assert first.limits.upper == pytest.approx(16.653333, abs=1e-6)
    assert first.limits.lower == pytest.approx(6.013333, abs=1e-6)
    # After the change: 5 ± 2.66 × 7/6 = 1.896667 to 8.103333, all below the target of 9.
    assert second.limits.mean == pytest.approx(5.0)
    assert second.limits.upper == pytest.approx(8.103333, abs=1e-6)
    assert second.limits.lower == pytest.approx(1.896667, abs=1e-6)
    assert second.label == "Protected medicines round"
    assert first.provisional and second.provisional  # fewer than 12 points each
    assert result.assurance is Assurance.PASS
    assert first.assurance is Assurance.INCONSISTENT  # 6.01 < 9 < 16.65
    assert result.variation is Variation.COMMON


def test_one_set_of_limits_across_the_change_reads_hit_and_miss() -> None:
    """The mistake phases avoid: the same series in one phase says 'inconsistent'."""
    assert analyse(BEFORE + AFTER, "lower", 9).assurance is Assurance.INCONSISTENT


def test_until_enough_points_follow_the_change_the_old_limits_stay() -> None:
    values = [*BEFORE, 5, 4, 5]
    result = analyse_phases(values, "lower", 9, changes=[(6, "Change")], bounds=COUNT)
    assert [(b.status, b.points_after) for b in result.breaks] == [(BreakStatus.PENDING, 3)]
    assert len(result.phases) == 1
    # Judged against the baseline limits (lower 6.013), the new points are an improvement.
    assert [p.variation for p in result.points[6:]] == [Variation.IMPROVEMENT] * 3
    assert result.points[7].rules == ("outside limits", "two of three")


def test_a_change_without_a_sustained_shift_is_not_a_new_phase() -> None:
    values = [*BEFORE, 9, 12, 10, 11, 12, 10, 11]
    result = analyse_phases(values, "lower", 9, changes=[(6, "Change")], bounds=COUNT)
    assert result.breaks[0].status is BreakStatus.NO_SHIFT
    assert len(result.phases) == 1 and result.phases[0].stop == 13


def test_rules_run_within_a_phase_not_across_the_change() -> None:
    # Across both phases the seven 'after' points would be a shift below one mean; within their
    # own phase they sit either side of 5, so nothing is flagged.
    result = analyse_phases(BEFORE + AFTER, "lower", 9, changes=[(6, "Change")], bounds=COUNT)
    assert all(not p.special_cause for p in result.points)
    single = analyse(BEFORE + AFTER, "lower", 9)
    assert any("shift" in p.rules for p in single.points)


def test_with_no_points_before_the_change_the_recorded_baseline_is_the_reference() -> None:
    values = [14, *AFTER]
    result = analyse_phases(values, "lower", 9, changes=[(1, "Change")], baseline=15)
    assert result.breaks[0].status is BreakStatus.RECALCULATED
    assert result.phases[1].start == 1


def test_limits_come_from_the_first_twelve_points_of_a_phase_then_stay() -> None:
    values = [10.0, 12.0] * 6 + [30.0, 30.0, 30.0]
    result = analyse_phases(values, "higher", bounds=COUNT)
    (phase,) = result.phases
    assert phase.limit_points == LIMIT_POINTS and not phase.provisional
    assert phase.limits is not None
    assert phase.limits.mean == pytest.approx(11.0)  # not pulled up by the three 30s
    assert phase.limits.upper == pytest.approx(11.0 + 2.66 * 2)
    assert [p.variation for p in result.points[12:]] == [Variation.IMPROVEMENT] * 3


def test_percentage_limits_are_held_within_0_and_100() -> None:
    # mean 515/6 = 85.833; moving ranges 10,40,40,5,25 -> 24; upper 85.833 + 63.84 = 149.67.
    result = analyse_phases(
        [90, 100, 60, 100, 95, 70], "higher", 95, bounds=bounds_for("%", [], 40, 95)
    )
    (phase,) = result.phases
    assert phase.limits is not None
    assert phase.limits.upper == 100.0 and phase.clamped
    assert phase.limits.lower == pytest.approx(85.833333 - 63.84, abs=1e-6)
    assert result.bounds.description.startswith("Limits are held within 0–100")
    assert result.assurance is Assurance.INCONSISTENT


def test_count_limits_never_go_below_zero() -> None:
    # mean 1.6; moving ranges 4,4,3,2 -> 3.25; lower 1.6 - 8.645 < 0, held at 0.
    result = analyse_phases([0, 4, 0, 3, 1], "lower", 5, bounds=bounds_for("falls", [0, 4], 6, 5))
    (phase,) = result.phases
    assert phase.limits is not None and phase.limits.lower == 0.0 and phase.clamped
    assert phase.limits.upper == pytest.approx(1.6 + 8.645)
    assert result.points[0].variation is Variation.COMMON  # a 0 is not below a limit of 0


def test_bounds_follow_the_unit_and_the_values() -> None:
    assert bounds_for("%", [50], 40, 95) == Bounds(0.0, 100.0)
    assert bounds_for("entries", [3, 1], 15, 3) == Bounds(0.0, None)
    assert bounds_for("change", [-3, 1], 0, 2) == Bounds()


def test_shift_length_setting_decides_when_a_change_is_sustained() -> None:
    values = [*BEFORE, 5, 4, 5, 6, 5]
    short = analyse_phases(values, "lower", 9, SpcRules(shift_length=5), changes=[(6, "C")])
    assert short.breaks[0].status is BreakStatus.RECALCULATED
    default = analyse_phases(values, "lower", 9, changes=[(6, "C")])
    assert default.breaks[0].status is BreakStatus.PENDING


def test_the_demo_medicines_series_in_one_phase_is_honestly_hit_and_miss() -> None:
    """Scenario 1's twelve points (no change recorded): a falling trend, then six at target.

    mean 66/12 = 5.5; moving ranges 2,2,2,2,2,1,1,1,1,1,0 -> 15/11; upper 5.5 + 3.627 = 9.127,
    so the limits straddle the target of 3 and the honest reading is hit and miss.
    """
    values = [14, 12, 10, 8, 6, 4, 3, 2, 3, 2, 1, 1]
    result = analyse_phases(values, "lower", 3, baseline=15, bounds=COUNT)
    assert result.assurance is Assurance.INCONSISTENT
    (phase,) = result.phases
    assert phase.limits is not None
    assert phase.limits.upper == pytest.approx(5.5 + 2.66 * 15 / 11)
