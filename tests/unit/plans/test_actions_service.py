"""Actions through the services on a real (temporary) SQLite database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Review
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence, triangulation
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


@pytest.fixture
def setup(session: Session) -> dict[str, object]:
    home = people.create_service(session, "Willow Court")
    manager = people.create_person(session, "Zoë Hart", "Registered manager", service_id=home.id)
    carer = people.create_person(session, "Tom Reed", "Senior carer", service_id=home.id)
    plan = plans.create_plan(
        session,
        plans.PlanInput(
            service_id=home.id,
            title="CQC inspection",
            origin="CQC inspection",
            report_date=TODAY - timedelta(days=84),
        ),
    )
    finding = plans.create_finding(
        session,
        plan.id,
        plans.FindingInput(
            title="Late evening medicines",
            key_question="Safe",
            risk_area="Medicines",
            likelihood=4,
            impact=4,
            statement_codes=["S8"],
            breached_regulation="12",
        ),
    )
    return {"home": home, "manager": manager, "carer": carer, "plan": plan, "finding": finding}


def _action(setup: dict[str, object], lead_id: int | None, **kw: object) -> ActionInput:
    return ActionInput(
        title="Protect medicines time",
        accountable_lead_id=lead_id,
        due_date=TODAY + timedelta(days=56),
        **kw,
    )


def test_plan_action_plan_due_28_days_after_report(setup: dict[str, object]) -> None:
    plan = setup["plan"]
    assert plan.action_plan_due == TODAY - timedelta(days=56)


def test_finding_score_rag_and_statements(setup: dict[str, object]) -> None:
    finding = setup["finding"]
    assert finding.score == 16 and finding.rag == "Red"
    assert finding.statement_codes == ["S8"]
    assert finding.reference == "CQC-F1"


def test_finding_rejects_unknown_statement(session: Session, setup: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as err:
        plans.create_finding(
            session,
            setup["plan"].id,
            plans.FindingInput(
                title="x",
                key_question="Safe",
                risk_area="Medicines",
                likelihood=6,
                impact=1,
                statement_codes=["S99"],
            ),
        )
    assert set(err.value.errors) == {"likelihood", "statements"}


def test_action_without_lead_is_refused_and_nothing_saved(
    session: Session, setup: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as err:
        actions.create_action(session, setup["finding"].id, _action(setup, None), today=TODAY)
    assert "exactly one person" in err.value.errors["accountable_lead"]
    assert session.scalar(select(func.count()).select_from(Action)) == 0


def test_high_risk_medicines_action_reviewed_weekly(
    session: Session, setup: dict[str, object]
) -> None:
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, setup["manager"].id), today=TODAY
    )
    assert action.review_frequency == "Weekly"
    assert action.next_review_date == TODAY + timedelta(days=7)
    assert action.reference == "CQC-A1"


def test_monthly_review_refused_for_medicines(session: Session, setup: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as err:
        actions.create_action(
            session,
            setup["finding"].id,
            _action(setup, setup["manager"].id, review_frequency="Monthly"),
            today=TODAY,
        )
    assert err.value.errors["review_frequency"] == (
        "Medicines actions are reviewed at least fortnightly."
    )


def test_review_moves_next_review_and_close_needs_gate(
    session: Session, setup: dict[str, object]
) -> None:
    manager = setup["manager"]
    action = actions.create_action(
        session,
        setup["finding"].id,
        _action(
            setup,
            manager.id,
            oversight_plan="Monthly MAR audit",
            steps=[StepInput("Review 4 weeks of MAR", recorded_in="Medicines tracker")],
        ),
        today=TODAY - timedelta(days=60),
    )
    actions.record_review(
        session,
        action.id,
        review_date=TODAY - timedelta(days=3),
        reviewer_id=manager.id,
        progress="On track",
        rag="Amber",
        decision="Continue",
        today=TODAY,
    )
    assert action.next_review_date == TODAY + timedelta(days=4)
    assert action.status == "In progress" and action.rag == "Amber"

    with pytest.raises(ValidationError) as err:
        actions.record_review(
            session,
            action.id,
            review_date=TODAY,
            reviewer_id=manager.id,
            progress="Looks done",
            rag="Green",
            decision="Close",
            today=TODAY,
        )
    assert {"steps", "measure", "sources", "observation", "feedback"} <= set(err.value.errors)
    assert action.status == "In progress"
    assert session.scalar(select(func.count()).select_from(Review)) == 1

    # Meet every condition, then close from a review.
    actions.set_step_done(session, action.steps[0].id, TODAY - timedelta(days=20))
    measure = create_measure(
        session,
        action.id,
        MeasureInput(
            name="Late medicines per week",
            direction="lower",
            baseline_value=15,
            target_kind="relative",
            target_value=-80,
        ),
    )
    # Seven weeks at 1–2 a week: limits 0 to 2.6, all within the target of 3.
    for weeks_ago, value in zip(range(7, 0, -1), (2, 1, 1, 1, 2, 1, 1), strict=True):
        record_point(session, measure.id, TODAY - timedelta(weeks=weeks_ago), value)
    for source in ("care_records", "staff_observation", "relatives_comments"):
        add_evidence(
            session,
            action.id,
            EvidenceInput(
                title=source,
                source_type=source,
                collected_on=TODAY - timedelta(days=10),
                tested_by_id=manager.id,
                tested_on=TODAY - timedelta(days=9),
            ),
            today=TODAY,
        )
    actions.record_review(
        session,
        action.id,
        review_date=TODAY,
        reviewer_id=manager.id,
        progress="Held at target for three weeks",
        rag="Green",
        decision="Close",
        today=TODAY,
    )
    assert action.status == "Closed" and not action.closed_with_override
    assert action.next_review_date is None
    strands = {s.name: s.status for s in triangulation(session, action.id)}
    assert strands == {
        "records": "Supports",
        "staff accounts": "No evidence",
        "people's and relatives' experience": "Supports",
        "management oversight": "Supports",
    }

    review = actions.reopen_action(
        session, action, by=manager, reason="Repeat late round", today=TODAY
    )
    assert review.decision == "Reopen"
    assert action.status == "In progress" and action.review_frequency == "Weekly"
    assert action.next_review_date == TODAY + timedelta(days=7) and action.reopen_count == 1


def test_override_needs_manager_and_reason(session: Session, setup: dict[str, object]) -> None:
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, setup["manager"].id), today=TODAY
    )
    with pytest.raises(ValidationError) as err:
        actions.close_with_override(
            session, action, signed_off_by=setup["carer"], reason="", today=TODAY
        )
    assert set(err.value.errors) == {"signed_off_by", "reason"}
    actions.close_with_override(
        session, action, signed_off_by=setup["manager"], reason="Home closing the unit", today=TODAY
    )
    assert action.closed_with_override and action.status == "Closed"
    override_review = action.reviews[-1]
    assert override_review.decision == "Close"
    assert override_review.progress == "Home closing the unit"
    assert "override" in override_review.notes
    with pytest.raises(NotAllowed):
        actions.close_with_override(
            session, action, signed_off_by=setup["manager"], reason="again", today=TODAY
        )


def test_derived_points_cannot_be_typed_over(session: Session, setup: dict[str, object]) -> None:
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, setup["manager"].id), today=TODAY
    )
    measure = create_measure(
        session,
        action.id,
        MeasureInput(
            name="Late",
            direction="lower",
            baseline_value=15,
            target_kind="relative",
            target_value=-80,
        ),
    )
    point = record_point(session, measure.id, TODAY, 4)
    point.derived = True
    with pytest.raises(NotAllowed, match="worked out from tracker records"):
        record_point(session, measure.id, TODAY, 1)


def test_evidence_in_the_future_is_refused(session: Session, setup: dict[str, object]) -> None:
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, setup["manager"].id), today=TODAY
    )
    with pytest.raises(ValidationError) as err:
        add_evidence(
            session,
            action.id,
            EvidenceInput(
                title="MAR", source_type="nonsense", collected_on=TODAY + timedelta(days=1)
            ),
            today=TODAY,
        )
    assert set(err.value.errors) == {"source_type", "collected_on"}


def test_reopen_clears_the_closure_but_the_timeline_keeps_it(
    session: Session, setup: dict[str, object]
) -> None:
    manager = setup["manager"]
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, manager.id), today=TODAY
    )
    actions.close_with_override(
        session, action, signed_off_by=manager, reason="Unit closing", today=TODAY
    )
    actions.reopen_action(session, action, by=manager, reason="Unit reopened", today=TODAY)
    assert action.override_reason == "" and action.closure_rationale == ""
    assert not action.closed_with_override and action.status == "In progress"
    assert [r.decision for r in action.reviews] == ["Close", "Reopen"]
    assert action.reviews[0].progress == "Unit closing"


def test_find_person_ignores_case_in_any_alphabet(
    session: Session, setup: dict[str, object]
) -> None:
    people.create_person(session, "Łukasz Nowak", "Deputy manager")
    found = people.find_person(session, "  łukasz   NOWAK ")
    assert found is not None and found.name == "Łukasz Nowak"
    assert people.find_person(session, "zoë hart") is setup["manager"]
    assert people.find_person(session, "Nobody") is None


def test_an_observation_linked_to_the_action_counts_as_its_evidence(
    session: Session, setup: dict[str, object]
) -> None:
    from datetime import datetime

    from cqc_desktop.services.plans.closure import gather_facts
    from cqc_desktop.services.plans.evidence import evidence_counts
    from cqc_desktop.services.records.logs import record_observation

    manager = setup["manager"]
    action = actions.create_action(
        session, setup["finding"].id, _action(setup, manager.id), today=TODAY
    )
    record_observation(
        session,
        setup["home"].id,
        datetime(2026, 11, 24, 18, 30),
        "Medicines round",
        "Met",
        setup["carer"].id,
        "Amara Okafor",
        "Checked the MAR before each dose and stayed until it was taken.",
        "Praised the protected round.",
        action_id=action.id,
        today=TODAY,
    )
    facts = gather_facts(session, action, TODAY)
    assert [(e.source_type, e.supports) for e in facts.evidence] == [("staff_observation", "Yes")]
    assert evidence_counts(session, action.id) == {"Staff observation": 1}
    strands = {s.name: s.status for s in triangulation(session, action.id)}
    assert strands["management oversight"] == "Supports"
