"""The review cycle follows stability: slower when consistently passing, weekly again on a slip."""

from __future__ import annotations

from cqc_desktop.services.plans.scheduling import cadence_proposal


def test_consistently_passing_long_enough_proposes_the_slowest_allowed_cycle() -> None:
    assert cadence_proposal(
        "Weekly", "Care planning", passing_points=8, slipped=False, needed=6
    ) == ("Consistently passing for 8 weeks: reviews could move from weekly to monthly.")
    # Medicines is reviewed at least fortnightly, however steady the measure.
    assert cadence_proposal("Weekly", "Medicines", passing_points=8, slipped=False, needed=6) == (
        "Consistently passing for 8 weeks: reviews could move from weekly to fortnightly."
    )
    assert (
        cadence_proposal("Fortnightly", "Medicines", passing_points=8, slipped=False, needed=6)
        is None
    )


def test_too_few_passing_points_proposes_nothing() -> None:
    assert (
        cadence_proposal("Weekly", "Care planning", passing_points=5, slipped=False, needed=6)
        is None
    )


def test_a_slip_on_a_slower_cycle_proposes_weekly_again() -> None:
    assert cadence_proposal(
        "Monthly", "Care planning", passing_points=0, slipped=True, needed=6
    ) == ("The latest point is a concern: reviews could go back from monthly to weekly.")
    assert (
        cadence_proposal("Weekly", "Care planning", passing_points=0, slipped=True, needed=6)
        is None
    )
    assert (
        cadence_proposal("Yearly", "Care planning", passing_points=9, slipped=False, needed=6)
        is None
    )
