"""Measures worked out from tracker rows, incidents and observations, recomputed as records change."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Finding, Measure, MeasurePoint, Person, Plan, Service
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans.measure_data import MeasureInput, record_point
from cqc_desktop.services.records import derived_measures as dm
from cqc_desktop.services.records.derived_measures import Derivation, Rule
from cqc_desktop.services.records.incidents import (
    complete_incident_actions,
    log_incident,
    reopen_incident,
    review_incident,
)
from cqc_desktop.services.records.logs import record_observation
from cqc_desktop.services.records.trackers import (
    add_tracker_entry,
    install_builtin_trackers,
    update_tracker_entry,
    withdraw_tracker_entry,
)

TODAY = date(2026, 11, 26)  # a Thursday; its week starts on Monday 23/11/2026
WEEK = date(2026, 11, 23)


@pytest.fixture
def home(session: Session) -> tuple[Service, Person, Action]:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    person = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    session.add(person)
    plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
    session.add(plan)
    session.flush()
    finding = Finding(
        plan_id=plan.id,
        title="Late medicines",
        key_question="Safe",
        risk_area="Medicines",
        likelihood=4,
        impact=4,
        score=16,
        rag="Red",
    )
    session.add(finding)
    session.flush()
    action = Action(
        finding_id=finding.id,
        title="Stop late evening medicines",
        accountable_lead_id=person.id,
        due_date=TODAY + timedelta(weeks=8),
        review_frequency="Weekly",
    )
    session.add(action)
    session.flush()
    return service, person, action


def _measure_input(name: str, **extra: object) -> MeasureInput:
    fields: dict[str, object] = {
        "name": name,
        "direction": "lower",
        "baseline_value": 15.0,
        "target_kind": "relative",
        "target_value": -80.0,
    }
    fields.update(extra)
    return MeasureInput(**fields)  # type: ignore[arg-type]


def _late(day: date, minutes: int, shift: str = "Late") -> dict[str, object]:
    return {
        "date": day.strftime("%d/%m/%Y"),
        "shift": shift,
        "medicine_round": "Evening round",
        "time_due": "18:00",
        "minutes_late": minutes,
        "reason": "Handover ran over",
        "recorded_by": "Zoë Hart",
    }


def _points(session: Session, measure: Measure) -> dict[date, float]:
    rows = session.scalars(
        select(MeasurePoint)
        .where(MeasurePoint.measure_id == measure.id)
        .order_by(MeasurePoint.period_start)
    )
    return {p.period_start: p.value for p in rows}


def _late_measure(session: Session, service: Service, action: Action) -> tuple[Measure, int]:
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("medicines")
    )
    derivation = Derivation(
        "tracker", "count", (Rule("minutes_late", ">", "30"),), tracker_id=tracker.id
    )
    measure = dm.create_derived_measure(
        session, action.id, _measure_input("Late medicines entries per week"), derivation, TODAY
    )
    return measure, tracker.id


def test_count_of_tracker_rows_per_week_follows_every_change(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, _, action = home
    measure, tracker_id = _late_measure(session, service, action)
    assert _points(session, measure) == {}  # no rows yet, so no series
    assert "Minutes late is more than 30" in measure.data_source

    two_weeks_ago = WEEK - timedelta(weeks=2)
    add_tracker_entry(session, tracker_id, _late(two_weeks_ago, 45), today=TODAY)
    add_tracker_entry(
        session, tracker_id, _late(two_weeks_ago + timedelta(days=1), 20), today=TODAY
    )
    entry = add_tracker_entry(session, tracker_id, _late(TODAY, 35), today=TODAY)
    # The week with none late counts as zero, not as missing: that is the good news.
    assert _points(session, measure) == {two_weeks_ago: 1, WEEK - timedelta(weeks=1): 0, WEEK: 1}

    update_tracker_entry(session, entry.id, {"minutes_late": "25"}, today=TODAY)
    assert _points(session, measure)[WEEK] == 0
    update_tracker_entry(
        session, entry.id, {"minutes_late": "50", "date": "16/11/2026"}, today=TODAY
    )
    assert _points(session, measure) == {two_weeks_ago: 1, WEEK - timedelta(weeks=1): 1, WEEK: 0}
    withdraw_tracker_entry(session, entry.id, "Entered twice", today=TODAY)
    assert _points(session, measure)[WEEK - timedelta(weeks=1)] == 0

    point = session.scalars(
        select(MeasurePoint).where(MeasurePoint.measure_id == measure.id)
    ).first()
    assert point is not None and point.derived
    with pytest.raises(NotAllowed):
        record_point(session, measure.id, point.period_start, 99)


def test_minutes_late_worked_out_from_times_counts_too(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, _, action = home
    measure, tracker_id = _late_measure(session, service, action)
    row = _late(TODAY, 0)
    row.update(minutes_late="", time_due="18:00", time_given="18:45")
    entry = add_tracker_entry(session, tracker_id, row, today=TODAY)
    assert entry.values["minutes_late"] == 45
    assert _points(session, measure) == {WEEK: 1}


def test_new_week_appears_when_brought_up_to_date(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, _, action = home
    measure, tracker_id = _late_measure(session, service, action)
    add_tracker_entry(session, tracker_id, _late(TODAY, 40), today=TODAY)
    assert not dm.needs_update(session, TODAY)
    next_week = TODAY + timedelta(days=7)
    assert dm.needs_update(session, next_week)
    dm.bring_up_to_date(session, next_week)
    assert _points(session, measure) == {WEEK: 1, WEEK + timedelta(days=7): 0}
    assert not dm.needs_update(session, next_week)


def test_monthly_percentage_of_tracker_rows(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, _, action = home
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("care")
    )
    for due, reviewed in (
        ("02/10/2026", "05/10/2026"),
        ("20/10/2026", ""),
        ("03/11/2026", "03/11/2026"),
    ):
        add_tracker_entry(
            session,
            tracker.id,
            {
                "person_ref": "Rm 4",
                "risk_area": "Mobility",
                "review_due": due,
                "reviewed_on": reviewed,
            },
            today=TODAY,
        )
    derivation = Derivation(
        "tracker",
        "percent",
        (Rule("reviewed_on", "filled"),),
        of=(Rule("risk_area", "=", "mobility"),),
        tracker_id=tracker.id,
    )
    measure = dm.create_derived_measure(
        session,
        action.id,
        _measure_input(
            "% high-risk plans reviewed",
            direction="higher",
            target_kind="absolute",
            target_value=95.0,
            frequency="monthly",
        ),
        derivation,
        TODAY,
    )
    assert _points(session, measure) == {date(2026, 10, 1): 50.0, date(2026, 11, 1): 100.0}
    october = session.scalars(
        select(MeasurePoint).where(MeasurePoint.period_start == date(2026, 10, 1))
    ).one()
    assert (october.numerator, october.denominator, october.note) == (1, 2, "1 of 2")


def _incident(session: Session, service: Service, when: datetime, kind: str = "Fall") -> int:
    incident = log_incident(
        session,
        service.id,
        occurred_at=when,
        incident_type=kind,
        severity="Low harm",
        person_ref="Rm 12",
        today=TODAY,
    )
    return incident.id


def _close(session: Session, incident_id: int, person: Person, reviewed: date, done: date) -> None:
    review_incident(
        session,
        incident_id,
        person.id,
        reviewed,
        "Sensor mat fitted",
        "Not required",
        learning_point="Check sensor mats at every handover",
        today=TODAY,
    )
    complete_incident_actions(session, incident_id, done, "Mat checks audited", today=TODAY)


def test_incidents_reviewed_with_action_and_learning_within_7_days_as_a_percentage(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, person, action = home
    derivation = Derivation("incidents", "percent", (Rule("learning_within_7_days", "=", "Yes"),))
    measure = dm.create_derived_measure(
        session,
        action.id,
        _measure_input(
            "% incidents with review, action and learning within 7 days",
            direction="higher",
            target_kind="absolute",
            target_value=100.0,
        ),
        derivation,
        TODAY,
    )
    assert "Reviewed with action and learning within 7 days is Yes" in measure.data_source
    earlier = WEEK - timedelta(weeks=2)  # Monday 09/11/2026
    on_time = _incident(session, service, datetime.combine(earlier, datetime.min.time()))
    late = _incident(
        session, service, datetime.combine(earlier + timedelta(days=1), datetime.min.time())
    )
    never = _incident(
        session, service, datetime.combine(earlier + timedelta(days=2), datetime.min.time())
    )
    this_week = _incident(session, service, datetime(2026, 11, 24, 22, 0))
    _close(session, on_time, person, earlier, earlier + timedelta(days=3))
    _close(session, late, person, earlier + timedelta(days=1), earlier + timedelta(days=10))
    points = _points(session, measure)
    # One in three met; this week's incident is still within its 7 days, so not counted yet.
    assert points[earlier] == pytest.approx(33.3)
    assert WEEK not in points
    _close(session, this_week, person, date(2026, 11, 25), date(2026, 11, 26))
    assert _points(session, measure)[WEEK] == 100.0
    reopen_incident(session, this_week, TODAY, "Mats still off at night", today=TODAY)
    assert WEEK not in _points(session, measure)  # open again and still inside its 7 days
    assert never  # left open: counts against the week of 09/11 once its 7 days passed


def test_count_of_not_met_observations(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, person, action = home
    measure = dm.create_derived_measure(
        session,
        action.id,
        _measure_input("Observations not met", baseline_value=3.0, frequency="monthly"),
        Derivation("observations", "count", (Rule("outcome", "=", "not met"),)),
        TODAY,
    )
    for day, outcome in ((date(2026, 10, 5), "Not met"), (date(2026, 11, 2), "Met")):
        record_observation(
            session,
            service.id,
            datetime.combine(day, datetime.min.time()),
            "Communication",
            outcome,
            person.id,
            "B. Carer",
            "Spoke over the person",
            "Discussed",
            follow_up="Re-observe",
            follow_up_due=day + timedelta(days=7),
            today=TODAY,
        )
    assert _points(session, measure) == {date(2026, 10, 1): 1, date(2026, 11, 1): 0}


def test_typed_points_are_kept_when_a_measure_becomes_derived(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service, _, action = home
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("medicines")
    )
    measure = dm.create_derived_measure(
        session,
        action.id,
        _measure_input("Late entries"),
        Derivation("tracker", "count", (Rule("minutes_late", ">", 30),), tracker_id=tracker.id),
        TODAY,
    )
    dm.set_derivation(session, measure.id, None, TODAY)
    record_point(session, measure.id, WEEK - timedelta(weeks=1), 7, "From the MAR review")
    dm.set_derivation(
        session,
        measure.id,
        Derivation("tracker", "count", (Rule("minutes_late", ">", 30),), tracker_id=tracker.id),
        TODAY,
    )
    add_tracker_entry(session, tracker.id, _late(WEEK - timedelta(weeks=1), 60), today=TODAY)
    add_tracker_entry(session, tracker.id, _late(WEEK - timedelta(weeks=2), 60), today=TODAY)
    points = session.scalars(select(MeasurePoint).where(MeasurePoint.measure_id == measure.id))
    by_week = {p.period_start: (p.value, p.derived) for p in points}
    assert by_week[WEEK - timedelta(weeks=1)] == (7, False)  # typed by hand, never overwritten
    assert by_week[WEEK - timedelta(weeks=2)] == (1, True)
    assert by_week[WEEK] == (0, True)


def test_rules_are_checked_against_the_source(
    session: Session, home: tuple[Service, Person, Action]
) -> None:
    service = home[0]
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("medicines")
    )
    bad = Derivation(
        "tracker",
        "percent",
        (
            Rule("minutes_late", "contains", "3"),
            Rule("colour", "=", "red"),
            Rule("date", ">", "31/02/2026"),
        ),
        tracker_id=tracker.id,
    )
    with pytest.raises(ValidationError) as caught:
        dm.check_derivation(session, bad, service.id)
    errors = caught.value.errors
    assert errors["where.1"].startswith("Condition 1: Minutes late can be tested with: is, is not")
    assert errors["where.2"] == "Condition 2: choose a field from the list."
    assert errors["where.3"] == (
        "Condition 3: Date: 31/02/2026 is not a real date. Check the day and month."
    )
    other = Service(name="Elm House")
    session.add(other)
    session.flush()
    with pytest.raises(ValidationError) as caught:
        dm.check_derivation(
            session, Derivation("tracker", "count", tracker_id=tracker.id), other.id
        )
    assert caught.value.errors == {
        "tracker_id": "Choose a tracker from the same care home as the action."
    }
    with pytest.raises(ValidationError) as caught:
        dm.check_derivation(session, Derivation("incidents", "percent"), service.id)
    assert caught.value.errors == {"where": "Say which records count towards the percentage."}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", "late", 2),
        ("!=", "Late", 2),  # the night and the early rows
        ("blank", None, 0),
        ("filled", None, 4),
    ],
)
def test_sql_conditions_on_choice_columns(
    session: Session, home: tuple[Service, Person, Action], op: str, value: object, expected: int
) -> None:
    service, _, action = home
    tracker = next(
        t for t in install_builtin_trackers(session, service.id) if t.key.startswith("medicines")
    )
    for shift in ("Late", "Late", "Night", "Early"):
        add_tracker_entry(session, tracker.id, _late(TODAY, 40, shift), today=TODAY)
    measure = dm.create_derived_measure(
        session,
        action.id,
        _measure_input("Rows"),
        Derivation("tracker", "count", (Rule("shift", op, value),), tracker_id=tracker.id),
        TODAY,
    )
    assert _points(session, measure) == {WEEK: expected}
