"""Raising an action from a complaint, an incident or feedback: the form arrives filled in, and
saving links the record to the action."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Evidence, Finding, Person, Plan, Service
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.records import raise_action
from cqc_desktop.services.records.complaints import ComplaintInput, record_complaint
from cqc_desktop.services.records.feedback import FeedbackInput, record_feedback
from cqc_desktop.services.records.incidents import log_incident

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(session: Session) -> dict[str, int]:
    service = Service(name="Willow Court")
    other = Service(name="Beech House")
    session.add_all([service, other])
    session.flush()
    zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    session.add(zoe)
    session.flush()
    complaint = record_complaint(
        session,
        service.id,
        ComplaintInput(
            kind="Complaint",
            received_on=date(2026, 11, 2),
            from_type="Relative or representative",
            from_ref="Daughter of Rm 4",
            channel="Phone",
            category="Medicines",
            summary="Evening tablets given late twice this week. Nobody rang to explain.",
            severity="Medium",
            handled_by_id=zoe.id,
        ),
        today=TODAY,
    )
    return {"service": service.id, "other": other.id, "zoe": zoe.id, "complaint": complaint.id}


def test_a_complaint_raises_an_action_in_a_new_finding(
    session: Session, home: dict[str, int]
) -> None:
    s = raise_action.suggest(session, "complaint", home["complaint"], TODAY)
    assert s.heading == "Complaint CMP-2026-0001, received 02/11/2026"
    assert s.plan_title == "Complaints and feedback"
    d = s.data
    assert d.title == "Evening tablets given late twice this week"
    assert (d.accountable_lead_id, d.due_date, d.risk_area, d.key_question) == (
        home["zoe"],
        TODAY + timedelta(days=14),
        "Medicines",
        "Responsive",
    )
    assert d.finding_id is None and s.findings == ()
    assert d.description.startswith("Raised from Complaint CMP-2026-0001, received 02/11/2026")
    action = raise_action.raise_action(session, "complaint", home["complaint"], d, today=TODAY)
    plan = session.scalars(select(Plan).where(Plan.title == "Complaints and feedback")).one()
    assert plan.origin == "Complaint"
    assert action.finding.plan_id == plan.id
    assert session.get(Action, action.id) is not None
    from cqc_desktop.models import Complaint

    complaint = session.get(Complaint, home["complaint"])
    assert complaint is not None and complaint.action_id == action.id
    with pytest.raises(NotAllowed, match="already linked to"):
        raise_action.suggest(session, "complaint", home["complaint"], TODAY)
    # A second complaint about medicines is offered the same finding.
    again = raise_action.suggest(
        session,
        "incident",
        log_incident(
            session,
            home["service"],
            occurred_at=datetime(2026, 11, 20, 19, 0),
            incident_type="Medication",
            severity="No harm",
            person_ref="Rm 4",
            description="Evening dose given at 22:15, due 20:00.",
            today=TODAY,
        ).id,
        TODAY,
    )
    assert again.data.finding_id == action.finding_id
    assert again.plan_title == "Incidents"


def test_feedback_raised_action_gets_the_feedback_as_evidence(
    session: Session, home: dict[str, int]
) -> None:
    entry = record_feedback(
        session,
        home["service"],
        FeedbackInput(
            received_on=date(2026, 11, 24),
            source="Commissioner",
            method="Email",
            what_was_said="Still waiting for the incident trend data promised last month.",
            sentiment="Negative",
        ),
        today=TODAY,
    )
    s = raise_action.suggest(session, "feedback", entry.id, TODAY)
    s.data.accountable_lead_id = home["zoe"]
    action = raise_action.raise_action(session, "feedback", entry.id, s.data, today=TODAY)
    evidence = session.scalars(select(Evidence).where(Evidence.action_id == action.id)).one()
    assert (evidence.feedback_id, evidence.category, evidence.supports) == (
        entry.id,
        "Feedback from partners",
        "No",
    )


def test_a_finding_from_another_home_is_refused(session: Session, home: dict[str, int]) -> None:
    plan = Plan(service_id=home["other"], title="Beech plan", origin="CQC inspection")
    session.add(plan)
    session.flush()
    finding = Finding(
        plan_id=plan.id,
        title="Elsewhere",
        key_question="Safe",
        risk_area="Medicines",
        likelihood=2,
        impact=2,
        score=4,
        rag="Green",
    )
    session.add(finding)
    session.flush()
    s = raise_action.suggest(session, "complaint", home["complaint"], TODAY)
    s.data.finding_id = finding.id
    with pytest.raises(ValidationError, match="Choose a finding at this care home"):
        raise_action.raise_action(session, "complaint", home["complaint"], s.data, today=TODAY)


def test_a_supervision_raises_an_action_and_its_notes_become_evidence(
    session: Session, home: dict[str, int]
) -> None:
    from cqc_desktop.services.records.supervision import SupervisionInput, record_supervision

    bethan = Person(name="Bethan Hughes", role="Care assistant", service_id=home["service"])
    session.add(bethan)
    session.flush()
    record = record_supervision(
        session,
        home["service"],
        SupervisionInput(
            person_id=bethan.id,
            kind="Competency check",
            held_on=date(2026, 11, 20),
            supervisor_id=home["zoe"],
            focus="Hoist transfers",
            notes="Needed prompting on the sling check.",
            outcome="Shadow two hoist transfers with the moving and handling lead.",
        ),
        today=TODAY,
    )
    s = raise_action.suggest(session, "supervision", record.id, TODAY)
    assert s.heading == "Competency check with Bethan Hughes, 20/11/2026"
    assert s.plan_title == "Supervision"
    assert s.data.title == "Shadow two hoist transfers with the moving and handling lead"
    assert (s.data.accountable_lead_id, s.data.key_question) == (home["zoe"], "Well-led")
    action = raise_action.raise_action(session, "supervision", record.id, s.data, today=TODAY)
    assert record.action_id == action.id
    evidence = session.scalars(select(Evidence).where(Evidence.action_id == action.id)).one()
    assert (evidence.supervision_id, evidence.category) == (
        record.id,
        "Feedback from staff and leaders",
    )
