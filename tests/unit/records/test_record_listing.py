"""The long lists: keyset paging over tracker values, filters and searches in SQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Evidence, Finding, Person, Plan, Service, Tracker
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans.evidence import linked_observation_evidence
from cqc_desktop.services.records import listing as rl
from cqc_desktop.services.records.incidents import (
    IncidentDetails,
    complete_incident_actions,
    log_incident,
    possible_repeats,
    review_incident,
    tidy_person_ref,
    update_incident,
)
from cqc_desktop.services.records.logs import (
    ObservationInput,
    add_observation,
    record_handover,
    update_observation,
)
from cqc_desktop.services.records.trackers import add_tracker_entry, install_builtin_trackers
from cqc_desktop.services.trust.permissions import SESSION_KEY, Actor

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(session: Session) -> tuple[Service, Person, Tracker]:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    person = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    session.add(person)
    session.flush()
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("med")
    )
    return service, person, tracker


def _fill(session: Session, tracker: Tracker, n: int) -> None:
    for i in range(n):
        add_tracker_entry(
            session,
            tracker.id,
            {
                "date": (TODAY - timedelta(days=i % 9)).isoformat(),
                "shift": ("Early", "Late", "Night")[i % 3],
                "medicine_round": f"Round {i}",
                "time_due": "18:00",
                "minutes_late": (i * 37) % 100 if i % 5 else "",
                "reason": "Zoë covering" if i % 4 == 0 else "Busy",
                "recorded_by": "Zoë Hart",
            },
            today=TODAY,
        )


def _all(
    session: Session, query: rl.TrackerQuery, sort: str, desc: bool, limit: int
) -> list[rl.EntryRow]:
    rows: list[rl.EntryRow] = []
    after = None
    while True:
        page = rl.tracker_page(session, query, sort, desc, after, limit)
        rows += page.rows
        if not page.more:
            return rows
        after = page.last_key


@pytest.mark.parametrize("desc", [False, True])
def test_keyset_paging_on_a_number_column_with_blanks_and_ties(
    session: Session, home: tuple[Service, Person, Tracker], desc: bool
) -> None:
    _, _, tracker = home
    _fill(session, tracker, 60)
    rows = _all(session, rl.TrackerQuery(tracker.id), "minutes_late", desc, 7)
    assert len({r.id for r in rows}) == 60
    values = [
        r.values["minutes_late"] if r.values["minutes_late"] is not None else -1 for r in rows
    ]
    assert values == sorted(values, reverse=desc)


def test_text_sort_ignores_case_and_date_sort_is_by_row_date(
    session: Session, home: tuple[Service, Person, Tracker]
) -> None:
    _, _, tracker = home
    _fill(session, tracker, 20)
    rows = _all(session, rl.TrackerQuery(tracker.id), "entry_date", False, 6)
    assert [r.entry_date for r in rows] == sorted(r.entry_date for r in rows)
    rows = _all(session, rl.TrackerQuery(tracker.id), "reason", False, 6)
    assert [r.values["reason"] for r in rows][:5] == ["Busy"] * 5


def test_search_filters_and_dates(session: Session, home: tuple[Service, Person, Tracker]) -> None:
    _, _, tracker = home
    _fill(session, tracker, 20)
    found = _all(session, rl.TrackerQuery(tracker.id, search="ZOË COVER"), "entry_date", False, 50)
    assert len(found) == 5 and all(r.values["reason"] == "Zoë covering" for r in found)
    # A date typed the UK way finds rows on that day.
    day = TODAY.strftime("%d/%m/%Y")
    found = _all(session, rl.TrackerQuery(tracker.id, search=day), "entry_date", False, 50)
    assert {r.entry_date for r in found} == {TODAY}
    found = _all(
        session,
        rl.TrackerQuery(
            tracker.id, date_from=TODAY - timedelta(days=1), column="shift", column_value="late"
        ),
        "entry_date",
        False,
        50,
    )
    assert len(found) == 3 and all(
        r.values["shift"] == "Late" and r.entry_date >= TODAY - timedelta(days=1) for r in found
    )
    assert rl.tracker_count(session, rl.TrackerQuery(tracker.id)) == 20


def test_a_viewer_cannot_add_rows(session: Session, home: tuple[Service, Person, Tracker]) -> None:
    _, _, tracker = home
    session.info[SESSION_KEY] = Actor(None, "visitor", Role.VIEWER)
    with pytest.raises(NotAllowed):
        add_tracker_entry(session, tracker.id, {"date": "26/11/2026"})


def _incident(
    session: Session,
    service: Service,
    when: datetime,
    ref: str = "Rm 12",
    kind: str = "Fall",
    **extra: str,
) -> int:
    return log_incident(
        session,
        service.id,
        occurred_at=when,
        incident_type=kind,
        severity="No harm",
        person_ref=ref,
        today=TODAY,
        **extra,  # type: ignore[arg-type]
    ).id


def test_incident_states_and_repeats(
    session: Session, home: tuple[Service, Person, Tracker]
) -> None:
    service, person, _ = home
    late = _incident(session, service, datetime(2026, 11, 2, 9), "room 12", location="Lounge")
    met = _incident(session, service, datetime(2026, 11, 20, 9), "RM12")
    open_ = _incident(session, service, datetime(2026, 11, 24, 9), "Rm 4", location="lounge")
    review_incident(
        session,
        met,
        person.id,
        date(2026, 11, 20),
        "Mat",
        "Not required",
        learning_point="Mats on",
        today=TODAY,
    )
    complete_incident_actions(session, met, date(2026, 11, 22), "Checked", today=TODAY)

    def refs(**kw: str) -> set[int]:
        page = rl.incident_page(session, rl.IncidentQuery(service.id, TODAY, **kw))
        return {r.id for r in page.rows}

    assert refs(state="late") == {late}
    assert refs(state="met") == {met}
    assert refs(state="awaiting_review") == {late, open_}
    assert refs(state="closed") == {met}
    assert refs(search="lounge") == {late, open_}
    assert rl.incident_count(session, rl.IncidentQuery(service.id, TODAY, state="open")) == 2
    # "room 12" and "RM12" are stored the same way, so repeats are found.
    assert tidy_person_ref("room 12") == tidy_person_ref("RM12") == "Rm 12"
    assert [(m.incident_id, m.why) for m in possible_repeats(session, met)] == [
        (late, "same person")
    ]
    assert [(m.incident_id, m.why) for m in possible_repeats(session, open_)] == [
        (late, "same location")
    ]


def test_update_incident_keeps_the_review_after_the_incident(
    session: Session, home: tuple[Service, Person, Tracker]
) -> None:
    service, person, _ = home
    iid = _incident(session, service, datetime(2026, 11, 20, 9))
    review_incident(session, iid, person.id, date(2026, 11, 21), "Mat", "Not required", today=TODAY)
    details = IncidentDetails(datetime(2026, 11, 22, 9), "Fall", "No harm", "Rm 12")
    with pytest.raises(ValidationError) as caught:
        update_incident(session, iid, details, today=TODAY)
    assert caught.value.errors == {
        "occurred_at": "The incident cannot be after the management review (21/11/2026)."
    }
    details.occurred_at = datetime(2026, 11, 19, 23, 30)
    assert update_incident(session, iid, details, today=TODAY).occurred_at.day == 19


def _action(session: Session, service: Service, person: Person) -> Action:
    plan = Plan(service_id=service.id, title="Plan", origin="CQC inspection")
    session.add(plan)
    session.flush()
    finding = Finding(
        plan_id=plan.id,
        title="F",
        key_question="Safe",
        risk_area="Safety",
        likelihood=2,
        impact=2,
        score=4,
        rag="Green",
    )
    session.add(finding)
    session.flush()
    action = Action(
        finding_id=finding.id,
        title="A",
        accountable_lead_id=person.id,
        due_date=TODAY,
        review_frequency="Weekly",
    )
    session.add(action)
    session.flush()
    return action


def test_linked_observations_are_evidence_once(
    session: Session, home: tuple[Service, Person, Tracker]
) -> None:
    service, person, _ = home
    action = _action(session, service, person)
    data = ObservationInput(
        datetime(2026, 11, 25, 10),
        "Communication",
        "Met",
        person.id,
        "B. Carer",
        "Seen",
        "Given",
        action_id=action.id,
    )
    first = add_observation(session, service.id, data, today=TODAY)
    second = add_observation(session, service.id, data, today=TODAY)
    assert [e.supports for e in linked_observation_evidence(session, action.id)] == ["Yes", "Yes"]
    # One already entered as an evidence item is not counted again.
    session.add(
        Evidence(
            action_id=action.id,
            title="x",
            source_type="staff_observation",
            category="Observation",
            collected_on=TODAY,
            observation_id=first.id,
        )
    )
    session.flush()
    assert [e.observation_id for e in linked_observation_evidence(session, action.id)] == [
        second.id
    ]
    data.outcome, data.follow_up, data.follow_up_due = "Not met", "Again", TODAY
    update_observation(session, second.id, data, today=TODAY)
    assert [e.supports for e in linked_observation_evidence(session, action.id)] == ["No"]
    data.action_id = None
    update_observation(session, second.id, data, today=TODAY)
    assert linked_observation_evidence(session, action.id) == []


def test_records_link_only_to_actions_of_the_same_home(
    session: Session, home: tuple[Service, Person, Tracker]
) -> None:
    service, person, _ = home
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    action = _action(session, other, person)
    with pytest.raises(ValidationError) as caught:
        record_handover(
            session, service.id, TODAY, "Late", person.id, "A, B", "Mats", True, action.id
        )
    assert caught.value.errors == {"action_id": "Choose an action from this care home's plan."}
    assert [c.id for c in rl.action_choices(session, other.id)] == [action.id]
    assert rl.action_choices(session, service.id) == []
