"""Governance meetings: locked minutes, decisions that are the action's review, the agenda builder,
auto-saved drafts and the paged meeting list, against an in-memory database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import (
    Action,
    Alert,
    Base,
    Evidence,
    Incident,
    Meeting,
    MeetingItem,
    Person,
    Review,
    Service,
)
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.governance import agenda, minute_drafts
from cqc_desktop.services.governance.listing import MeetingFilter, meeting_page
from cqc_desktop.services.governance.meetings import (
    add_addendum,
    add_meeting_item,
    approve_minutes,
    create_meeting,
    move_meeting_item,
    previous_meeting,
    remove_meeting_item,
    update_meeting,
)
from cqc_desktop.services.governance.minutes import (
    MinuteInput,
    item_review,
    link_minute_as_evidence,
    record_item_minute,
    record_minute,
)
from cqc_desktop.services.plans.actions import ActionInput, StepInput, create_action, record_review
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.plans.plans import FindingInput, PlanInput, create_finding, create_plan
from cqc_desktop.services.trust.permissions import SESSION_KEY, Actor

TODAY = date(2026, 11, 26)
HELD = date(2026, 11, 24)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        service = Service(name="Oak Lodge")
        other = Service(name="Elm House")
        s.add_all([service, other])
        s.flush()
        s.add_all(
            [
                Person(name="Sam Okafor", role="Registered manager", service_id=service.id),
                Person(name="Jo Bell", role="Senior carer", service_id=service.id),
                Person(name="Ravi Shah", role="Registered manager", service_id=other.id),
            ]
        )
        s.flush()
        yield s


def _person(session: Session, name: str) -> Person:
    return session.scalars(select(Person).where(Person.name == name)).one()


def _home(session: Session, name: str = "Oak Lodge") -> Service:
    return session.scalars(select(Service).where(Service.name == name)).one()


def _action(
    session: Session,
    title: str = "Stop late evening medicines",
    *,
    home: str = "Oak Lodge",
    created: date = date(2026, 10, 1),
    oversight: str = "",
    steps: list[StepInput] | None = None,
) -> Action:
    service = _home(session, home)
    lead = _person(session, "Sam Okafor" if home == "Oak Lodge" else "Ravi Shah")
    plan = create_plan(session, PlanInput(service.id, f"Audit plan {title}", "Internal audit"))
    finding = create_finding(session, plan.id, FindingInput(title, "Safe", "Medicines", 4, 4))
    return create_action(
        session,
        finding.id,
        ActionInput(
            title=title,
            accountable_lead_id=lead.id,
            due_date=date(2026, 12, 31),
            oversight_plan=oversight,
            steps=steps or [],
        ),
        today=created,
    )


def _weekly(session: Session, held: date = HELD, *, chair: bool = True) -> Meeting:
    manager = _person(session, "Sam Okafor")
    return create_meeting(
        session,
        "Weekly governance",
        held,
        _home(session).id,
        manager.id if chair else None,
        [manager.id, _person(session, "Jo Bell").id],
        other_attendees="Pharmacist",
    )


def _as(session: Session, role: Role) -> None:
    session.info[SESSION_KEY] = Actor(1, role.value, role)


def _errors(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def _reviews(session: Session, action: Action) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.action_id == action.id)))


# --- locking, approval and addenda -------------------------------------------------------------


def _approved_meeting(session: Session) -> int:
    manager = _person(session, "Sam Okafor")
    meeting = _weekly(session, date(2026, 11, 20))
    item = add_meeting_item(session, meeting.id, "Late medicines: weekly trend", "Other")
    record_minute(
        session,
        item.id,
        MinuteInput(
            "Late entries down from 12 to 5",
            "Is night covered?",
            "MAR audit 92%",
            "Change controls",
            owner_id=manager.id,
            due_date=date(2026, 11, 27),
        ),
        today=TODAY,
    )
    approve_minutes(session, meeting.id, manager.id, date(2026, 11, 21))
    return meeting.id


def test_approved_minutes_are_locked_and_addendum_allowed(session: Session) -> None:
    meeting_id = _approved_meeting(session)
    manager = _person(session, "Sam Okafor")
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
    item = session.get_one(Meeting, meeting_id).items[0]
    with pytest.raises(NotAllowed, match="approved on 21/11/2026"):
        record_minute(session, item.id, MinuteInput("x"), today=TODAY)
    with pytest.raises(NotAllowed, match="approved on 21/11/2026"):
        record_item_minute(session, item.id, "x", "", "", "")
    errors = _errors(add_addendum, session, meeting_id, manager.id, date(2026, 11, 20), " ")
    assert errors == {
        "text": "Write the correction.",
        "added_on": "An addendum cannot be dated before the minutes were approved (21/11/2026).",
    }
    addendum = add_addendum(
        session, meeting_id, manager.id, date(2026, 11, 23), "Late entries were down to 6, not 5."
    )
    assert addendum.id and addendum.added_on == date(2026, 11, 23)
    assert [a.text for a in session.get_one(Meeting, meeting_id).addenda] == [
        "Late entries were down to 6, not 5."
    ]


def test_addendum_only_on_approved_minutes(session: Session) -> None:
    meeting = create_meeting(session, "Provider governance meeting", date(2026, 11, 20))
    with pytest.raises(NotAllowed, match="still a draft"):
        add_addendum(session, meeting.id, 1, date(2026, 11, 21), "Correction")


def test_minute_and_approval_rules(session: Session) -> None:
    errors = _errors(create_meeting, session, "Weekly governance", HELD, chair_id=99)
    assert errors == {
        "service_id": "Choose the care home this meeting covers.",
        "chair_id": "Choose the chair from the staff list.",
    }
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, "Falls themes")
    errors = _errors(
        record_minute,
        session,
        item.id,
        MinuteInput("", decision="Escalate", due_date=date(2026, 11, 1)),
        today=TODAY,
    )
    assert errors == {
        "discussion": "Summarise the discussion.",
        "owner_id": "A decision to escalate needs an owner.",
        "due_date": "The due date cannot be before the meeting.",
    }
    errors = _errors(
        record_minute, session, item.id, MinuteInput("Talked", decision="Maybe"), today=TODAY
    )
    assert errors["decision"].startswith("Choose a decision from the list (Continue,")
    carer = _person(session, "Jo Bell")
    errors = _errors(approve_minutes, session, meeting.id, carer.id, date(2026, 11, 19))
    assert errors["approved_by_id"].startswith("Jo Bell is not a manager")
    assert errors["approved_on"] == "Minutes cannot be approved before the meeting was held."
    assert errors["items.1"] == "Item 1 (Falls themes) has no minute yet."
    record_minute(
        session, item.id, MinuteInput("Three falls at night", decision="Note"), today=TODAY
    )
    approve_minutes(session, meeting.id, _person(session, "Sam Okafor").id, HELD)
    assert meeting.status == "Approved"


def test_carried_forward_item_needs_no_minute_and_returns_next_time(session: Session) -> None:
    meeting = _weekly(session, date(2026, 11, 17))
    item = add_meeting_item(session, meeting.id, "Call bell audit")
    record_minute(session, item.id, MinuteInput("", carried_forward=True), today=TODAY)
    assert item.carried_forward and item.decision == ""
    approve_minutes(session, meeting.id, _person(session, "Sam Okafor").id, HELD)
    nxt = _weekly(session, HELD)
    entries = agenda.build_agenda(session, nxt.id, TODAY)
    carried = [e for e in entries if e.kind == "Carried forward"]
    assert [(e.title, e.carried_from_id) for e in carried] == [("Call bell audit", item.id)]


# --- a decision on an action is that action's review ------------------------------------------


def test_change_controls_decision_is_the_actions_review(session: Session) -> None:
    action = _action(session)
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    senior = _person(session, "Jo Bell")
    record_minute(
        session,
        item.id,
        MinuteInput(
            "Rounds still interrupted twice a night.",
            "Why has the tabard not stopped the calls?",
            "Tracker and two observed rounds.",
            "Change controls",
            owner_id=senior.id,
            due_date=date(2026, 12, 1),
            rag="Red",
        ),
        today=TODAY,
    )
    (review,) = _reviews(session, action)
    assert (review.meeting_item_id, review.decision, review.review_date) == (
        item.id,
        "Change controls",
        HELD,
    )
    assert review.reviewer.name == "Sam Okafor" and review.level == "Manager"
    assert review.progress == "Rounds still interrupted twice a night."
    assert "Challenge: Why has the tabard not stopped the calls?" in review.notes
    assert "Owner: Jo Bell, due 01/12/2026." in review.notes
    assert action.rag == "Red" and action.next_review_date == HELD + timedelta(days=7)
    # Editing the draft minute changes the same record; it never adds a second review.
    record_minute(
        session,
        item.id,
        MinuteInput("Rounds still interrupted.", decision="Continue", rag="Amber"),
        today=TODAY,
    )
    (review,) = _reviews(session, action)
    assert (review.decision, review.rag, action.rag) == ("Continue", "Amber", "Amber")
    assert item_review(session, item.id) is review


def test_note_withdraws_the_review_and_restores_the_schedule(session: Session) -> None:
    action = _action(session, created=date(2026, 11, 1))
    record_review(
        session,
        action.id,
        review_date=date(2026, 11, 10),
        reviewer_id=action.accountable_lead_id,
        progress="On track",
        rag="Amber",
        decision="Continue",
    )
    assert action.next_review_date == date(2026, 11, 17)
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    record_minute(
        session, item.id, MinuteInput("Better", decision="Continue", rag="Green"), today=TODAY
    )
    assert len(_reviews(session, action)) == 2 and action.next_review_date == date(2026, 12, 1)
    record_minute(session, item.id, MinuteInput("Mentioned only", decision="Note"), today=TODAY)
    assert [r.review_date for r in _reviews(session, action)] == [date(2026, 11, 10)]
    assert (action.next_review_date, action.rag) == (date(2026, 11, 17), "Amber")


def test_provider_meeting_decision_is_a_provider_review(session: Session) -> None:
    action = _action(session, home="Elm House")
    chair = _person(session, "Sam Okafor")
    meeting = create_meeting(session, "Provider governance meeting", HELD, None, chair.id)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    record_minute(
        session,
        item.id,
        MinuteInput("Trend holding", decision="Escalate", owner_id=chair.id, due_date=TODAY),
        today=TODAY,
    )
    (review,) = _reviews(session, action)
    assert (review.level, review.decision) == ("Provider", "Escalate")


def test_decision_on_action_needs_a_chair_and_a_held_meeting(session: Session) -> None:
    action = _action(session)
    meeting = _weekly(session, chair=False)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    errors = _errors(
        record_minute, session, item.id, MinuteInput("x", decision="Continue"), today=TODAY
    )
    assert errors["decision"].startswith("Choose the chair of the meeting first")
    future = _weekly(session, TODAY + timedelta(days=5))
    item = add_meeting_item(session, future.id, action.title, "Action review", action.id)
    errors = _errors(
        record_minute, session, item.id, MinuteInput("x", decision="Continue"), today=TODAY
    )
    assert errors == {
        "decision": "A decision on an action can be minuted only once the meeting is held."
    }
    assert _reviews(session, action) == []


def test_close_goes_through_the_closure_gate(session: Session) -> None:
    action = _action(session, oversight="Monthly MAR audit by the medicines lead")
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    errors = _errors(
        record_minute, session, item.id, MinuteInput("Looks done", decision="Close"), today=TODAY
    )
    assert errors["decision"].startswith("The action cannot close yet. All steps done:")
    assert "No measure is set for this action." in errors["decision"]
    assert _reviews(session, action) == [] and action.status == "Not started"
    assert item.decision == "" and item.discussion == ""


def _gate_ready(session: Session) -> Action:
    action = _action(
        session,
        oversight="Monthly MAR audit by the medicines lead",
        steps=[StepInput("Revise the allocation sheet", done_on=date(2026, 10, 10))],
    )
    measure = create_measure(
        session, action.id, MeasureInput("Late entries", "lower", 15, "relative", -80)
    )
    # Seven weeks at 1–2 a week: limits 0 to 2.6, all within the target of 3.
    for week, value in enumerate((2, 1, 1, 1, 2, 1, 1)):
        record_point(session, measure.id, date(2026, 10, 5) + timedelta(weeks=week), value)
    for source in ("staff_observation", "peoples_feedback", "audit"):
        add_evidence(session, action.id, EvidenceInput(source, source, date(2026, 11, 10)))
    return action


def test_close_decision_closes_a_gate_ready_action_and_cannot_be_undone_here(
    session: Session,
) -> None:
    action = _gate_ready(session)
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    record_minute(
        session,
        item.id,
        MinuteInput("Held at target for a month", decision="Close", rag="Green"),
        today=TODAY,
    )
    (review,) = _reviews(session, action)
    assert review.decision == "Close" and action.status == "Closed"
    assert action.closed_by_id == meeting.chair_id and action.closed_on == TODAY
    record_minute(
        session,
        item.id,
        MinuteInput("Held at target for four weeks", decision="Close", rag="Green"),
        today=TODAY,
    )
    assert [r.progress for r in _reviews(session, action)] == ["Held at target for four weeks"]
    with pytest.raises(NotAllowed, match="reopen the action from its review timeline"):
        record_minute(session, item.id, MinuteInput("Oops", decision="Continue"), today=TODAY)


def test_item_with_a_review_cannot_be_removed_and_date_is_fixed(session: Session) -> None:
    action = _action(session)
    meeting = _weekly(session)
    other = add_meeting_item(session, meeting.id, "AOB")
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    record_minute(session, item.id, MinuteInput("Fine", decision="Continue"), today=TODAY)
    with pytest.raises(NotAllowed, match="Change the decision to “Note” first"):
        remove_meeting_item(session, item.id)
    with pytest.raises(NotAllowed, match="the meeting date cannot change now"):
        update_meeting(session, meeting.id, held_on=date(2026, 11, 25))
    move_meeting_item(session, item.id, -1)
    assert [i.title for i in meeting.items] == [action.title, "AOB"]
    remove_meeting_item(session, other.id)
    assert [(i.title, i.position) for i in meeting.items] == [(action.title, 0)]


# --- permissions --------------------------------------------------------------------------------


def test_staff_can_minute_but_not_decide_on_actions_or_approve(session: Session) -> None:
    action = _action(session)
    meeting = _weekly(session)
    note = add_meeting_item(session, meeting.id, "Staffing levels")
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    _as(session, Role.STAFF)
    record_minute(session, note.id, MinuteInput("Two agency shifts", decision="Note"), today=TODAY)
    with pytest.raises(NotAllowed, match="does not allow you to change plans"):
        record_minute(session, item.id, MinuteInput("Fine", decision="Continue"), today=TODAY)
    with pytest.raises(NotAllowed, match=r"Your role \(staff\) does not allow you to approve"):
        approve_minutes(session, meeting.id, _person(session, "Sam Okafor").id, HELD)
    assert meeting.status == "Draft"
    _as(session, Role.VIEWER)
    with pytest.raises(NotAllowed):
        create_meeting(session, "Staff meeting", HELD, _home(session).id)


# --- drafts -------------------------------------------------------------------------------------


def test_drafts_survive_until_the_minute_is_saved(session: Session) -> None:
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, "Falls")
    key = minute_drafts.item_key(item.id, "discussion")
    minute_drafts.save_draft(session, meeting.id, key, "Three falls, all at ni")
    minute_drafts.save_draft(session, meeting.id, key, "Three falls, all at night")
    drafts = minute_drafts.drafts_for(session, meeting.id)
    assert drafts[key].text == "Three falls, all at night"
    assert item.discussion == ""  # a draft is not the minute
    errors = _errors(approve_minutes, session, meeting.id, _person(session, "Sam Okafor").id, HELD)
    assert errors["drafts"].startswith("Some typed text is only in an auto-saved draft")
    record_minute(
        session, item.id, MinuteInput("Three falls, all at night", decision="Note"), today=TODAY
    )
    assert minute_drafts.drafts_for(session, meeting.id) == {}
    minute_drafts.save_draft(
        session, meeting.id, minute_drafts.meeting_key(meeting.id, "apologies"), "x"
    )
    assert minute_drafts.discard_drafts(session, f"meeting:{meeting.id}:") == 1
    minute_drafts.save_draft(session, meeting.id, key, "typed")
    minute_drafts.save_draft(session, meeting.id, key, "   ")  # emptied field: nothing to keep
    assert minute_drafts.drafts_for(session, meeting.id) == {}


# --- evidence -----------------------------------------------------------------------------------


def test_approved_minute_links_as_governance_minutes_evidence(session: Session) -> None:
    action = _action(session)
    meeting = _weekly(session)
    item = add_meeting_item(session, meeting.id, action.title, "Action review", action.id)
    record_minute(
        session, item.id, MinuteInput("Trend down", "Night?", "Tracker", "Continue"), today=TODAY
    )
    with pytest.raises(NotAllowed, match="Approve the minutes first"):
        link_minute_as_evidence(session, item.id, action.id, today=TODAY)
    approve_minutes(session, meeting.id, _person(session, "Sam Okafor").id, HELD)
    evidence = link_minute_as_evidence(session, item.id, action.id, today=TODAY)
    assert (evidence.source_type, evidence.category, evidence.meeting_item_id) == (
        "governance_minutes",
        "Processes",
        item.id,
    )
    assert evidence.collected_on == HELD
    assert evidence.title == f"Weekly governance minutes 24/11/2026: {action.title}"
    assert (
        evidence.description
        == "Trend down\nChallenge: Night?\nAssurance: Tracker\nDecision: Continue."
    )
    with pytest.raises(NotAllowed, match="already linked"):
        link_minute_as_evidence(session, item.id, action.id, today=TODAY)
    assert session.scalar(select(func.count()).select_from(Evidence)) == 1


# --- the agenda builder -------------------------------------------------------------------------


def test_agenda_lists_due_and_overdue_actions_for_the_home(session: Session) -> None:
    due = _action(session, "Due this week", created=date(2026, 11, 20))  # weekly: due 27/11
    later = _action(session, "Not due yet", created=TODAY)  # due 03/12
    overdue = _action(session, "Review missed", created=date(2026, 11, 1))  # due 08/11
    _action(session, "Another home", home="Elm House", created=date(2026, 11, 1))
    closed = _gate_ready(session)
    closed.status = "Closed"
    meeting = _weekly(session)
    entries = agenda.build_agenda(session, meeting.id, TODAY)
    actions = [e for e in entries if e.kind == "Action review"]
    assert [e.action_id for e in actions] == [overdue.id, due.id]
    assert actions[0].detail == (
        "Review due 08/11/2026 (16 days overdue); lead Sam Okafor; RAG Red."
    )
    assert later.id not in {e.action_id for e in entries}
    provider = create_meeting(session, "Provider governance meeting", HELD)
    provider_titles = [e.title for e in agenda.build_agenda(session, provider.id, TODAY)]
    assert any(t.endswith("Another home") for t in provider_titles)
    assert not any(t.endswith("Due this week") for t in provider_titles)  # no look-ahead


def test_agenda_alerts_measures_incidents_and_audits(session: Session) -> None:
    home = _home(session)
    action = _action(session, created=TODAY)
    measure = create_measure(
        session,
        action.id,
        MeasureInput("Late entries", "lower", 15, "absolute", 3, target_date=date(2026, 11, 20)),
    )
    for week, value in enumerate((14, 15, 13, 14, 15, 14, 30)):
        record_point(session, measure.id, date(2026, 10, 5) + timedelta(weeks=week), value)
    session.add_all(
        [
            Alert(
                service_id=home.id,
                kind="Review overdue",
                source_key="a1",
                message="A1 overdue",
                raised_on=HELD,
            ),
            Alert(
                service_id=home.id,
                kind="Repeat incident",
                source_key="a2",
                message="Done",
                raised_on=HELD,
                acknowledged_at=datetime(2026, 11, 24, 9),
            ),
        ]
    )
    last = _weekly(session, date(2026, 11, 17))
    for day, kind, person in ((18, "Fall", "Rm 4"), (20, "Fall", "Rm 4"), (23, "Medication", "")):
        session.add(
            Incident(
                service_id=home.id,
                reference=f"INC-{day}",
                occurred_at=datetime(2026, 11, day, 23),
                incident_type=kind,
                severity="Low harm",
                person_ref=person,
                location="Bedroom",
                reviewed_on=date(2026, 11, day),
                learning_point="Sensor mat",
                handover_id=None,
            )
        )
    session.add(
        Incident(
            service_id=home.id,
            reference="OLD",
            occurred_at=datetime(2026, 11, 10, 9),
            incident_type="Fall",
            severity="No harm",
        )
    )
    session.flush()
    meeting = _weekly(session)
    entries = {e.kind: e for e in agenda.build_agenda(session, meeting.id, TODAY)}
    assert entries["Alert"].title == "Review overdue"
    assert entries["Measure"].title == (
        "Late entries: special cause concern (outside limits) and target date 20/11/2026 passed "
        "without reaching it"
    )
    assert entries["Measure"].action_id == action.id
    incidents = entries["Incidents"]
    assert incidents.title == "Incidents since 17/11/2026: 3"
    assert incidents.detail.splitlines() == [
        "By type: Fall 2, Medication 1.",
        "Harm: Low harm 3.",
        "Where: Bedroom 3.",
        "At night (22:00–07:00): 3.",
        "Repeat: 2 × fall for Rm 4.",
        "Learning not yet shared at handover: INC-18, INC-20, INC-23.",
    ]
    assert previous_meeting(session, meeting) is last
    # Applying twice adds each item once; rebuilding marks them as already on the agenda.
    chosen = agenda.build_agenda(session, meeting.id, TODAY)
    assert agenda.apply_agenda(session, meeting.id, chosen) == len(chosen)
    assert agenda.apply_agenda(session, meeting.id, chosen) == 0
    assert all(e.on_agenda for e in agenda.build_agenda(session, meeting.id, TODAY))
    assert [i.kind for i in meeting.items] == ["Alert", "Measure", "Incidents"]
    assert meeting.items[2].detail == incidents.detail


def test_measure_folds_into_its_actions_item(session: Session) -> None:
    action = _action(session, created=date(2026, 11, 1))  # review overdue: on the agenda
    measure = create_measure(
        session, action.id, MeasureInput("Late entries", "lower", 15, "absolute", 3)
    )
    for week, value in enumerate((14, 15, 13, 14, 15, 14, 30)):
        record_point(session, measure.id, date(2026, 10, 5) + timedelta(weeks=week), value)
    meeting = _weekly(session)
    entries = agenda.build_agenda(session, meeting.id, TODAY)
    assert [e.kind for e in entries] == ["Action review", "Incidents"]
    assert "Measure: Late entries: special cause concern" in entries[0].full_detail()


# --- the meeting list ---------------------------------------------------------------------------


def test_meeting_list_pages_filters_and_searches_minutes(session: Session) -> None:
    manager = _person(session, "Sam Okafor")
    home = _home(session)
    for week in range(5):
        _weekly(session, date(2026, 10, 6) + timedelta(weeks=week))
    provider = create_meeting(
        session, "Provider governance meeting", date(2026, 10, 30), None, manager.id
    )
    item = add_meeting_item(session, provider.id, "Sensor mats across homes")
    record_minute(
        session,
        item.id,
        MinuteInput("Sensor mats unplugged at night", decision="Note"),
        today=TODAY,
    )
    create_meeting(session, "Staff meeting", date(2026, 10, 8), _home(session, "Elm House").id)
    first = meeting_page(session, MeetingFilter(service_id=home.id), limit=4)
    assert first.more and [r.held_on for r in first.rows] == [
        date(2026, 11, 3),
        date(2026, 10, 30),
        date(2026, 10, 27),
        date(2026, 10, 20),
    ]
    assert first.rows[1].home == "All homes" and first.rows[1].items == 1
    rest = meeting_page(session, MeetingFilter(service_id=home.id), after=first.last_key, limit=4)
    assert [r.held_on for r in rest.rows] == [date(2026, 10, 13), date(2026, 10, 6)]
    assert not rest.more
    found = meeting_page(session, MeetingFilter(text="unplugged"))
    assert [r.id for r in found.rows] == [provider.id]
    staff = meeting_page(session, MeetingFilter(meeting_type="Staff meeting"), sort="home")
    assert [r.home for r in staff.rows] == ["Elm House"]
    assert session.scalar(select(func.count()).select_from(MeetingItem)) == 1


def test_meeting_list_counts_and_search_agree_with_the_items(session: Session) -> None:
    """Item counts come from one grouped query over the page and the minutes search is an
    EXISTS per meeting: both give what counting and reading each meeting's items would."""
    meetings = [_weekly(session, date(2026, 9, 1) + timedelta(weeks=w)) for w in range(6)]
    for n, meeting in enumerate(meetings):
        for i in range(n):
            item = add_meeting_item(session, meeting.id, f"Item {i}")
            if i % 2 == 0:
                text = "Sensor mats checked" if n == 4 else "Nothing new"
                record_minute(session, item.id, MinuteInput(text, decision="Note"), today=TODAY)
    session.flush()
    page = meeting_page(session, MeetingFilter(), limit=4)
    rest = meeting_page(session, MeetingFilter(), after=page.last_key)
    for row in page.rows + rest.rows:
        items = session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == row.id)).all()
        assert row.items == len(items)
        assert row.decided == sum(1 for i in items if i.decision != "")
    assert [r.id for r in meeting_page(session, MeetingFilter(text="sensor MATS")).rows] == [
        meetings[4].id
    ]
    by_chair = meeting_page(session, MeetingFilter(text="okafor"))
    assert {r.id for r in by_chair.rows} == {m.id for m in meetings}
    assert meeting_page(session, MeetingFilter(text="no such words")).rows == []


def test_an_items_review_is_found_through_its_partial_index(session: Session) -> None:
    """Most reviews come from outside meetings; the index holds only those from an agenda item
    (a full one, nearly all NULL, made SQLite's statistics choose a scan of every review)."""
    conn = session.connection()
    ddl = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE name = 'ix_review_meeting_item_id'"
    ).scalar_one()
    assert "WHERE meeting_item_id IS NOT NULL" in ddl
    lookup = select(Review).where(Review.meeting_item_id == 7)
    sql = str(lookup.compile(conn, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "USING INDEX ix_review_meeting_item_id" in plan
    assert item_review(session, 7) is None
