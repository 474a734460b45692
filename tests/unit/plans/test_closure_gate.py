"""Every closure-gate condition, one at a time, on plain facts (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cqc_desktop.services.plans.closure import (
    EvidenceFact,
    GateFacts,
    GateSettings,
    MeasureFact,
    evaluate_gate,
)

TODAY = date(2026, 11, 26)
BEFORE = (15.0, 14.0, 16.0, 15.0, 14.0, 15.0)
# After the change: mean 9/7 = 1.286, moving ranges 1,0,0,1,1,0 -> 0.5, upper limit
# 1.286 + 2.66 × 0.5 = 2.616, below the target of 3: consistently passing.
AFTER = (2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0)
# MeasureFact numbers points weekly from Monday 05/01/2026 when no periods are given.
CHANGE_ON = date(2026, 1, 5) + timedelta(weeks=6)


def ev(source: str, days_ago: int, supports: str = "Yes") -> EvidenceFact:
    return EvidenceFact(source, supports, TODAY - timedelta(days=days_ago))


def passing() -> GateFacts:
    return GateFacts(
        steps_total=5,
        steps_done=5,
        measures=(
            MeasureFact(
                "Late medicines per week",
                BEFORE + AFTER,
                3.0,
                "lower",
                changes=((CHANGE_ON, "Protected medicines round"),),
                baseline=15,
            ),
        ),
        evidence=(
            ev("care_records", 10),
            ev("staff_observation", 12),
            ev("staff_feedback", 20),
            ev("governance_minutes", 5),
        ),
        oversight_plan="Monthly MAR audit by the medicines lead; provider review quarterly.",
        today=TODAY,
        signed_off_by="Zoë Hart",
        signer_is_manager=True,
        rationale="Late entries held at or below 3 a week for six weeks.",
    )


def test_all_conditions_met_passes() -> None:
    result = evaluate_gate(passing())
    assert result.passed
    assert [c.key for c in result.conditions] == [
        "steps",
        "measure",
        "sources",
        "observation",
        "feedback",
        "contradiction",
        "oversight",
        "sign_off",
    ]
    assert all(c.met for c in result.conditions)


def test_unfinished_step_blocks() -> None:
    result = evaluate_gate(replace(passing(), steps_done=4))
    assert not result.passed
    assert result.unmet[0].key == "steps"
    assert result.condition("steps").why == "1 of 5 steps not done."


def test_action_without_steps_blocks() -> None:
    assert not evaluate_gate(replace(passing(), steps_total=0, steps_done=0)).condition("steps").met


def test_measure_reads_the_phase_after_the_change_not_every_point() -> None:
    cond = evaluate_gate(passing()).condition("measure")
    assert cond.met
    assert cond.why == (
        "Late medicines per week: consistently passing for 7 points since the change on 16/02/2026."
    )
    # The same points with no change recorded: one set of limits over before and after.
    (m,) = passing().measures
    unchanged = replace(passing(), measures=(replace(m, changes=()),))
    assert not evaluate_gate(unchanged).condition("measure").met


def test_six_points_at_target_with_wide_limits_are_not_yet_sustained() -> None:
    # mean 2, moving ranges 1,1,1,1,0 -> 0.8: limits 0 (held; 2 - 2.128 < 0) to 4.128.
    late = MeasureFact("Late", (3, 2, 3, 2, 1, 1), 3.0, "lower")
    cond = evaluate_gate(replace(passing(), measures=(late,))).condition("measure")
    assert not cond.met
    assert cond.why == (
        "Late: not yet consistently passing — as it runs now it will sometimes miss the target "
        "of 3 (expected between 0 and 4.13)."
    )


def test_measure_that_will_keep_failing_says_so() -> None:
    # mean 8.5, moving ranges all 1: lower limit 8.5 - 2.66 = 5.84, above the target of 3.
    late = MeasureFact("Late", (8, 9, 8, 9, 8, 9), 3.0, "lower")
    cond = evaluate_gate(replace(passing(), measures=(late,))).condition("measure")
    assert not cond.met and "will not meet the target of 3" in cond.why


def test_measure_higher_is_better_and_configurable_points() -> None:
    # mean 97.33, moving ranges 0,1,1,0,1 -> 0.6: lower limit 95.74, at or above 95.
    plans = MeasureFact("Plans", (97, 97, 98, 97, 97, 98), 95.0, "higher", unit="%")
    facts = replace(passing(), measures=(plans,))
    assert evaluate_gate(facts).condition("measure").met
    cond = evaluate_gate(facts, GateSettings(sustained_points=7)).condition("measure")
    assert not cond.met and cond.why == "Plans: only 6 point(s) so far; 7 needed."


def test_change_waiting_for_a_sustained_shift_keeps_the_old_phase() -> None:
    (m,) = passing().measures
    early = replace(m, values=BEFORE + AFTER[:3])
    cond = evaluate_gate(replace(passing(), measures=(early,))).condition("measure")
    assert not cond.met
    assert cond.why == (
        "Late medicines per week: the change on 16/02/2026 needs 7 points after it to show it "
        "has lasted (3 so far)."
    )


def test_no_measure_blocks() -> None:
    cond = evaluate_gate(replace(passing(), measures=())).condition("measure")
    assert not cond.met and cond.why == "No measure is set for this action."


def test_too_few_points_blocks() -> None:
    facts = replace(passing(), measures=(MeasureFact("Late", (2, 2), 3.0, "lower"),))
    assert (
        evaluate_gate(facts).condition("measure").why == "Late: only 2 point(s) so far; 6 needed."
    )


def test_three_source_types_needed_within_eight_weeks() -> None:
    old = (ev("care_records", 70), ev("staff_observation", 12), ev("staff_feedback", 20))
    cond = evaluate_gate(replace(passing(), evidence=old)).condition("sources")
    assert not cond.met
    assert cond.why == "2 source type(s) in the last 8 weeks; 3 needed."


def test_practice_observation_required() -> None:
    evidence = (ev("care_records", 3), ev("audit", 4), ev("staff_feedback", 5))
    result = evaluate_gate(replace(passing(), evidence=evidence))
    assert result.condition("sources").met
    assert not result.condition("observation").met


def test_feedback_from_people_relatives_or_staff_required() -> None:
    evidence = (ev("care_records", 3), ev("audit", 4), ev("staff_observation", 5))
    assert not evaluate_gate(replace(passing(), evidence=evidence)).condition("feedback").met
    with_relatives = (*evidence, ev("relatives_comments", 6))
    assert evaluate_gate(replace(passing(), evidence=with_relatives)).condition("feedback").met


def test_newer_contradicting_evidence_blocks_but_older_is_superseded() -> None:
    newer = (*passing().evidence, ev("peoples_feedback", 1, supports="No"))
    cond = evaluate_gate(replace(passing(), evidence=newer)).condition("contradiction")
    assert not cond.met
    assert (TODAY - timedelta(days=1)).strftime("%d/%m/%Y") in cond.why
    older = (*passing().evidence, ev("peoples_feedback", 30, supports="No"))
    assert evaluate_gate(replace(passing(), evidence=older)).condition("contradiction").met


def test_contradicting_evidence_does_not_count_towards_sources() -> None:
    evidence = (ev("care_records", 3), ev("staff_observation", 4, "No"), ev("staff_feedback", 5))
    result = evaluate_gate(replace(passing(), evidence=evidence))
    assert not result.condition("sources").met
    assert not result.condition("observation").met


def test_oversight_plan_required() -> None:
    assert not evaluate_gate(replace(passing(), oversight_plan="  ")).condition("oversight").met


@pytest.mark.parametrize(
    ("signer", "manager", "rationale", "why"),
    [
        (None, False, "", "A manager signs off when closing."),
        ("Tom Reed", False, "ok", "Tom Reed is not a manager."),
        ("Zoë Hart", True, " ", "Write why the change is sustained."),
    ],
)
def test_sign_off_by_a_manager_with_rationale(
    signer: str | None, manager: bool, rationale: str, why: str
) -> None:
    facts = replace(passing(), signed_off_by=signer, signer_is_manager=manager, rationale=rationale)
    result = evaluate_gate(facts)
    assert not result.passed
    assert result.ready_for_sign_off  # everything else is met: Close can be offered
    assert result.condition("sign_off").why == why
