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


def ev(source: str, days_ago: int, supports: str = "Yes") -> EvidenceFact:
    return EvidenceFact(source, supports, TODAY - timedelta(days=days_ago))


def passing() -> GateFacts:
    return GateFacts(
        steps_total=5,
        steps_done=5,
        measures=(MeasureFact("Late medicines per week", (15, 9, 3, 2, 3, 2), 3.0, "lower"),),
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


def test_measure_must_hold_for_last_three_points() -> None:
    facts = replace(passing(), measures=(MeasureFact("Late", (15, 3, 2, 4), 3.0, "lower"),))
    cond = evaluate_gate(facts).condition("measure")
    assert not cond.met
    assert "1 of the last 3 points miss the target of 3" in cond.why


def test_measure_higher_is_better_and_configurable_points() -> None:
    facts = replace(passing(), measures=(MeasureFact("Plans", (40, 96, 97, 98), 95.0, "higher"),))
    assert evaluate_gate(facts).condition("measure").met
    assert not evaluate_gate(facts, GateSettings(sustained_points=4)).condition("measure").met


def test_no_measure_blocks() -> None:
    cond = evaluate_gate(replace(passing(), measures=())).condition("measure")
    assert not cond.met and cond.why == "No measure is set for this action."


def test_too_few_points_blocks() -> None:
    facts = replace(passing(), measures=(MeasureFact("Late", (2, 2), 3.0, "lower"),))
    assert "only 2 point(s)" in evaluate_gate(facts).condition("measure").why


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
