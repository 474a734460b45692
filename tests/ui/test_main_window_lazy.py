"""The main window builds each tab the first time it is shown, and the dashboard only reads when
it refreshes (the alert triggers are checked once it has been painted)."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, Alert
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.dashboard.tab import DashboardTab
from cqc_desktop.ui.main_window import TABS, MainWindow

TODAY = date(2026, 11, 26)
INCIDENTS = 3


@pytest.fixture
def overdue(db: Database) -> Database:
    """One home with one action whose first weekly review was missed 13 days ago."""
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
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
        actions.create_action(
            s,
            finding.id,
            actions.ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
            today=TODAY - timedelta(days=20),
        )
    return db


def _alerts(db: Database) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count(Alert.id))) or 0)


def _built(window: MainWindow) -> list[bool]:
    return [window.tabs.is_built(i) for i in range(window.tabs.count())]


def test_opens_with_only_the_current_tab_built(qtbot: QtBot, overdue: Database) -> None:
    window = MainWindow(AppContext(overdue, today=lambda: TODAY))
    qtbot.addWidget(window)
    assert window.tab_titles()[:3] == ["Dashboard", "Plans", "Trackers"]
    assert _built(window) == [True] + [False] * (len(TABS) - 1)
    assert window.dashboard.cards["overdue"].value.text() == "1"

    # Showing a tab builds it (and only it), in its place, under its own title.
    window.tabs.setCurrentIndex(INCIDENTS)
    assert _built(window) == [i in (0, INCIDENTS) for i in range(len(TABS))]
    incidents = window.tabs.current_content()
    assert type(incidents).__name__ == "IncidentsTab"
    assert window.tab_titles()[INCIDENTS] == "Incidents"
    assert window.tabs.content(INCIDENTS) is incidents  # built once, kept

    # The Edit menu reaches the tab that was built on the way.
    called: list[str] = []
    incidents.focus_search = lambda: called.append("find")  # type: ignore[attr-defined]
    window.act_find.trigger()
    assert called == ["find"]


def test_the_last_tab_shown_is_restored_without_building_the_others(
    qtbot: QtBot, overdue: Database
) -> None:
    ui_state.save_int("main/tab", INCIDENTS)
    window = MainWindow(AppContext(overdue, today=lambda: TODAY))
    qtbot.addWidget(window)
    assert window.tabs.currentIndex() == INCIDENTS
    assert _built(window) == [i == INCIDENTS for i in range(len(TABS))]
    # Asking for the dashboard (as the tests and the benchmark do) builds it there and then.
    assert window.dashboard.overdue_model.rowCount() == 1
    assert window.tabs.is_built(0)


def test_each_tab_title_is_its_class_title() -> None:
    for title, module, name in TABS:
        cls = getattr(importlib.import_module(f"cqc_desktop.ui.{module}"), name)
        assert cls.title == title


def test_the_dashboard_refresh_only_reads_and_the_scan_after_painting_raises_alerts(
    qtbot: QtBot, overdue: Database
) -> None:
    dash = DashboardTab(AppContext(overdue, today=lambda: TODAY))
    qtbot.addWidget(dash)
    dash.refresh()
    dash.refresh()
    assert _alerts(overdue) == 0  # refreshing never writes
    assert dash.overdue_model.rowCount() == 1
    assert dash.alerts.model.rowCount() == 0

    dash.resize(1366, 700)
    with qtbot.waitSignal(dash.sig_alerts_scanned) as scanned:
        dash.show()  # the first paint sets off the trigger check
    assert scanned.args == [1]
    assert _alerts(overdue) == 1
    assert dash.alerts.model.row_at(0).kind == "Review overdue"
    assert dash.cards["alerts"].value.text() == "1"

    # Raised once: later checks find nothing new.
    assert dash.scan_alerts() == 0
    assert _alerts(overdue) == 1


def test_a_change_made_on_another_tab_shows_when_the_dashboard_is_shown_again(
    qtbot: QtBot, overdue: Database
) -> None:
    ctx = AppContext(overdue, today=lambda: TODAY)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    dash = window.dashboard
    window.tabs.setCurrentIndex(1)
    with overdue.unit_of_work() as s:
        action = s.scalars(select(Action)).one()
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
    ctx.sig_data_changed.emit("review")
    assert dash.cards["overdue"].value.text() == "1"  # not refreshed while out of sight
    window.tabs.setCurrentIndex(0)
    assert dash.cards["overdue"].value.text() == "0"
    assert dash.overdue_model.rowCount() == 0
