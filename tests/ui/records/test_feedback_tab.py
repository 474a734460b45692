"""Recording a district nurse's feedback through its dialog, linked to an action: it is listed in
"Feedback from partners" and becomes evidence for the action."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, Evidence, Finding, Person, Plan, Service
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records.feedback_dialog import FeedbackDialog
from cqc_desktop.ui.records.feedback_tab import FeedbackTab
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        lead = Person(name="Chidi Okafor", role="Care coordinator", service_id=service.id)
        plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
        s.add_all([lead, plan])
        s.flush()
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
        s.add(finding)
        s.flush()
        action = Action(
            finding_id=finding.id,
            reference="A2",
            title="Review high-risk care plans",
            accountable_lead_id=lead.id,
            due_date=TODAY + timedelta(weeks=6),
            review_frequency="Weekly",
        )
        s.add(action)
        s.flush()
        return {"service": service.id, "action": action.id, "lead": lead.id}


def test_partner_feedback_recorded_through_the_dialog(
    qtbot: QtBot, db: Database, home: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = FeedbackTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    qtbot.waitExposed(tab)
    seen: list[FeedbackDialog] = []

    def run(d: FeedbackDialog) -> int:
        seen.append(d)
        d.received.set_value(date(2026, 11, 24))
        select_data(d.source, "District nurse")
        assert d.category.text() == "CQC evidence category: Feedback from partners"
        qtbot.keyClicks(d.from_ref, "DN, weekly visit")
        select_data(d.method, "Conversation")
        qtbot.keyClicks(d.said, "Transfers now match the new mobility plan in Rm 4.")
        select_data(d.sentiment, "Positive")
        select_data(d.recorded_by, home["lead"])
        select_data(d.action, home["action"])
        d.try_save()
        return int(d.result())

    monkeypatch.setattr(FeedbackDialog, "exec", run)
    tab.new_button.click()
    assert seen and seen[0].result() == 1
    assert [tab.model.index(0, c).data() for c in (1, 4, 5, 6)] == [
        "District nurse",
        "Positive",
        "Feedback from partners",
        "A2",
    ]
    assert tab.summary.text() == (
        "1 piece of feedback in this period (1 positive, 0 mixed, 0 negative); 1 from partners."
    )
    with db.reading() as s:
        evidence = s.scalars(select(Evidence)).one()
        assert (evidence.action_id, evidence.category) == (home["action"], "Feedback from partners")
