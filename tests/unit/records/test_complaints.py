"""Complaints and compliments: working-day deadlines worked out by hand, where a complaint stands,
what the dashboard lists as overdue, and the themes by category and month."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.models import Complaint, Person, Service
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import complaints
from cqc_desktop.services.records.complaint_listing import ComplaintQuery, complaint_page, themes
from cqc_desktop.services.records.complaints import ComplaintInput, deadlines, state_of
from cqc_desktop.services.records.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)

TODAY = date(2026, 11, 26)


def test_bank_holidays_are_data_with_a_source_and_version() -> None:
    holidays = bank_holidays()
    assert holidays.version and "gov.uk/bank-holidays" in holidays.source
    assert holidays.covers(date(2024, 1, 1)) and holidays.covers(date(2030, 12, 31))
    assert holidays.days[date(2026, 12, 28)] == "Boxing Day (substitute day)"
    assert not is_working_day(date(2025, 5, 26))  # Spring bank holiday
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert is_working_day(date(2026, 11, 26))


@pytest.mark.parametrize(
    ("received", "acknowledge_by", "respond_by"),
    [
        # Friday before the Spring bank holiday Monday: Tue 27, Wed 28, Thu 29 May.
        # 20 working days: 4 in that week, 5 + 5 + 5 in June, then Mon 23 June is the 20th.
        (date(2025, 5, 23), date(2025, 5, 29), date(2025, 6, 23)),
        # Christmas Eve: 25, 26 Dec and 1 Jan are holidays; Mon 29, Tue 30, Wed 31 Dec;
        # Fri 2 Jan is the 4th, then three full weeks and Mon 26 Jan is the 20th.
        (date(2025, 12, 24), date(2025, 12, 31), date(2026, 1, 26)),
        # Saturday: Mon 30 Nov, Tue 1 Dec, Wed 2 Dec. Mon 30 Nov is day 1; Thu 24 Dec is the
        # 19th; Fri 25 and Mon 28 (Boxing Day's substitute) are holidays: Tue 29 Dec is the 20th.
        (date(2026, 11, 28), date(2026, 12, 2), date(2026, 12, 29)),
        # Thursday before Easter (Good Friday 3, Easter Monday 6 April): Tue 7, Wed 8, Thu 9.
        # Fri 1 May is the 19th and Mon 4 May the Early May bank holiday: Tue 5 May.
        (date(2026, 4, 2), date(2026, 4, 9), date(2026, 5, 5)),
        # Boxing Day 2026 is a Saturday, so Monday 28 is the substitute: Tue 29, Wed 30, Thu 31.
        # Fri 1 Jan 2027 is a holiday; Mon 4 Jan is the 4th, Mon 25 the 19th, Tue 26 the 20th.
        (date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 26)),
        # An ordinary Monday: Thursday the same week; four weeks later for the response.
        (date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 30)),
    ],
)
def test_deadlines_in_working_days(received: date, acknowledge_by: date, respond_by: date) -> None:
    assert deadlines(received) == (acknowledge_by, respond_by)
    assert working_days_between(received, acknowledge_by) == 3
    assert working_days_between(received, respond_by) == 20


def test_add_working_days_counts_from_the_day_after() -> None:
    assert add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 27), -1)


def test_state_on_the_due_day_the_day_after_and_when_answered_late() -> None:
    ack_by, respond_by = deadlines(date(2026, 11, 2))  # 5 Nov, 30 Nov
    kind = "Complaint"
    on_the_day = state_of(kind, ack_by, None, respond_by, None, date(2026, 11, 5))
    assert not on_the_day.acknowledgement_overdue
    assert on_the_day.label == "Acknowledge by 05/11/2026"
    next_day = state_of(kind, ack_by, None, respond_by, None, date(2026, 11, 6))
    assert next_day.acknowledgement_overdue and next_day.label == "Acknowledgement overdue"
    late_ack = state_of(kind, ack_by, date(2026, 11, 6), respond_by, None, date(2026, 11, 9))
    assert late_ack.acknowledgement_late and not late_ack.acknowledgement_overdue
    assert late_ack.label == "Respond by 30/11/2026"
    overdue = state_of(kind, ack_by, date(2026, 11, 4), respond_by, None, date(2026, 12, 1))
    assert overdue.response_overdue and overdue.label == "Response overdue"
    answered = state_of(
        kind, ack_by, date(2026, 11, 4), respond_by, date(2026, 12, 1), date(2026, 12, 9)
    )
    assert answered.response_late and not answered.needs_attention
    assert answered.label == "Answered late"
    on_time = state_of(kind, ack_by, date(2026, 11, 4), respond_by, respond_by, date(2026, 12, 9))
    assert on_time.label == "Answered on time" and not on_time.response_late
    assert state_of("Compliment", None, None, None, None, TODAY).label == "Compliment"


@pytest.fixture
def home(session: Session) -> dict[str, int]:
    service = Service(name="Willow Court")
    other = Service(name="Beech House")
    session.add_all([service, other])
    session.flush()
    manager = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    session.add(manager)
    session.flush()
    return {"service": service.id, "other": other.id, "manager": manager.id}


def _complaint(received: date, **changes: object) -> ComplaintInput:
    data = ComplaintInput(
        kind="Complaint",
        received_on=received,
        from_type="Relative or representative",
        from_ref="Daughter of Rm 4",
        channel="Phone",
        category="Communication",
        summary="Not told about her mother's fall until the next day.",
        severity="Medium",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_recording_a_complaint_stores_its_deadlines_and_reference(
    session: Session, home: dict[str, int]
) -> None:
    c = complaints.record_complaint(
        session, home["service"], _complaint(date(2025, 5, 23)), today=TODAY
    )
    assert (c.reference, c.acknowledge_by, c.respond_by) == (
        "CMP-2025-0001",
        date(2025, 5, 29),
        date(2025, 6, 23),
    )
    second = complaints.record_complaint(
        session, home["service"], _complaint(date(2025, 6, 2)), today=TODAY
    )
    assert second.reference == "CMP-2025-0002"
    thanks = complaints.record_complaint(
        session,
        home["service"],
        _complaint(
            date(2026, 11, 20),
            kind="Compliment",
            channel="Card",
            category="Care and support",
            summary="Thank you for the birthday party.",
            acknowledged_on=date(2026, 11, 21),
        ),
        today=TODAY,
    )
    assert thanks.reference == "CPL-2026-0001"
    assert (thanks.acknowledge_by, thanks.respond_by, thanks.acknowledged_on) == (None, None, None)


def test_mistakes_are_explained_field_by_field(session: Session, home: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as caught:
        complaints.record_complaint(
            session,
            home["service"],
            _complaint(
                date(2026, 11, 27),
                from_ref="Margaret Ellis",
                summary=" ",
                channel="Pigeon",
                severity="",
            ),
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors["received_on"] == "The date received cannot be in the future."
    assert "not a full name" in errors["from_ref"]
    assert errors["summary"] == "Say in a sentence or two what was said."
    assert errors["channel"].startswith("Choose a way it was received from the list")
    assert errors["severity"].startswith("Choose a severity")
    with pytest.raises(ValidationError) as caught:
        complaints.record_complaint(
            session,
            home["service"],
            _complaint(
                date(2026, 11, 10),
                acknowledged_on=date(2026, 11, 9),
                responded_on=date(2026, 11, 20),
            ),
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors["acknowledged_on"] == (
        "It cannot have been acknowledged before it was received (10/11/2026)."
    )
    assert errors["outcome"] == "Say what the response told the complainant."
    assert errors["finding"].startswith("Choose a finding (upheld, partly or not)")


def test_answering_a_complaint_and_the_overdue_list(session: Session, home: dict[str, int]) -> None:
    late = complaints.record_complaint(
        session, home["service"], _complaint(date(2026, 11, 2)), today=TODAY
    )
    fresh = complaints.record_complaint(
        session,
        home["service"],
        _complaint(date(2026, 11, 24), category="Food and drink"),
        today=TODAY,
    )
    elsewhere = complaints.record_complaint(
        session, home["other"], _complaint(date(2026, 10, 1)), today=TODAY
    )
    # On 26/11 the 2 Nov complaint's acknowledgement (due 5 Nov) is 21 days overdue; its response
    # (due 30 Nov) is not yet; the 24 Nov one is acknowledged by 27 Nov, so nothing yet.
    found = complaints.overdue(session, TODAY, home["service"])
    assert [(o.reference, o.step, o.due, o.days_overdue) for o in found] == [
        (late.reference, "Acknowledgement", date(2026, 11, 5), 21)
    ]
    everywhere = complaints.overdue(session, TODAY)
    assert {o.reference for o in everywhere} == {late.reference, elsewhere.reference}
    assert {o.step for o in everywhere if o.complaint_id == elsewhere.id} == {
        "Acknowledgement",
        "Response",
    }
    answered = _complaint(
        date(2026, 11, 2),
        acknowledged_on=date(2026, 11, 6),
        responded_on=date(2026, 11, 25),
        outcome="Apologised; the family contact sheet now names who rings whom.",
        finding="Upheld",
        learning="Falls out of hours: the senior on shift rings the next of kin.",
        handled_by_id=home["manager"],
    )
    complaints.update_complaint(session, late.id, answered, today=TODAY)
    assert complaints.overdue(session, TODAY, home["service"]) == []
    page = complaint_page(session, ComplaintQuery(home["service"], TODAY))
    states = {r.reference: r.state for r in page.rows}
    assert states[late.reference].label == "Answered on time"
    assert states[late.reference].acknowledgement_late
    assert states[fresh.reference].label == "Acknowledge by 27/11/2026"
    overdue_only = complaint_page(session, ComplaintQuery(None, TODAY, state="overdue"))
    assert [r.reference for r in overdue_only.rows] == [elsewhere.reference]
    with pytest.raises(ValidationError, match="cannot be changed into another kind"):
        complaints.update_complaint(
            session, late.id, _complaint(date(2026, 11, 2), kind="Compliment"), today=TODAY
        )


def test_themes_by_category_and_month(session: Session, home: dict[str, int]) -> None:
    sid = home["service"]
    for received, category in (
        (date(2026, 9, 3), "Communication"),
        (date(2026, 10, 7), "Communication"),
        (date(2026, 10, 8), "Food and drink"),
        (date(2026, 11, 2), "Communication"),
    ):
        complaints.record_complaint(
            session, sid, _complaint(received, category=category), today=TODAY
        )
    complaints.record_complaint(
        session,
        sid,
        _complaint(date(2026, 11, 3), kind="Compliment", channel="Card", severity=""),
        today=TODAY,
    )
    t = themes(session, sid, date(2026, 10, 1), date(2026, 11, 30))
    assert t.months == ["2026-10", "2026-11"]
    assert t.by_category == {"Communication": 2, "Food and drink": 1}
    assert t.grid == {
        ("Communication", "2026-10"): 1,
        ("Food and drink", "2026-10"): 1,
        ("Communication", "2026-11"): 1,
    }
    assert (t.total, t.compliments) == (3, 1)
    assert session.query(Complaint).count() == 5
