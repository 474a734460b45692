"""What the closure gate reads from the database for one action (``gather_facts``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.closure import EvidenceFact, MeasureFact, gather_facts
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


def test_facts_hold_each_measures_points_to_date_and_every_evidence_item(session: Session) -> None:
    home = people.create_service(session, "Willow Court")
    zoe = people.create_person(session, "Zoë Hart", "Registered manager", service_id=home.id)
    plan = plans.create_plan(session, plans.PlanInput(home.id, "Mock", "Mock inspection"))
    finding = plans.create_finding(
        session, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
    )
    action = actions.create_action(
        session,
        finding.id,
        ActionInput(
            "Protect the round",
            zoe.id,
            TODAY + timedelta(days=30),
            steps=[StepInput("Revise allocation", zoe.id)],
        ),
        today=TODAY - timedelta(days=60),
    )
    late = create_measure(
        session, action.id, MeasureInput("Late entries per week", "lower", 10, "relative", -80)
    )
    signed = create_measure(
        session, action.id, MeasureInput("Charts signed (%)", "higher", 60, "absolute", 95)
    )
    create_measure(session, action.id, MeasureInput("Not yet measured", "lower", 5, "absolute", 1))
    monday = TODAY - timedelta(days=TODAY.weekday())
    # Recorded out of order, and one for next week: the facts hold points up to today, by week.
    for weeks_ago, value in ((1, 3.0), (3, 9.0), (2, 5.0), (-1, 0.0)):
        record_point(session, late.id, monday - timedelta(weeks=weeks_ago), value)
    record_point(session, signed.id, monday - timedelta(weeks=1), 97.0)
    add_evidence(
        session,
        action.id,
        EvidenceInput("Round observed", "staff_observation", TODAY - timedelta(days=2)),
    )
    session.flush()
    facts = gather_facts(session, action, TODAY)
    weeks = [monday - timedelta(weeks=n) for n in (3, 2, 1)]
    assert facts.measures == (
        MeasureFact(
            "Late entries per week", (9.0, 5.0, 3.0), 2.0, "lower", tuple(weeks), baseline=10
        ),
        MeasureFact("Charts signed (%)", (97.0,), 95.0, "higher", (weeks[2],), baseline=60),
        MeasureFact("Not yet measured", (), 1.0, "lower", baseline=5),
    )
    assert facts.evidence == (EvidenceFact("staff_observation", "Yes", TODAY - timedelta(days=2)),)
    assert (facts.steps_total, facts.steps_done) == (1, 0)
