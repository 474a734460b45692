"""Notifications and the duty of candour on incidents: which apply, when each is due (worked out
by hand), late or missing ones, and what the candour record refuses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.models import Person, Service
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import notifications
from cqc_desktop.services.records.candour import CandourInput, decision_needed, record_candour
from cqc_desktop.services.records.incidents import log_incident, review_incident
from cqc_desktop.services.records.notifications import Facts, checks

TODAY = date(2026, 11, 26)


def _names(found: list[notifications.Check]) -> list[str]:
    return [c.key for c in found]


def test_the_rules_are_versioned_data_with_their_source() -> None:
    r = notifications.rules()
    assert r.version == "1" and "Regulation 20" in r.source
    assert [rule.key for rule in r.rules] == [
        "cqc_death",
        "cqc_other",
        "safeguarding",
        "riddor",
        "candour_told",
        "candour_letter",
    ]


def test_a_severe_harm_fall_before_a_bank_holiday() -> None:
    # Friday 22 May 2026, 21:30; Monday 25th is the Spring bank holiday.
    facts = Facts(
        occurred_at=datetime(2026, 5, 22, 21, 30),
        incident_type="Fall",
        severity="Severe harm",
        notifiable_safety_incident="Yes",
        cqc_notified_on=date(2026, 5, 26),
        candour_told_on=date(2026, 5, 28),
    )
    found = {c.key: c for c in checks(facts, date(2026, 6, 10))}
    assert list(found) == ["cqc_other", "candour_told", "candour_letter"]
    # CQC "without delay": by the end of the next day, Saturday 23 May; notified Tuesday: late.
    cqc = found["cqc_other"]
    assert (cqc.due, cqc.late, cqc.overdue) == (date(2026, 5, 23), True, False)
    assert cqc.text.endswith("made 26/05/2026, late (due by 23/05/2026)")
    # Candour: 10 working days, skipping the bank holiday: Tue 26 May is the 1st, Mon 8 June
    # the 10th. Told on Thursday 28 May, on time; the letter was never sent, so on 10 June it
    # is overdue.
    told, letter = found["candour_told"], found["candour_letter"]
    assert (told.due, told.late, told.overdue) == (date(2026, 6, 8), False, False)
    assert (letter.due, letter.done_on, letter.overdue) == (date(2026, 6, 8), None, True)
    # On the due day itself the letter is due, not overdue.
    on_the_day = {c.key: c for c in checks(facts, date(2026, 6, 8))}
    assert not on_the_day["candour_letter"].overdue
    assert on_the_day["candour_letter"].text == (
        "Duty of candour: written follow-up (Reg 20): due by 08/06/2026"
    )


def test_which_notifications_apply() -> None:
    base = {"occurred_at": datetime(2026, 11, 2, 10, 0), "incident_type": "Fall"}
    assert checks(Facts(**base, severity="Low harm"), TODAY) == []
    death = checks(Facts(**base, severity="Death"), TODAY)
    assert _names(death) == ["cqc_death"]  # Reg 16, not Reg 18 as well
    assert (death[0].due, death[0].overdue) == (date(2026, 11, 3), True)
    abuse = checks(
        Facts(
            occurred_at=datetime(2026, 11, 2, 10, 0),
            incident_type="Safeguarding",
            severity="No harm",
            safeguarding_referral=True,
            safeguarding_referred_on=date(2026, 11, 2),
        ),
        TODAY,
    )
    assert _names(abuse) == ["cqc_other", "safeguarding"]
    assert abuse[1].text.endswith("made 02/11/2026, on time")
    # RIDDOR: 10 calendar days, Thursday 12 November; reported on the 13th, late.
    riddor = checks(
        Facts(
            **base, severity="Low harm", riddor_required=True, riddor_reported_on=date(2026, 11, 13)
        ),
        TODAY,
    )
    assert [(c.key, c.due, c.late) for c in riddor] == [("riddor", date(2026, 11, 12), True)]


@pytest.fixture
def home(session: Session) -> dict[str, int]:
    service, other = Service(name="Willow Court"), Service(name="Beech House")
    session.add_all([service, other])
    session.flush()
    zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    session.add(zoe)
    session.flush()
    return {"service": service.id, "other": other.id, "zoe": zoe.id}


def _incident(session: Session, service: int, day: int, severity: str, kind: str = "Fall") -> int:
    return log_incident(
        session,
        service,
        occurred_at=datetime(2026, 11, day, 14, 5),
        incident_type=kind,
        severity=severity,
        person_ref="Rm 4",
        today=TODAY,
    ).id


def test_missing_notifications_for_the_dashboard(session: Session, home: dict[str, int]) -> None:
    severe = _incident(session, home["service"], 16, "Severe harm")
    _incident(session, home["service"], 17, "Low harm")
    elsewhere = _incident(session, home["other"], 18, "Death")
    record_candour(
        session,
        severe,
        CandourInput(
            notifiable_safety_incident="Yes",
            candour_told_on=date(2026, 11, 19),
            candour_told_who="Daughter (next of kin)",
            candour_told_by_id=home["zoe"],
            candour_method="In person",
            candour_apology="Said sorry that her mother fell and was hurt while in our care.",
        ),
        today=TODAY,
    )
    found = notifications.overdue(session, TODAY, home["service"])
    # Monday 16 November: CQC due Tuesday 17th (9 days ago). Candour told in time; its letter
    # is due 10 working days on, Monday 30 November, so not yet missing.
    assert [(m.name, m.due, m.days_overdue) for m in found] == [
        ("CQC notification: serious injury, abuse, police or DoLS (Reg 18)", date(2026, 11, 17), 9)
    ]
    everywhere = notifications.overdue(session, TODAY)
    assert [m.incident_id for m in everywhere] == [severe, elsewhere]
    review_incident(
        session,
        severe,
        home["zoe"],
        date(2026, 11, 16),
        "Sensor mat in place; bed lowered.",
        "Reg 18 (other incident)",
        cqc_notified_on=date(2026, 11, 17),
        today=TODAY,
    )
    assert notifications.overdue(session, TODAY, home["service"]) == []


def test_the_candour_record_refuses_what_cannot_be_right(
    session: Session, home: dict[str, int]
) -> None:
    incident = _incident(session, home["service"], 16, "Moderate harm")
    assert decision_needed("Moderate harm", "") and not decision_needed("Low harm", "")
    with pytest.raises(ValidationError) as caught:
        record_candour(
            session,
            incident,
            CandourInput(
                notifiable_safety_incident="Yes",
                candour_told_on=date(2026, 11, 15),
                candour_letter_on=date(2026, 11, 20),
                medical_contact_at=datetime(2026, 11, 16, 15, 0),
            ),
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors["candour_told_on"] == (
        "The date the person was told cannot be before the incident (16/11/2026)."
    )
    assert errors["candour_told_who"] == "Say who was told (by reference)."
    assert errors["candour_method"] == "Say whether they were told in person or by phone."
    assert errors["candour_apology"] == "Record the apology given."
    assert errors["medical_contact"] == "Say who was contacted (GP, NHS 111 or ambulance)."
    with pytest.raises(ValidationError, match="answer Yes to the question first"):
        record_candour(
            session,
            incident,
            CandourInput(notifiable_safety_incident="No", candour_letter_on=date(2026, 11, 20)),
            today=TODAY,
        )
