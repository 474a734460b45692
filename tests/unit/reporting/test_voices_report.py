"""Complaint themes and response times, the feedback summary, notifications and candour on time,
and supervision completion, in the monthly QA report and the commissioner pack (read back with
pypdf)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from cqc_desktop.models import Person, Service
from cqc_desktop.reports.catalogue import COMMISSIONER, MONTHLY, DocumentRequest, generate
from cqc_desktop.services.records.candour import CandourInput, record_candour
from cqc_desktop.services.records.complaints import ComplaintInput, record_complaint
from cqc_desktop.services.records.feedback import FeedbackInput, record_feedback
from cqc_desktop.services.records.incidents import log_incident, review_incident
from cqc_desktop.services.records.supervision import SupervisionInput, record_supervision
from cqc_desktop.services.reporting.common import month_period
from cqc_desktop.services.reporting.voices import voices

TODAY = date(2026, 11, 26)
NOVEMBER = month_period("2026-11")


def _text(pdf: bytes) -> str:
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    return re.sub(r"\s+", " ", "\n".join(pages).replace("\u00a0", " "))


@pytest.fixture
def home(session: Session) -> int:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
    bethan = Person(name="Bethan Hughes", role="Care assistant", service_id=service.id)
    session.add_all([zoe, bethan])
    session.flush()
    sid = service.id
    base = {
        "from_type": "Relative or representative",
        "from_ref": "Daughter of Rm 4",
        "channel": "Phone",
        "severity": "Medium",
    }
    # Received Mon 2 Nov: acknowledged Wed 4th (due Thu 5th), answered Fri 20th (due Mon 30th),
    # 14 working days; upheld.
    record_complaint(
        session,
        sid,
        ComplaintInput(
            kind="Complaint",
            received_on=date(2026, 11, 2),
            category="Communication",
            summary="Not told about a fall.",
            acknowledged_on=date(2026, 11, 4),
            responded_on=date(2026, 11, 20),
            outcome="Apologised.",
            finding="Upheld",
            **base,
        ),
        today=TODAY,
    )
    # Received Tue 3 Nov: acknowledged Mon 9th (due Fri 6th, late), answered Wed 25th (due Tue
    # 1 Dec), 16 working days; not upheld.
    record_complaint(
        session,
        sid,
        ComplaintInput(
            kind="Complaint",
            received_on=date(2026, 11, 3),
            category="Communication",
            summary="Phone not answered.",
            acknowledged_on=date(2026, 11, 9),
            responded_on=date(2026, 11, 25),
            outcome="Explained.",
            finding="Not upheld",
            **base,
        ),
        today=TODAY,
    )
    # Received Mon 16 Nov, never acknowledged (due Thu 19th): overdue.
    record_complaint(
        session,
        sid,
        ComplaintInput(
            kind="Complaint",
            received_on=date(2026, 11, 16),
            category="Food and drink",
            summary="Cold tea.",
            **base,
        ),
        today=TODAY,
    )
    record_complaint(
        session,
        sid,
        ComplaintInput(
            kind="Compliment",
            received_on=date(2026, 11, 10),
            category="Activities",
            summary="Lovely party.",
            **{**base, "channel": "Card", "severity": ""},
        ),
        today=TODAY,
    )
    for source, sentiment in (
        ("GP", "Positive"),
        ("District nurse", "Mixed"),
        ("Relative or friend", "Positive"),
    ):
        record_feedback(
            session,
            sid,
            FeedbackInput(
                received_on=date(2026, 11, 12),
                source=source,
                method="Conversation",
                what_was_said="Said at the visit.",
                sentiment=sentiment,
            ),
            today=TODAY,
        )
    # A severe-harm fall on Mon 16 Nov at 21:30: CQC due Tue 17th, made Thu 19th (late);
    # candour told Tue 17th (due Mon 30th, on time), letter not yet due on 26 Nov.
    fall = log_incident(
        session,
        sid,
        occurred_at=datetime(2026, 11, 16, 21, 30),
        incident_type="Fall",
        severity="Severe harm",
        person_ref="Rm 4",
        today=TODAY,
    )
    review_incident(
        session,
        fall.id,
        zoe.id,
        date(2026, 11, 17),
        "Sensor mat.",
        "Reg 18 (other incident)",
        cqc_notified_on=date(2026, 11, 19),
        today=TODAY,
    )
    record_candour(
        session,
        fall.id,
        CandourInput(
            notifiable_safety_incident="Yes",
            candour_told_on=date(2026, 11, 17),
            candour_told_who="Daughter",
            candour_told_by_id=zoe.id,
            candour_method="In person",
            candour_apology="Sorry.",
        ),
        today=TODAY,
    )
    record_supervision(
        session,
        sid,
        SupervisionInput(
            person_id=bethan.id,
            kind="One-to-one supervision",
            held_on=date(2026, 9, 1),
            supervisor_id=zoe.id,
            notes="Hoist.",
        ),
        today=TODAY,
    )
    record_supervision(
        session,
        sid,
        SupervisionInput(
            person_id=zoe.id,
            kind="One-to-one supervision",
            held_on=date(2026, 11, 5),
            notes="Workload.",
        ),
        today=TODAY,
    )
    return sid


def test_the_figures(session: Session, home: int) -> None:
    v = voices(session, home, NOVEMBER, TODAY)
    c = v.complaints
    assert (c.received, c.compliments, c.acknowledged_on_time, c.answered) == (3, 1, 1, 2)
    assert (c.answered_on_time, c.median_working_days, c.upheld, c.overdue_now) == (2, 15.0, 1, 1)
    assert c.themes == (("Communication", 2), ("Food and drink", 1))
    assert (v.feedback.total, v.feedback.partners) == (3, 2)
    assert [(n.name.split(":")[0], n.state) for n in v.notifications] == [
        ("CQC notification", "Late"),
        ("Duty of candour", "On time"),
        ("Duty of candour", "Not yet due"),
    ]
    assert (v.supervision.people, v.supervision.overdue, v.supervision.held_in_period) == (2, 1, 1)


@pytest.mark.parametrize("kind", [MONTHLY, COMMISSIONER])
def test_the_reports_print_them(session: Session, home: int, kind: str) -> None:
    text = _text(
        generate(session, DocumentRequest(kind, service_id=home, period=NOVEMBER), today=TODAY)
    )
    for expected in (
        "Complaint themes and response times",
        "3 complaints received and 1 compliment logged. 1 of 3 acknowledged within 3 working "
        "days; 2 of 2 answered within 20 working days. The median time to a full response was "
        "15 working days. 1 of 2 answered were upheld or partly upheld; 1 has a reply overdue.",
        "Communication 2",
        "Food and drink 1",
        "3 pieces of feedback (2 positive, 1 mixed, 0 negative); 2 from partners",
        "Notifications and duty of candour on time",
        "1 of 3 made on time; 1 late or missing.",
        "INC-2026-0001",
        "Late",
        "Not yet due",
        "1 of 2 up to date (50%); 1 overdue.",
    ):
        assert expected in text, expected
