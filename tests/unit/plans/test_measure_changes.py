"""Recording the date a change was made, and entering one point per week or month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import AuditLog, Measure
from cqc_desktop.services.errors import NotAllowed, NotFound, ValidationError
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.measure_data import (
    MeasureInput,
    SamePeriod,
    create_measure,
    record_point,
)
from cqc_desktop.services.plans.measure_reading import (
    MARK_CHANGE,
    delete_change,
    measure_reading,
    record_change,
)
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)
MONDAY = TODAY - timedelta(days=TODAY.weekday())


@pytest.fixture
def measure(session: Session) -> Measure:
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
            steps=[
                StepInput(
                    "Protected medicines round started", zoe.id, done_on=MONDAY - timedelta(weeks=6)
                ),
                StepInput("Observe two rounds", zoe.id),
            ],
        ),
        today=TODAY - timedelta(days=120),
    )
    m = create_measure(session, action.id, MeasureInput("Late entries", "lower", 15, "absolute", 3))
    values = [15, 14, 16, 15, 14, 15, 2, 1, 1, 1, 2, 1, 1]
    for weeks_ago, value in zip(range(12, -1, -1), values, strict=True):
        record_point(session, m.id, MONDAY - timedelta(weeks=weeks_ago), value)
    return m


def test_a_done_step_marks_the_change_and_the_trail_keeps_it(
    session: Session, measure: Measure
) -> None:
    step = measure.action.steps[0]
    change = record_change(session, measure.id, TODAY, "", step_id=step.id, today=TODAY)
    assert change.changed_on == step.done_on and change.reason == step.description
    trail = session.scalars(
        select(AuditLog.field).where(
            AuditLog.record_type == "MeasureChange", AuditLog.record_id == change.id
        )
    ).all()
    assert "reason" in trail and "changed_on" in trail
    reading = measure_reading(measure, TODAY)
    # Six weeks at about 15, then seven at 1–2: the new phase starts at the change.
    assert [p.start for p in reading.result.phases] == [0, 6]
    assert [(m.kind, m.label) for m in reading.marks] == [
        (MARK_CHANGE, "Protected medicines round started")
    ]


def test_a_chosen_date_needs_a_reason_and_cannot_be_in_the_future(
    session: Session, measure: Measure
) -> None:
    with pytest.raises(ValidationError, match="Say what changed"):
        record_change(session, measure.id, MONDAY, "  ", today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        record_change(session, measure.id, TODAY + timedelta(days=1), "Rota", today=TODAY)
    record_change(session, measure.id, MONDAY - timedelta(weeks=6), "Rota", today=TODAY)
    with pytest.raises(ValidationError, match="already recorded"):
        record_change(session, measure.id, MONDAY - timedelta(weeks=6), "Again", today=TODAY)


def test_a_step_not_done_or_from_another_action_is_refused(
    session: Session, measure: Measure
) -> None:
    not_done = measure.action.steps[1]
    with pytest.raises(ValidationError, match="not done yet"):
        record_change(session, measure.id, TODAY, "", step_id=not_done.id)
    with pytest.raises(NotFound):
        record_change(session, measure.id, TODAY, "", step_id=9999)


def test_deleting_a_change_goes_back_to_one_phase(session: Session, measure: Measure) -> None:
    change = record_change(session, measure.id, MONDAY - timedelta(weeks=6), "Rota")
    assert len(measure_reading(measure, TODAY).result.phases) == 2
    delete_change(session, change.id)
    session.refresh(measure)
    assert len(measure_reading(measure, TODAY).result.phases) == 1


def test_one_point_per_week_unless_replaced(session: Session, measure: Measure) -> None:
    with pytest.raises(SamePeriod, match=f"week starting {MONDAY:%d/%m/%Y}") as err:
        record_point(session, measure.id, MONDAY + timedelta(days=2), 3)
    assert err.value.existing_value == 1
    record_point(session, measure.id, MONDAY + timedelta(days=2), 3, replace=True)
    session.refresh(measure)
    assert [(p.period_start, p.value) for p in measure.points[-2:]] == [
        (MONDAY - timedelta(weeks=1), 1),
        (MONDAY + timedelta(days=2), 3),
    ]
    # The same date is a correction, not a second point.
    record_point(session, measure.id, MONDAY + timedelta(days=2), 2)
    assert len(measure.points) == 13


def test_one_point_per_month_for_a_monthly_measure(session: Session, measure: Measure) -> None:
    monthly = create_measure(
        session,
        measure.action_id,
        MeasureInput("Audit score", "higher", 60, "absolute", 90, unit="%", frequency="monthly"),
    )
    record_point(session, monthly.id, date(2026, 10, 1), 70)
    with pytest.raises(SamePeriod, match="month of October 2026"):
        record_point(session, monthly.id, date(2026, 10, 20), 75)
    record_point(session, monthly.id, date(2026, 11, 2), 75)


def test_a_derived_point_is_never_replaced_by_a_typed_one(
    session: Session, measure: Measure
) -> None:
    measure.points[-1].derived = True
    session.flush()
    with pytest.raises(NotAllowed, match="tracker records"):
        record_point(session, measure.id, MONDAY + timedelta(days=1), 3, replace=True)
