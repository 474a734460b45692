"""The dashboard through the real widgets (offscreen)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action
from cqc_desktop.services import actions, people, plans
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.table_models import ID_ROLE

TODAY = date(2026, 11, 26)


def _texts(model, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(r, column).data() for r in range(model.rowCount())]


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        lukasz = people.create_person(s, "Łukasz Nowak", "Deputy manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Mock inspection", "Mock inspection"))
        finding = plans.create_finding(
            s,
            plan.id,
            plans.FindingInput(
                title="Late medicines",
                key_question="Safe",
                risk_area="Medicines",
                likelihood=4,
                impact=4,
            ),
        )
        # Set 20 days ago, weekly: the first review was due 13 days ago and never happened.
        actions.create_action(
            s,
            finding.id,
            actions.ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
            today=TODAY - timedelta(days=20),
        )
        # Set 3 days ago: its first review is due in 4 days.
        actions.create_action(
            s,
            finding.id,
            actions.ActionInput(
                "Revise the allocation sheet", lukasz.id, TODAY + timedelta(days=40)
            ),
            today=TODAY - timedelta(days=3),
        )
    return db


def test_dashboard_lists_overdue_due_and_leads(qtbot: QtBot, seeded: Database) -> None:
    window = MainWindow(AppContext(seeded, today=lambda: TODAY))
    qtbot.addWidget(window)
    dash = window.dashboard

    assert window.tab_titles() == ["Dashboard"]
    assert _texts(dash.overdue_model, 1) == ["Protect the medicines round"]
    assert _texts(dash.overdue_model, 5) == ["13 days overdue"]
    assert _texts(dash.overdue_model, 4) == ["13/11/2026"]
    assert _texts(dash.due_model, 1) == ["Revise the allocation sheet"]
    assert _texts(dash.due_model, 5) == ["in 4 days"]
    assert sorted(_texts(dash.lead_model, 0)) == ["Zoë Hart", "Łukasz Nowak"]
    assert dash.cards["overdue"].value.text() == "1"
    assert dash.cards["open"].value.text() == "2"
    assert dash.overdue_model.index(0, 0).data(ID_ROLE) > 0
    assert "Red 2" in dash.rag_label.text()
    assert window.db_label.text().endswith("test.sqlite3")


def test_dashboard_refreshes_when_data_changes(qtbot: QtBot, seeded: Database) -> None:
    ctx = AppContext(seeded, today=lambda: TODAY)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with seeded.unit_of_work() as s:
        action = s.scalars(select(Action).order_by(Action.id)).first()
        assert action is not None
        actions.record_review(
            s,
            action.id,
            review_date=TODAY,
            reviewer_id=action.accountable_lead_id,
            progress="Round observed twice",
            rag="Amber",
            decision="Continue",
            today=TODAY,
        )
    with qtbot.waitSignal(ctx.sig_data_changed):
        ctx.sig_data_changed.emit("review")
    assert window.dashboard.overdue_model.rowCount() == 0
    assert window.dashboard.overdue_empty.isVisibleTo(window.dashboard)
    assert window.dashboard.cards["overdue"].value.text() == "0"
