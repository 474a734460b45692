"""Trackers, observations, handovers, logs and incidents, against an in-memory database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import Base, Incident, Person, Service, Tracker, TrackerEntry
from cqc_desktop.models.enums import ObservationArea
from cqc_desktop.services.errors import NotAllowed, NotFound, ValidationError
from cqc_desktop.services.records.incidents import (
    complete_incident_actions,
    learning_within_days,
    log_incident,
    reopen_incident,
    review_incident,
    share_incident_at_handover,
)
from cqc_desktop.services.records.logs import (
    add_log_entry,
    observation_prompts,
    record_handover,
    record_observation,
)
from cqc_desktop.services.records.trackers import (
    add_tracker_entry,
    archive_tracker,
    check_columns,
    create_custom_tracker,
    install_builtin_trackers,
    load_tracker_definitions,
    update_tracker_entry,
    validate_tracker_values,
    withdraw_tracker_entry,
)
from cqc_desktop.services.trust import withdrawals

TODAY = date(2026, 11, 26)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        service = Service(name="Oak Lodge")
        s.add(service)
        s.flush()
        s.add(Person(name="Priya Shah", role="Deputy manager", service_id=service.id))
        s.flush()
        yield s


@pytest.fixture
def service(session: Session) -> Service:
    return session.scalars(select(Service)).one()


@pytest.fixture
def person(session: Session) -> Person:
    return session.scalars(select(Person)).one()


@pytest.fixture
def medicines(session: Session, service: Service) -> Tracker:
    trackers = install_builtin_trackers(session, service.id)
    return next(t for t in trackers if t.key == "medicines_improvement")


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "date": "26/11/2026",
        "shift": "late",
        "medicine_round": "Evening round",
        "time_due": "18:00",
        "time_given": "18:35",
        "minutes_late": "35",
        "reason": "Handover ran over",
        "recorded_by": "priya shah",
    }
    row.update(changes)
    return row


def _errors(call: object, *args: object, **kwargs: object) -> dict[str, str]:
    assert callable(call)
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


# --- tracker definitions -----------------------------------------------------------------------


def test_builtin_definitions_are_valid_and_exclude_the_incident_view() -> None:
    definitions = {d["key"]: d for d in load_tracker_definitions()}
    assert set(definitions) == {"medicines_improvement", "care_planning_improvement"}
    for definition in definitions.values():
        assert check_columns(definition["columns"])
        assert definition["version"] >= 1 and definition["description"]
    shift = definitions["medicines_improvement"]["columns"][1]
    assert shift["choices"] == ["Early", "Late", "Night"]


def test_install_builtin_trackers_is_idempotent_per_service(
    session: Session, service: Service
) -> None:
    first = install_builtin_trackers(session, service.id)
    second = install_builtin_trackers(session, service.id)
    assert [t.id for t in first] == [t.id for t in second]
    assert session.scalar(select(func.count()).select_from(Tracker)) == 2
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    install_builtin_trackers(session, other.id)
    assert session.scalar(select(func.count()).select_from(Tracker)) == 4


def test_install_for_missing_service_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        install_builtin_trackers(session, 999)


# --- tracker values ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["26/11/2026", "26/11/26", "2026-11-26", "26.11.2026", "6/1/2026"])
def test_uk_and_iso_date_formats(medicines: Tracker, text: str) -> None:
    values = validate_tracker_values(medicines, _row(date=text))
    expected = "2026-01-06" if text == "6/1/2026" else "2026-11-26"
    assert values["date"] == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_any_uk_date_round_trips(day: date) -> None:
    tracker = Tracker(
        service_id=1, key="t", name="T", columns=[{"key": "d", "label": "Date", "type": "date"}]
    )
    for text in (day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%y"), day.isoformat()):
        assert validate_tracker_values(tracker, {"d": text}) == {"d": day.isoformat()}


def test_date_objects_and_times_are_stored_json_safe(medicines: Tracker) -> None:
    values = validate_tracker_values(
        medicines, _row(date=datetime(2026, 11, 26, 18, 0), time_due=time(9, 5), time_given="9:05")
    )
    assert values["date"] == "2026-11-26"
    assert values["time_due"] == "09:05" and values["time_given"] == "09:05"
    assert values["minutes_late"] == 35 and isinstance(values["minutes_late"], int)
    assert values["shift"] == "Late"
    assert values["recorded_by"] == "Priya Shah"
    assert values["immediate_action"] is None


def test_not_a_real_date_names_the_column(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(date="31/02/2026"))
    assert errors == {"date": "Date: 31/02/2026 is not a real date. Check the day and month."}


def test_not_a_date_at_all(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(date="last Tuesday"))
    assert errors["date"] == "Date must be a date, for example 26/11/2026."


def test_minutes_late_must_be_a_number(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(minutes_late="abc"))
    assert errors == {"minutes_late": "Minutes late must be a number, for example 35."}


def test_unknown_choice_lists_the_choices(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(shift="Twilight"))
    assert errors == {"shift": "Shift must be one of: Early, Late, Night."}


def test_bad_time_and_missing_required_are_reported_together(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(time_due="25:00", reason=" "))
    assert errors["time_due"] == "Time due must be a time on the 24-hour clock, for example 18:30."
    assert errors["reason"] == "Reason must be filled in."


def test_unknown_column_is_rejected(medicines: Tracker) -> None:
    errors = _errors(validate_tracker_values, medicines, _row(colour="red"))
    assert errors == {"colour": "This tracker has no column called 'colour'."}


@pytest.mark.parametrize(
    ("given", "stored"),
    [("yes", True), ("Y", True), ("true", True), ("no", False), ("n", False), ("FALSE", False)],
)
def test_yes_no_words(session: Session, service: Service, given: str, stored: bool) -> None:
    tracker = next(
        t
        for t in install_builtin_trackers(session, service.id)
        if t.key == "care_planning_improvement"
    )
    values = validate_tracker_values(
        tracker,
        {
            "person_ref": "Rm 4",
            "risk_area": "MOBILITY",
            "review_due": "1/12/26",
            "changes_agreed": given,
        },
    )
    assert values["changes_agreed"] is stored
    assert values["risk_area"] == "Mobility"


def test_yes_no_rejects_other_words(session: Session, service: Service) -> None:
    tracker = install_builtin_trackers(session, service.id)[0]
    errors = _errors(
        validate_tracker_values,
        tracker,
        {
            "person_ref": "Rm 4",
            "risk_area": "Mobility",
            "review_due": "1/12/26",
            "audited": "maybe",
        },
    )
    assert errors == {"audited": "Audited must be Yes or No."}


def test_person_by_id_by_name_and_unknown(medicines: Tracker, person: Person) -> None:
    assert validate_tracker_values(medicines, _row(recorded_by=person.id))["recorded_by"] == (
        "Priya Shah"
    )
    agency = validate_tracker_values(medicines, _row(recorded_by="Agency nurse J Bloggs"))
    assert agency["recorded_by"] == "Agency nurse J Bloggs"
    errors = _errors(validate_tracker_values, medicines, _row(recorded_by=999))
    assert errors == {"recorded_by": "Recorded by: choose someone from the staff list."}


# --- tracker entries --------------------------------------------------------------------------


def test_add_update_delete_entry(session: Session, medicines: Tracker, person: Person) -> None:
    entry = add_tracker_entry(session, medicines.id, _row(date="24/11/26"), person.id)
    assert entry.entry_date == date(2026, 11, 24)
    assert entry.values["minutes_late"] == 35

    update_tracker_entry(session, entry.id, {"date": "25/11/2026", "minutes_late": "40"})
    assert entry.entry_date == date(2026, 11, 25)
    assert entry.values["minutes_late"] == 40 and entry.values["reason"] == "Handover ran over"

    withdraw_tracker_entry(session, entry.id, "Entered on the wrong tracker")
    assert session.scalar(select(func.count()).select_from(TrackerEntry)) == 0
    (kept,) = withdrawals.withdrawals(session, "TrackerEntry")
    assert kept.reason == "Entered on the wrong tracker" and '"minutes_late": 40' in kept.snapshot


def test_entry_date_comes_from_first_date_column_and_is_required(
    session: Session, service: Service
) -> None:
    tracker = create_custom_tracker(
        session,
        service.id,
        "Night checks",
        [
            {"label": "Note", "type": "text"},
            {"label": "Checked on", "type": "date"},
            {"label": "Follow-up on", "type": "date"},
        ],
    )
    errors = _errors(add_tracker_entry, session, tracker.id, {"follow_up_on": "1/12/2026"})
    assert errors == {
        "checked_on": "Checked on must be filled in: it dates the row in weekly counts."
    }
    entry = add_tracker_entry(session, tracker.id, {"checked_on": "30/11/2026"})
    assert entry.entry_date == date(2026, 11, 30)


def test_archived_tracker_is_read_only(session: Session, medicines: Tracker) -> None:
    archive_tracker(session, medicines.id)
    with pytest.raises(NotAllowed):
        add_tracker_entry(session, medicines.id, _row())


# --- custom trackers --------------------------------------------------------------------------


def test_custom_tracker_keys_from_labels_and_unique_name(
    session: Session, service: Service
) -> None:
    tracker = create_custom_tracker(
        session,
        service.id,
        "Pressure care",
        [
            {"label": "Date", "type": "date", "required": True},
            {"label": "Grade", "type": "choice", "choices": ["1", "2", "3"]},
            {"label": "2-hourly turns done", "type": "Yes/No"},
        ],
    )
    assert [c["key"] for c in tracker.columns] == ["date", "grade", "c_2_hourly_turns_done"]
    assert tracker.columns[2]["type"] == "yes/no" and tracker.builtin is False
    errors = _errors(
        create_custom_tracker,
        session,
        service.id,
        "pressure CARE",
        [{"label": "Date", "type": "date"}],
    )
    assert errors == {"name": "This home already has a tracker called pressure CARE."}
    archive_tracker(session, tracker.id)
    again = create_custom_tracker(
        session, service.id, "Pressure care", [{"label": "Date", "type": "date"}]
    )
    assert again.key == "pressure_care_2"


def test_custom_tracker_column_problems(session: Session, service: Service) -> None:
    errors = _errors(
        create_custom_tracker,
        session,
        service.id,
        " ",
        [
            {"label": "When", "type": "datetime"},
            {"label": "Shift", "type": "choice", "choices": ["Early"]},
            {"label": "shift", "type": "text", "choices": ["x"]},
            {"label": "Bad key", "key": "Bad Key", "type": "text"},
        ],
    )
    assert errors["name"] == "Give the tracker a name."
    assert errors["columns.1"].startswith("Column 1: choose a type from the list (date, time")
    assert errors["columns.2"] == "Shift needs at least two choices, none blank."
    assert errors["columns.3"] == "Two columns are called shift; give each column its own label."
    assert "must start with a letter" in errors["columns.4"]
    assert errors["columns"] == (
        "A tracker needs at least one date column so rows can be counted by week."
    )


def test_custom_tracker_cannot_take_a_builtin_key(session: Session, service: Service) -> None:
    tracker = create_custom_tracker(
        session, service.id, "Medicines improvement", [{"label": "Date", "type": "date"}]
    )
    assert tracker.key == "medicines_improvement_2"
    install_builtin_trackers(session, service.id)
    assert session.scalar(select(func.count()).select_from(Tracker)) == 3


# --- observations, handovers, logs ------------------------------------------------------------


def test_every_observation_area_has_four_to_six_prompts() -> None:
    for area in ObservationArea:
        assert 4 <= len(observation_prompts(area.value)) <= 6
    assert "Stays with the person until the medicine is taken" in observation_prompts(
        "Medicines round"
    )
    with pytest.raises(ValidationError):
        observation_prompts("Gardening")


def test_record_observation(session: Session, service: Service, person: Person) -> None:
    prompt = "Stays with the person until the medicine is taken"
    observation = record_observation(
        session,
        service.id,
        datetime(2026, 11, 26, 18, 0),
        "Medicines round",
        "Partly met",
        person.id,
        "A. Carer",
        "Left tablets on the table for Mrs B",
        "Discussed straight away",
        follow_up="Re-observe next round",
        follow_up_due=date(2026, 11, 27),
        shift="Late",
        prompt_results={
            prompt: "n",
            "Checks the MAR, the person's photograph and allergies before administering": True,
        },
    )
    assert observation.prompt_results[prompt] == "No"
    assert list(observation.prompt_results.values()) == ["No", "Yes"]


def test_observation_not_met_needs_follow_up(
    session: Session, service: Service, person: Person
) -> None:
    errors = _errors(
        record_observation,
        session,
        service.id,
        datetime(2026, 11, 26, 9, 0),
        "Communication",
        "Not met",
        person.id,
        "B. Carer",
        "Spoke over the person",
        "",
        shift="Dusk",
        prompt_results={"Juggles": "y"},
    )
    assert errors["follow_up"] == "The outcome was not met: say what follow-up will happen."
    assert errors["follow_up_due"] == "Enter the date the follow-up is due."
    assert errors["feedback_given"] == "Record the feedback given to the staff member."
    assert errors["shift"].startswith("Choose a shift from the list")
    assert errors["prompt_results"] == "'Juggles' is not a prompt for Communication."


def test_handover_and_log_entry(session: Session, service: Service, person: Person) -> None:
    handover = record_handover(
        session,
        service.id,
        TODAY,
        "Late",
        person.id,
        "A, B, C",
        "Check sensor mats are on",
        understanding_checked=True,
    )
    assert handover.id and handover.understanding_checked
    entry = add_log_entry(
        session,
        service.id,
        "Daily governance log",
        TODAY,
        person.id,
        "Observed evening round: started 18:05.",
    )
    assert entry.kind == "Daily governance log"
    errors = _errors(add_log_entry, session, service.id, "Diary", TODAY, None, "")
    assert set(errors) == {"kind", "author_id", "text"}
    errors = _errors(record_handover, session, service.id, TODAY, "Late", person.id, "", "", False)
    assert set(errors) == {"staff_present", "learning_points"}


# --- incidents --------------------------------------------------------------------------------


def _incident(session: Session, service: Service, when: datetime, **extra: object) -> Incident:
    fields: dict[str, object] = {
        "occurred_at": when,
        "incident_type": "Fall",
        "severity": "Low harm",
        "person_ref": "Rm 12",
        "today": TODAY,
    }
    fields.update(extra)
    return log_incident(session, service.id, **fields)  # type: ignore[arg-type]


def test_incident_references_number_per_service_and_year(
    session: Session, service: Service
) -> None:
    refs = [_incident(session, service, datetime(2026, 11, d, 10)).reference for d in (1, 2, 3)]
    assert refs == ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"]
    assert _incident(session, service, datetime(2025, 12, 30, 9)).reference == "INC-2025-0001"
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    assert _incident(session, other, datetime(2026, 11, 5, 9)).reference == "INC-2026-0001"
    assert _incident(session, service, datetime(2026, 11, 6, 9), reference="OLD-7").reference == (
        "OLD-7"
    )
    assert _incident(session, service, datetime(2026, 11, 7, 9)).reference == "INC-2026-0004"


def test_incident_validation(session: Session, service: Service) -> None:
    errors = _errors(
        _incident,
        session,
        service,
        datetime(2026, 11, 27, 9),
        incident_type="Trip",
        severity="Bad",
        person_ref="",
    )
    assert errors == {
        "incident_type": "Choose a type of incident from the list (Fall, Medication, "
        "Safeguarding, Pressure damage, Behaviour, Missing person, Injury, Other).",
        "severity": "Choose a severity from the list (No harm, Low harm, Moderate harm, "
        "Severe harm, Death).",
        "person_ref": "Enter the person's initials or room number.",
        "occurred_at": "The incident cannot be dated in the future.",
    }
    _incident(session, service, datetime(2026, 11, 1, 9), reference="INC-X")
    errors = _errors(_incident, session, service, datetime(2026, 11, 1, 9), reference="inc-x")
    assert errors == {"reference": "Another incident at this home already has the reference inc-x."}


def _reviewed(session: Session, service: Service, person: Person, learning: str) -> Incident:
    incident = _incident(session, service, datetime(2026, 11, 1, 22, 30))
    review_incident(
        session,
        incident.id,
        person.id,
        date(2026, 11, 2),
        "Sensor mat fitted",
        "Not required",
        family_informed=True,
        family_informed_on=date(2026, 11, 2),
        learning_point=learning,
    )
    return incident


@pytest.mark.parametrize(("done_on", "expected"), [(8, True), (9, False)])
def test_learning_within_seven_days(
    session: Session, service: Service, person: Person, done_on: int, expected: bool
) -> None:
    incident = _reviewed(session, service, person, "Check sensor mats at every handover")
    assert learning_within_days(incident) is False  # actions not completed yet
    # Occurred on the 1st: completed on the 8th is 7 days later, on the 9th is 8 days later.
    complete_incident_actions(session, incident.id, date(2026, 11, done_on), "Mat checks audited")
    assert learning_within_days(incident) is expected


def test_no_learning_point_means_no_learning(
    session: Session, service: Service, person: Person
) -> None:
    incident = _reviewed(session, service, person, "")
    complete_incident_actions(session, incident.id, date(2026, 11, 3), "Done")
    assert learning_within_days(incident) is False


def test_reopen_clears_completion(session: Session, service: Service, person: Person) -> None:
    incident = _reviewed(session, service, person, "Check mats")
    complete_incident_actions(session, incident.id, date(2026, 11, 3), "Done")
    with pytest.raises(NotAllowed):
        review_incident(session, incident.id, person.id, date(2026, 11, 4), "x", "Not required")
    reopen_incident(session, incident.id, date(2026, 11, 20))
    assert incident.reopened_on == date(2026, 11, 20) and incident.closed_on is None
    assert learning_within_days(incident) is False
    errors = _errors(reopen_incident, session, incident.id, date(2026, 11, 21))
    assert errors == {"reopened_on": "Only a closed incident can be reopened."}


def test_review_rules(session: Session, service: Service, person: Person) -> None:
    incident = _incident(session, service, datetime(2026, 11, 10, 9), severity="Death")
    errors = _errors(
        review_incident,
        session,
        incident.id,
        None,
        date(2026, 11, 9),
        "",
        "Not required",
        family_informed_on=date(2026, 11, 10),
    )
    assert errors["reviewer_id"] == "Choose the reviewer from the staff list."
    assert errors["reviewed_on"] == "The review cannot be before the incident (10/11/2026)."
    assert errors["immediate_controls"].startswith("Record the immediate controls")
    assert "Regulation 16" in errors["cqc_notification"]
    assert errors["family_informed_on"].startswith("A date is given but the family was informed")


def test_actions_need_review_and_evidence(
    session: Session, service: Service, person: Person
) -> None:
    incident = _incident(session, service, datetime(2026, 11, 10, 9))
    errors = _errors(complete_incident_actions, session, incident.id, date(2026, 11, 11), " ")
    assert set(errors) == {"reviewed_on", "closure_evidence"}


def test_share_learning_at_handover(session: Session, service: Service, person: Person) -> None:
    incident = _reviewed(session, service, person, "Check sensor mats at every handover")
    handover = record_handover(
        session,
        service.id,
        date(2026, 11, 2),
        "Night",
        person.id,
        "A, B",
        "Fire door wedged: reported",
        True,
    )
    share_incident_at_handover(session, incident.id, handover.id)
    assert incident.handover_id == handover.id
    assert handover.learning_points.endswith("INC-2026-0001: Check sensor mats at every handover")
    share_incident_at_handover(session, incident.id, handover.id)
    assert handover.learning_points.count("sensor mats") == 1
    early = record_handover(
        session, service.id, date(2026, 10, 31), "Night", person.id, "A", "x", True
    )
    errors = _errors(share_incident_at_handover, session, incident.id, early.id)
    assert errors == {"handover_id": "The handover was before the incident happened."}


def test_observation_area_and_outcome_must_be_from_the_lists(
    session: Session, service: Service, person: Person
) -> None:
    errors = _errors(
        record_observation,
        session,
        service.id,
        datetime(2026, 11, 26, 9, 0),
        "Gardening",
        "Fine",
        person.id,
        "B. Carer",
        "Seen",
        "Given",
    )
    assert errors["area"].startswith("Choose an observation area from the list (Medicines round,")
    assert errors["outcome"] == "Choose an outcome from the list (Met, Partly met, Not met)."
