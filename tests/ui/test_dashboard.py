"""The dashboard through the real widgets (offscreen)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, Person
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.dashboard.tab import DashboardTab
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.plans.detail.panel import ActionDetailWindow
from cqc_desktop.ui.widgets.forms import select_data
from cqc_desktop.ui.widgets.table_models import ID_ROLE

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

    assert window.tab_titles()[:2] == ["Dashboard", "Plans"]
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


# --- alerts, my actions, counts (the dashboard on its own, as the Plans engineer owns it) -------


def _dashboard(qtbot: QtBot, db: Database) -> DashboardTab:
    ui_state.settings().clear()
    dash = DashboardTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(dash)
    dash.resize(1366, 700)
    # The alert triggers are checked just after the dashboard is first painted.
    with qtbot.waitSignal(dash.sig_alerts_scanned):
        dash.show()
    return dash


def test_special_cause_alert_raised_and_acknowledged(
    qtbot: QtBot, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with seeded.unit_of_work() as s:
        action = s.scalars(select(Action).order_by(Action.id)).first()
        assert action is not None
        action_id = action.id
        measure = create_measure(
            s, action.id, MeasureInput("Late entries per week", "lower", 10, "absolute", 3)
        )
        monday = TODAY - timedelta(days=TODAY.weekday())
        values = [4, 5, 4, 4, 5, 4, 4, 5, 4, 15]  # steady, then far above the upper limit
        for i, value in enumerate(values):
            record_point(s, measure.id, monday - timedelta(weeks=len(values) - 1 - i), value)
    dash = _dashboard(qtbot, seeded)
    panel = dash.alerts
    kinds = [panel.model.row_at(r).kind for r in range(panel.model.rowCount())]
    assert "Measure: special-cause concern" in kinds
    assert "Review overdue" in kinds  # the first action's weekly review was missed
    row = kinds.index("Measure: special-cause concern")
    assert panel.model.index(row, 1).data() == "Measure: concern"
    assert "(15)" in panel.model.index(row, 3).data()
    assert dash.cards["alerts"].value.text() == str(len(kinds))

    # Enter on the alert opens its action.
    panel.view.setFocus()
    panel.view.selectRow(row)
    with qtbot.waitSignal(dash.sig_open_action) as opened:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert opened.args == [action_id]
    window = ActionDetailWindow._open[(id(dash.ctx), action_id)]
    qtbot.addWidget(window)
    assert window.detail.action_id == action_id
    window.close()

    # Acknowledging needs a note; the alert is then kept, with the note, out of the open list.
    dialog = panel.acknowledge_selected()
    assert dialog is not None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "Write what is being done" in dialog.form.error_label("note").text()
    select_data(dialog.person, seeded_person(seeded, "Zoë Hart"))
    qtbot.keyClicks(dialog.note, "Agency nurse on the evening round; rota fixed for next week.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    kinds_now = [panel.model.row_at(r).kind for r in range(panel.model.rowCount())]
    assert "Measure: special-cause concern" not in kinds_now
    assert dash.cards["alerts"].value.text() == str(len(kinds) - 1)
    panel.show_done.setChecked(True)
    kept = panel.model.row_at(0)
    assert kept.kind == "Measure: special-cause concern"
    assert "Agency nurse" in panel.model.index(0, 4).data()
    assert "Zoë Hart" in panel.model.index(0, 4).data()


def seeded_person(db: Database, name: str) -> int:
    with db.reading() as s:
        return s.scalars(select(Person.id).where(Person.name == name)).one()


def test_my_actions_and_counts(qtbot: QtBot, seeded: Database) -> None:
    dash = _dashboard(qtbot, seeded)
    # First visit: the person leading the most open actions (here a tie, by name order).
    assert dash.person.currentData() is not None
    select_data(dash.person, seeded_person(seeded, "Łukasz Nowak"))
    assert _texts(dash.my_model, 1) == ["Revise the allocation sheet"]
    assert _texts(dash.my_model, 4) == ["30/11/2026"]
    select_data(dash.person, seeded_person(seeded, "Zoë Hart"))
    assert _texts(dash.my_model, 1) == ["Protect the medicines round"]
    assert dash.my_model.index(0, 4).data(Qt.ItemDataRole.ForegroundRole) is not None  # overdue
    # Counts by key question and RAG.
    assert dash.kq_table.verticalHeaderItem(0).text() == "Safe"
    assert [dash.kq_table.item(0, c).text() for c in range(4)] == ["2", "0", "0", "2"]
    assert dash.kq_table.item(1, 3).text() == "0"
    # Actions due in the next 7 days (none here: both are due in a month or more).
    assert dash.actions_due_model.rowCount() == 0
    assert dash.due_tabs.tabText(0) == "Reviews overdue (1)"


def test_double_click_on_overdue_review_opens_the_action(qtbot: QtBot, seeded: Database) -> None:
    dash = _dashboard(qtbot, seeded)
    view = dash.overdue_view
    rect = view.visualRect(dash.overdue_model.index(0, 1))
    # Qt only treats it as a double-click on a row that was pressed first.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(dash.sig_open_action) as opened:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    window = ActionDetailWindow._open[(id(dash.ctx), opened.args[0])]
    qtbot.addWidget(window)
    assert window.detail.title_label.text() == "MI-A1 Protect the medicines round"
    window.close()


def test_moves_on_to_a_new_day_by_itself(qtbot: QtBot, seeded: Database) -> None:
    ui_state.settings().clear()
    day = [TODAY]
    dash = DashboardTab(AppContext(seeded, today=lambda: day[0]))
    qtbot.addWidget(dash)
    assert dash.cards["overdue"].value.text() == "1"
    day[0] = TODAY + timedelta(days=5)  # the second action's first review (in 4 days) is now late
    dash._day_timer.timeout.emit()
    assert dash.cards["overdue"].value.text() == "2"
    assert dash.date_label.text() == "Today: 01/12/2026"
