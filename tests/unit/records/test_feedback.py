"""Feedback from people, relatives, staff and partners: a partner's feedback reaches CQC's
"Feedback from partners" category, and linked feedback counts towards the closure gate."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Evidence, Finding, Person, Plan, Service
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.plans.closure import closure_gate
from cqc_desktop.services.records import feedback
from cqc_desktop.services.records.feedback import FeedbackInput

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(session: Session) -> dict[str, int]:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    lead = Person(name="Chidi Okafor", role="Care coordinator", service_id=service.id)
    plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
    session.add_all([lead, plan])
    session.flush()
    finding = Finding(
        plan_id=plan.id,
        title="Outdated mobility guidance",
        key_question="Effective",
        risk_area="Care planning",
        likelihood=3,
        impact=3,
        score=9,
        rag="Amber",
    )
    session.add(finding)
    session.flush()
    action = Action(
        finding_id=finding.id,
        reference="A2",
        title="Review high-risk care plans",
        accountable_lead_id=lead.id,
        due_date=TODAY + timedelta(weeks=6),
        review_frequency="Weekly",
    )
    session.add(action)
    session.flush()
    return {"service": service.id, "action": action.id}


def _entry(source: str, sentiment: str = "Positive", **changes: object) -> FeedbackInput:
    data = FeedbackInput(
        received_on=date(2026, 11, 20),
        source=source,
        method="Conversation",
        what_was_said="The new moving and handling plan is being followed on every visit.",
        sentiment=sentiment,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_partners_feedback_is_evidence_from_partners(
    session: Session, home: dict[str, int]
) -> None:
    entry = feedback.record_feedback(
        session,
        home["service"],
        _entry("District nurse", from_ref="DN, weekly visit", action_id=home["action"]),
        today=TODAY,
    )
    evidence = session.scalars(select(Evidence).where(Evidence.feedback_id == entry.id)).one()
    assert (evidence.source_type, evidence.category, evidence.supports) == (
        "partners_feedback",
        "Feedback from partners",
        "Yes",
    )
    assert (
        evidence.title == "Feedback: District nurse (DN, weekly visit), conversation on 20/11/2026"
    )
    # Saving it again does not add it twice.
    feedback.update_feedback(
        session,
        entry.id,
        _entry("District nurse", from_ref="DN", action_id=home["action"]),
        today=TODAY,
    )
    assert session.query(Evidence).filter(Evidence.feedback_id == entry.id).count() == 1


def test_linked_feedback_counts_towards_the_source_spread(
    session: Session, home: dict[str, int]
) -> None:
    action = session.get(Action, home["action"])
    assert action is not None

    def sources() -> str:
        result = closure_gate(session, action, TODAY)
        return next(c.why for c in result.conditions if c.key == "sources")

    assert sources().startswith("0 source type(s)")
    for source, sentiment in (("GP", "Positive"), ("Relative or friend", "Positive")):
        feedback.record_feedback(
            session,
            home["service"],
            _entry(source, sentiment, action_id=home["action"]),
            today=TODAY,
        )
    assert sources().startswith("2 source type(s)")
    feedback.record_feedback(
        session,
        home["service"],
        _entry("Staff member", "Mixed", action_id=home["action"]),
        today=TODAY,
    )
    assert sources().startswith("3 source type(s)")
    staff = session.scalars(
        select(Evidence.supports).where(Evidence.source_type == "staff_feedback")
    ).one()
    assert staff == "Partly"


def test_summary_and_mistakes(session: Session, home: dict[str, int]) -> None:
    for source, sentiment in (
        ("GP", "Positive"),
        ("Commissioner", "Mixed"),
        ("Person using the service", "Negative"),
    ):
        feedback.record_feedback(session, home["service"], _entry(source, sentiment), today=TODAY)
    s = feedback.summary(session, home["service"], date(2026, 11, 1), date(2026, 11, 30))
    assert (s.total, s.partners) == (3, 2)
    assert s.by_sentiment == {"Positive": 1, "Mixed": 1, "Negative": 1}
    with pytest.raises(ValidationError) as caught:
        feedback.record_feedback(
            session,
            home["service"],
            _entry(
                "Neighbour",
                "Cross",
                what_was_said="",
                received_on=TODAY + timedelta(days=1),
                from_ref="Margaret Ellis",
            ),
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors["source"].startswith("Choose a source from the list")
    assert errors["sentiment"].startswith("Choose a sentiment")
    assert errors["what_was_said"] == "Write down what was said."
    assert errors["received_on"] == "The feedback cannot be dated in the future."
    assert "not a full name" in errors["from_ref"]


def test_the_feedback_list_and_its_export(
    session: Session, home: dict[str, int], tmp_path: Path
) -> None:
    from cqc_desktop.services.records import spreadsheets
    from cqc_desktop.services.records.feedback import FeedbackQuery, feedback_page

    for day, source in ((18, "Social worker"), (19, "Relative or friend")):
        feedback.record_feedback(
            session,
            home["service"],
            _entry(source, received_on=date(2026, 11, day), action_id=home["action"]),
            today=TODAY,
        )
    page = feedback_page(session, FeedbackQuery(home["service"]))
    assert [(r.source, r.evidence_category, r.action_ref) for r in page.rows] == [
        ("Relative or friend", "People's experience", "A2"),
        ("Social worker", "Feedback from partners", "A2"),
    ]
    partners = feedback_page(session, FeedbackQuery(None, source="Social worker"))
    assert len(partners.rows) == 1
    target = tmp_path / "feedback.csv"
    count = spreadsheets.write(
        target, spreadsheets.feedback_table(session, FeedbackQuery(home["service"]))
    )
    assert count == 2
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Received,From,Who (by reference),How,Sentiment,What was said")
    assert lines[1].startswith("19/11/2026,Relative or friend")
