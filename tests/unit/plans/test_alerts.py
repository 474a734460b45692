"""Triggers raise alerts once; acknowledging needs a note and keeps the alert."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import Alert, AuditAnswer, AuditRun, AuditTemplate
from cqc_desktop.models.enums import AlertKind, Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans import actions, alerts, plans
from cqc_desktop.services.plans.actions import ActionInput
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.records.incidents import log_incident
from cqc_desktop.services.records.logs import record_observation
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust.permissions import SESSION_KEY, Actor

TODAY = date(2026, 11, 26)


@pytest.fixture
def base(session: Session) -> dict[str, int]:
    home = people.create_service(session, "Willow Court")
    zoe = people.create_person(session, "Zoë Hart", "Registered manager", service_id=home.id)
    plan = plans.create_plan(
        session, plans.PlanInput(home.id, "Mock inspection", "Mock inspection")
    )
    finding = plans.create_finding(
        session, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
    )
    action = actions.create_action(
        session,
        finding.id,
        ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
        today=TODAY,  # first review in 7 days: not overdue
    )
    return {"home": home.id, "zoe": zoe.id, "action": action.id, "finding": finding.id}


def _kinds(session: Session) -> list[str]:
    return sorted(a.kind for a in alerts.open_alerts(session))


def _measure(session: Session, action_id: int, values: list[float]) -> int:
    measure = create_measure(
        session, action_id, MeasureInput("Late entries per week", "lower", 10, "absolute", 2)
    )
    start = TODAY - timedelta(days=7 * (len(values) - 1))
    for i, v in enumerate(values):
        record_point(session, measure.id, start + timedelta(days=7 * i), v)
    return measure.id


def test_nothing_to_raise(session: Session, base: dict[str, int]) -> None:
    assert alerts.scan(session, TODAY) == 0
    assert alerts.open_alerts(session) == []


def test_special_cause_concern_raised_once(session: Session, base: dict[str, int]) -> None:
    # Steady around 4, then a jump far above the upper limit (lower is better: a concern).
    _measure(session, base["action"], [4, 5, 4, 4, 5, 4, 4, 5, 4, 14])
    assert alerts.scan(session, TODAY) == 1
    (alert,) = alerts.open_alerts(session)
    assert alert.kind == AlertKind.SPECIAL_CAUSE_CONCERN
    assert "outside limits" in alert.message
    assert alert.action_id == base["action"]
    assert alert.action == "MI-A1 Protect the medicines round"
    assert alerts.scan(session, TODAY) == 0  # idempotent through source_key
    assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_two_worsening_points(session: Session, base: dict[str, int]) -> None:
    _measure(session, base["action"], [6, 5, 4, 5, 6])
    assert alerts.scan(session, TODAY) == 1
    assert _kinds(session) == [AlertKind.WORSENING]
    assert "4 → 5 → 6" in alerts.open_alerts(session)[0].message


def test_stale_measure_is_not_scanned(session: Session, base: dict[str, int]) -> None:
    measure = create_measure(
        session, base["action"], MeasureInput("Late entries", "lower", 10, "absolute", 2)
    )
    old = TODAY - timedelta(days=120)
    for i, v in enumerate([6, 5, 4, 5, 6]):
        record_point(session, measure.id, old + timedelta(days=7 * i), v)
    assert alerts.scan(session, TODAY) == 0


def test_review_overdue(session: Session, base: dict[str, int]) -> None:
    later = TODAY + timedelta(days=10)
    assert alerts.scan(session, later) == 1
    (alert,) = alerts.open_alerts(session)
    assert alert.kind == AlertKind.REVIEW_OVERDUE
    assert "03/12/2026" in alert.message and "Zoë Hart" in alert.message
    # Closed or archived actions do not raise it.
    actions.archive_action(session, actions.get_action(session, base["action"]))
    assert alerts.scan(session, later + timedelta(days=7)) == 0


def test_not_met_observation_and_audit_no(session: Session, base: dict[str, int]) -> None:
    record_observation(
        session,
        base["home"],
        datetime(2026, 11, 20, 18, 0),
        "Medicines round",
        "Not met",
        base["zoe"],
        "Evening senior",
        "Round started 45 minutes late",
        "Discussed protected time",
        follow_up="Observe again next week",
        follow_up_due=TODAY,
        action_id=base["action"],
    )
    template = AuditTemplate(key="meds", name="Medication audit", definition={"sections": []})
    session.add(template)
    session.flush()
    run = AuditRun(
        template_id=template.id,
        service_id=base["home"],
        run_on=TODAY - timedelta(days=3),
        action_id=base["action"],
    )
    run.answers = [
        AuditAnswer(section="MAR", question_key="q1", answer="No"),
        AuditAnswer(section="MAR", question_key="q2", answer="No"),
        AuditAnswer(section="MAR", question_key="q3", answer="Yes"),
    ]
    session.add(run)
    session.flush()
    assert alerts.scan(session, TODAY) == 2
    messages = sorted(a.message for a in alerts.open_alerts(session))
    assert messages[0].startswith("2 items were answered “No” in the Medication audit")
    assert messages[1].startswith("Medicines round observation on 20/11/2026 was not met")
    assert _kinds(session) == [AlertKind.NOT_MET, AlertKind.NOT_MET]


def test_repeat_incident_same_person_within_30_days(session: Session, base: dict[str, int]) -> None:
    def fall(when: datetime, person: str, place: str) -> None:
        log_incident(
            session,
            base["home"],
            occurred_at=when,
            incident_type="Fall",
            severity="Low harm",
            person_ref=person,
            location=place,
            action_id=base["action"],
            today=TODAY,
        )

    fall(datetime(2026, 10, 1, 9), "Room 12", "Bedroom")
    fall(datetime(2026, 11, 20, 9), "Room 12", "Lounge")  # 50 days later: not a repeat
    fall(datetime(2026, 11, 22, 9), "Room 4", "Corridor")
    assert alerts.scan(session, TODAY) == 0
    fall(datetime(2026, 11, 25, 9), "Room 12", "Bedroom")
    assert alerts.scan(session, TODAY) == 1
    (alert,) = alerts.open_alerts(session)
    assert alert.kind == AlertKind.REPEAT_INCIDENT
    # Matched on the person (a place match would read "in the bedroom").
    assert "Repeat fall incident for R" in alert.message
    assert "5 days after" in alert.message
    assert alert.action_id == base["action"]


def test_acknowledge_needs_note_and_keeps_alert(session: Session, base: dict[str, int]) -> None:
    alerts.scan(session, TODAY + timedelta(days=10))
    (alert,) = alerts.open_alerts(session)
    with pytest.raises(ValidationError) as err:
        alerts.acknowledge(session, alert.alert_id, "  ", base["zoe"])
    assert set(err.value.errors) == {"note"}
    with pytest.raises(ValidationError) as err:
        alerts.acknowledge(session, alert.alert_id, "Booked", None)
    assert set(err.value.errors) == {"by"}
    alerts.acknowledge(session, alert.alert_id, "Review booked for Friday", base["zoe"])
    assert alerts.open_alerts(session) == []
    (kept,) = alerts.acknowledged_alerts(session)
    assert kept.note == "Review booked for Friday" and kept.acknowledged_by == "Zoë Hart"
    with pytest.raises(NotAllowed):
        alerts.acknowledge(session, alert.alert_id, "Again", base["zoe"])
    # The same trigger never comes back once acknowledged.
    assert alerts.scan(session, TODAY + timedelta(days=10)) == 0


def test_acknowledge_needs_permission(session: Session, base: dict[str, int]) -> None:
    session.info[SESSION_KEY] = Actor(user_id=9, username="tom", role=Role.STAFF)
    # The scan itself is not an edit: any signed-in role can run it.
    assert alerts.scan(session, TODAY + timedelta(days=10)) == 1
    (alert,) = alerts.open_alerts(session)
    with pytest.raises(NotAllowed):
        alerts.acknowledge(session, alert.alert_id, "Seen", base["zoe"])


def test_open_alerts_by_service(session: Session, base: dict[str, int]) -> None:
    alerts.scan(session, TODAY + timedelta(days=10))
    assert len(alerts.open_alerts(session, base["home"])) == 1
    assert alerts.open_alerts(session, base["home"] + 100) == []
