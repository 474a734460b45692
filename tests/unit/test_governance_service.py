"""Audit templates, scored runs and locked governance minutes, against an in-memory database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import AuditRun, AuditTemplate, Base, Meeting, Person, Service
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.governance import (
    ScoreResult,
    SectionScore,
    add_addendum,
    add_meeting_item,
    approve_minutes,
    check_definition,
    create_meeting,
    install_builtin_audit_templates,
    load_audit_definitions,
    new_template_version,
    previous_run,
    record_audit_run,
    record_item_minute,
    score_answers,
    update_meeting,
)

TWO_SECTIONS: dict[str, Any] = {
    "sections": [
        {
            "title": "Records",
            "questions": [
                {"key": "q1", "text": "MAR signed"},
                {"key": "q2", "text": "Allergies recorded"},
                {"key": "q3", "text": "Photo present"},
            ],
        },
        {
            "title": "Covert",
            "questions": [
                {"key": "q4", "text": "Best interests decision"},
                {"key": "q5", "text": "Pharmacist advice"},
            ],
        },
    ],
    "record_sample": False,
}


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        service = Service(name="Oak Lodge")
        s.add(service)
        s.flush()
        s.add(Person(name="Sam Okafor", role="Registered manager", service_id=service.id))
        s.flush()
        yield s


@pytest.fixture
def service(session: Session) -> Service:
    return session.scalars(select(Service)).one()


@pytest.fixture
def manager(session: Session) -> Person:
    return session.scalars(select(Person)).one()


@pytest.fixture
def template(session: Session) -> AuditTemplate:
    t = AuditTemplate(
        key="mini",
        name="Mini audit",
        version=1,
        current=True,
        definition=TWO_SECTIONS,
        schedule="weekly",
    )
    session.add(t)
    session.flush()
    return t


def _errors(call: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(call)
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


# --- templates --------------------------------------------------------------------------------


def test_shipped_audits_are_valid() -> None:
    definitions = {d["key"]: d for d in load_audit_definitions()}
    assert set(definitions) == {
        "medication_audit",
        "care_record_audit",
        "infection_control_audit",
        "falls_audit",
    }
    for definition in definitions.values():
        check_definition(definition)
        assert definition["version"] == 1 and definition["schedule"] in ("weekly", "monthly")
    medication = definitions["medication_audit"]
    assert [s["title"] for s in medication["sections"]] == [
        "MAR completeness",
        "Administration times",
        "PRN records",
        "Controlled drugs",
        "Stock and storage",
        "Covert and when-required protocols",
        "Signatures",
    ]
    assert all(3 <= len(s["questions"]) <= 5 for s in medication["sections"])
    care = definitions["care_record_audit"]
    assert care["schedule"] == "monthly" and care["record_sample"] is True


def test_install_is_idempotent_by_key_and_version(session: Session) -> None:
    first = install_builtin_audit_templates(session)
    second = install_builtin_audit_templates(session)
    assert len(first) == 4 and [t.id for t in first] == [t.id for t in second]
    assert session.scalar(select(func.count()).select_from(AuditTemplate)) == 4
    assert all(t.current for t in first)


def test_new_version_keeps_old_runs_template(
    session: Session, service: Service, manager: Person, template: AuditTemplate
) -> None:
    run = record_audit_run(
        session,
        template.id,
        service.id,
        date(2026, 11, 1),
        manager.id,
        dict.fromkeys(["q1", "q2", "q3", "q4", "q5"], "y"),
    )
    edited = {**TWO_SECTIONS, "sections": TWO_SECTIONS["sections"][:1], "name": "Mini audit v2"}
    v2 = new_template_version(session, template.id, edited)
    assert (v2.version, v2.current, template.current) == (2, True, False)
    assert v2.key == "mini" and v2.name == "Mini audit v2" and v2.schedule == "weekly"
    session.expire_all()
    assert run.template.version == 1 and len(run.template.definition["sections"]) == 2
    # Installing the shipped templates leaves the manager's own versions alone.
    install_builtin_audit_templates(session)
    assert session.get(AuditTemplate, v2.id) is not None


def test_invalid_definition_is_rejected(session: Session, template: AuditTemplate) -> None:
    errors = _errors(
        new_template_version,
        session,
        template.id,
        {
            "sections": [
                {"title": "", "questions": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}]},
                {"title": "Empty", "questions": []},
            ]
        },
    )
    assert errors == {
        "sections.1": "Section 1 needs a title.",
        "sections.1.2": "The question key 'a' is used twice.",
        "sections.2": "Empty needs at least one question.",
    }


# --- scoring ----------------------------------------------------------------------------------


def test_score_excludes_na() -> None:
    # Records: Yes, Yes, No → 2/3; Covert: Yes, N/A → 1/1. Overall 3 Yes, 1 No → 75 %.
    result = score_answers(
        TWO_SECTIONS, {"q1": "Yes", "q2": "Yes", "q3": "No", "q4": "Yes", "q5": "N/A"}
    )
    records, covert = result.sections
    assert (records.title, records.yes, records.no, records.na) == ("Records", 2, 1, 0)
    assert records.percent == pytest.approx(200 / 3)
    assert covert == SectionScore("Covert", 1, 0, 1, 100.0)
    assert (result.yes, result.no, result.na, result.percent) == (3, 1, 1, 75.0)
    assert isinstance(result, ScoreResult)


def test_all_na_section_scores_none() -> None:
    result = score_answers(TWO_SECTIONS, {"q1": "y", "q2": "n", "q3": "a", "q4": "na", "q5": "n/a"})
    assert result.sections[0].percent == 50.0
    assert result.sections[1].percent is None and result.sections[1].na == 2
    assert result.percent == 50.0
    all_na = score_answers(TWO_SECTIONS, dict.fromkeys(["q1", "q2", "q3", "q4", "q5"], "N/A"))
    assert all_na.percent is None


# --- runs -------------------------------------------------------------------------------------


def test_keyboard_answers_are_stored_in_full(
    session: Session, service: Service, manager: Person, template: AuditTemplate
) -> None:
    run = record_audit_run(
        session,
        template.id,
        service.id,
        date(2026, 11, 1),
        manager.id,
        {"q1": "y", "q2": "Y", "q3": "n", "q4": "YES", "q5": "a"},
        comments={"q3": "  Photo missing for Rm 4 "},
        notes="Evening MARs",
    )
    assert [(a.section, a.question_key, a.answer) for a in run.answers] == [
        ("Records", "q1", "Yes"),
        ("Records", "q2", "Yes"),
        ("Records", "q3", "No"),
        ("Covert", "q4", "Yes"),
        ("Covert", "q5", "N/A"),
    ]
    assert run.answers[2].comment == "Photo missing for Rm 4"
    assert run.score_percent == 75.0


def test_incomplete_run_is_rejected(
    session: Session, service: Service, manager: Person, template: AuditTemplate
) -> None:
    errors = _errors(
        record_audit_run,
        session,
        template.id,
        service.id,
        date(2026, 11, 1),
        None,
        {"q1": "y", "q2": "maybe", "q4": "", "zz": "y"},
    )
    assert errors == {
        "auditor_id": "Choose who carried out the audit from the staff list.",
        "zz": "'zz' is not a question on version 1 of this audit.",
        "q2": "Records, question 2: 'maybe' is not an answer: use Yes, No or N/A "
        "(Y, N or A on the keyboard).",
        "q3": "Records, question 3 needs an answer: Yes, No or N/A.",
        "q4": "Covert, question 1 needs an answer: Yes, No or N/A.",
        "q5": "Covert, question 2 needs an answer: Yes, No or N/A.",
    }
    assert session.scalar(select(func.count()).select_from(AuditRun)) == 0


def test_sampled_audit_needs_sample_size(
    session: Session, service: Service, manager: Person
) -> None:
    care = next(t for t in install_builtin_audit_templates(session) if t.key == "care_record_audit")
    keys = [q["key"] for s in care.definition["sections"] for q in s["questions"]]
    errors = _errors(
        record_audit_run,
        session,
        care.id,
        service.id,
        date(2026, 11, 30),
        manager.id,
        dict.fromkeys(keys, "y"),
    )
    assert errors == {"sample_size": "Enter how many records were sampled."}
    run = record_audit_run(
        session,
        care.id,
        service.id,
        date(2026, 11, 30),
        manager.id,
        dict.fromkeys(keys, "y"),
        sample_size=10,
    )
    assert run.score_percent == 100.0 and run.sample_size == 10


def test_previous_run_spans_versions_and_ignores_other_homes(
    session: Session, service: Service, manager: Person, template: AuditTemplate
) -> None:
    answers = dict.fromkeys(["q1", "q2", "q3", "q4", "q5"], "y")
    first = record_audit_run(
        session, template.id, service.id, date(2026, 10, 1), manager.id, answers
    )
    v2 = new_template_version(session, template.id, TWO_SECTIONS)
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    record_audit_run(session, v2.id, other.id, date(2026, 10, 15), manager.id, answers)
    latest = record_audit_run(session, v2.id, service.id, date(2026, 11, 1), manager.id, answers)
    assert previous_run(session, latest) is first
    assert previous_run(session, first) is None


# --- meetings ---------------------------------------------------------------------------------


def _approved_meeting(session: Session, service: Service, manager: Person) -> int:
    meeting = create_meeting(
        session,
        "Weekly governance",
        date(2026, 11, 20),
        service.id,
        manager.id,
        [manager.id],
        other_attendees="Pharmacist",
    )
    item = add_meeting_item(session, meeting.id, "Late medicines: weekly trend", "Action review")
    record_item_minute(
        session,
        item.id,
        "Late entries down from 12 to 5",
        "Is night covered?",
        "MAR audit 92%",
        "Change controls",
        owner_id=manager.id,
        due_date=date(2026, 11, 27),
    )
    approve_minutes(session, meeting.id, manager.id, date(2026, 11, 21))
    return meeting.id


def test_approved_minutes_are_locked_and_addendum_allowed(
    session: Session, service: Service, manager: Person
) -> None:
    meeting_id = _approved_meeting(session, service, manager)
    locked = (
        "These minutes were approved on 21/11/2026 and are locked. Add an addendum to correct them."
    )
    with pytest.raises(NotAllowed) as caught:
        add_meeting_item(session, meeting_id, "Late addition")
    assert str(caught.value) == locked
    with pytest.raises(NotAllowed, match="locked"):
        update_meeting(session, meeting_id, apologies="Deputy")
    with pytest.raises(NotAllowed, match="locked"):
        approve_minutes(session, meeting_id, manager.id, date(2026, 11, 22))
    addendum = add_addendum(
        session, meeting_id, manager.id, date(2026, 11, 23), "Late entries were down to 6, not 5."
    )
    assert addendum.id and addendum.added_on == date(2026, 11, 23)


def test_item_minute_locked_after_approval(
    session: Session, service: Service, manager: Person
) -> None:
    meeting_id = _approved_meeting(session, service, manager)
    meeting = create_meeting(session, "Staff meeting", date(2026, 11, 20), service.id)
    assert meeting.id != meeting_id
    item = session.get_one(Meeting, meeting_id).items[0]
    with pytest.raises(NotAllowed, match="approved on 21/11/2026"):
        record_item_minute(session, item.id, "x", "", "", "")


def test_addendum_only_on_approved_minutes(
    session: Session, service: Service, manager: Person
) -> None:
    meeting = create_meeting(session, "Provider governance meeting", date(2026, 11, 20))
    with pytest.raises(NotAllowed, match="still a draft"):
        add_addendum(session, meeting.id, manager.id, date(2026, 11, 21), "Correction")


def test_minute_and_approval_rules(session: Session, service: Service, manager: Person) -> None:
    errors = _errors(create_meeting, session, "Weekly governance", date(2026, 11, 20), chair_id=99)
    assert errors == {
        "service_id": "Choose the care home this meeting covers.",
        "chair_id": "Choose the chair from the staff list.",
    }
    meeting = create_meeting(session, "Weekly governance", date(2026, 11, 20), service.id)
    item = add_meeting_item(session, meeting.id, "Falls themes")
    errors = _errors(
        record_item_minute, session, item.id, "", "", "", "Escalate", due_date=date(2026, 11, 1)
    )
    assert errors == {
        "discussion": "Summarise the discussion.",
        "owner_id": "A decision to escalate needs an owner.",
        "due_date": "The due date cannot be before the meeting.",
    }
    errors = _errors(record_item_minute, session, item.id, "Talked", "", "", "Maybe")
    assert errors["decision"].startswith("Choose a decision from the list (Continue,")
    carer = Person(name="Jo Bell", role="Senior carer", service_id=service.id)
    session.add(carer)
    session.flush()
    errors = _errors(approve_minutes, session, meeting.id, carer.id, date(2026, 11, 19))
    assert errors["approved_by_id"].startswith("Jo Bell is not a manager")
    assert errors["approved_on"] == "Minutes cannot be approved before the meeting was held."
    assert errors["items.1"] == "Item 1 (Falls themes) has no minute yet."
    record_item_minute(session, item.id, "Three falls at night", "", "", "Note")
    approve_minutes(session, meeting.id, manager.id, date(2026, 11, 20))
    assert meeting.status == "Approved"
