"""Supervision and competency checks: the next one's date from the versioned intervals, who is
overdue, and notes as evidence in "Feedback from staff and leaders"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Evidence, Finding, Person, Plan, Service
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import supervision
from cqc_desktop.services.records.supervision import SupervisionInput

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(session: Session) -> dict[str, int]:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    people = {
        name: Person(name=name, role=role, service_id=service.id)
        for name, role in (
            ("Zoë Hart", "Registered manager"),
            ("Gareth Llewellyn", "Senior carer"),
            ("Bethan Hughes", "Care assistant"),
        )
    }
    session.add_all(people.values())
    plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
    session.add(plan)
    session.flush()
    finding = Finding(
        plan_id=plan.id,
        title="Late medicines",
        key_question="Safe",
        risk_area="Medicines",
        likelihood=4,
        impact=3,
        score=12,
        rag="Red",
    )
    session.add(finding)
    session.flush()
    action = Action(
        finding_id=finding.id,
        reference="A1",
        title="Protect the medicines round",
        accountable_lead_id=people["Zoë Hart"].id,
        due_date=TODAY + timedelta(weeks=8),
        review_frequency="Weekly",
    )
    session.add(action)
    session.flush()
    return {"service": service.id, "action": action.id} | {
        name.split()[0].lower().replace("ë", "e"): p.id for name, p in people.items()
    }


def _session_for(person: int, held: date, **changes: object) -> SupervisionInput:
    data = SupervisionInput(
        person_id=person,
        kind="One-to-one supervision",
        held_on=held,
        focus="Protected medicines time",
        notes="Talked through the evening round; interruptions from the phone.",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_next_due_and_who_is_overdue(session: Session, home: dict[str, int]) -> None:
    sid = home["service"]
    # 1 September + 56 days = 27 October: a month overdue on 26 November.
    supervision.record_supervision(
        session,
        sid,
        _session_for(home["bethan"], date(2026, 9, 1), supervisor_id=home["zoe"]),
        today=TODAY,
    )
    first = supervision.record_supervision(
        session, sid, _session_for(home["gareth"], date(2026, 8, 3)), today=TODAY
    )
    later = supervision.record_supervision(
        session, sid, _session_for(home["gareth"], date(2026, 11, 2)), today=TODAY
    )
    assert first.next_due == date(2026, 9, 28)
    assert later.next_due == date(2026, 12, 28)
    check = supervision.record_supervision(
        session,
        sid,
        _session_for(home["gareth"], date(2025, 11, 20), kind="Competency check"),
        today=TODAY,
    )
    assert check.next_due == date(2026, 11, 20)  # 365 days on
    due = supervision.due_list(session, TODAY, sid)
    assert [(d.person, d.kind, d.next_due, d.days_overdue) for d in due] == [
        ("Bethan Hughes", "One-to-one supervision", date(2026, 10, 27), 30),
        ("Gareth Llewellyn", "Competency check", date(2026, 11, 20), 6),
        ("Gareth Llewellyn", "One-to-one supervision", date(2026, 12, 28), -32),
    ]
    assert [d.overdue for d in due] == [True, True, False]


def test_notes_linked_to_an_action_are_staff_evidence(
    session: Session, home: dict[str, int]
) -> None:
    record = supervision.record_supervision(
        session,
        home["service"],
        _session_for(
            home["gareth"],
            date(2026, 11, 24),
            action_id=home["action"],
            outcome="Will ask the nurse in charge to hold calls 20:00 to 21:00.",
        ),
        today=TODAY,
    )
    evidence = session.scalars(select(Evidence).where(Evidence.supervision_id == record.id)).one()
    assert (evidence.source_type, evidence.category, evidence.action_id) == (
        "supervision_notes",
        "Feedback from staff and leaders",
        home["action"],
    )
    assert evidence.title == "One-to-one supervision: Gareth Llewellyn, 24/11/2026"
    assert "Agreed: Will ask the nurse" in evidence.description


def test_mistakes(session: Session, home: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as caught:
        supervision.record_supervision(
            session,
            home["service"],
            _session_for(
                home["gareth"],
                TODAY + timedelta(days=1),
                supervisor_id=home["gareth"],
                kind="Chat",
                notes=" ",
                next_due=TODAY,
            ),
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors["supervisor_id"] == "Someone else supervises: choose another supervisor."
    assert errors["kind"].startswith("Choose the kind from the list (One-to-one supervision")
    assert errors["held_on"] == "A supervision cannot be recorded before it happens."
    assert errors["notes"] == "Write down what was discussed and agreed."
    assert errors["next_due"] == "The next one must be after this one (27/11/2026)."
