"""The dashboard on the demo data reads as the worked scenarios say it should."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from cqc_desktop.db import Database
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow

TODAY = date(2026, 11, 26)


def test_dashboard_on_demo_data(qtbot: QtBot, db: Database) -> None:
    with db.unit_of_work() as session:
        seed_demo(session, TODAY)
    window = MainWindow(AppContext(db, demo=True, today=lambda: TODAY))
    qtbot.addWidget(window)
    dash = window.dashboard

    assert window.windowTitle().startswith("DEMO")
    assert dash.home.currentText() == "Willow Court Care Home"
    overdue = [dash.overdue_model.index(r, 1).data() for r in range(dash.overdue_model.rowCount())]
    assert overdue == ["Bring staff supervision up to date"]
    assert dash.overdue_model.index(0, 2).data() == "Siobhán Murphy"
    due = [dash.due_model.index(r, 1).data() for r in range(dash.due_model.rowCount())]
    assert "Stop late evening medicines administration" in due
    leads = {
        dash.lead_model.index(r, 0).data(): int(dash.lead_model.index(r, 2).data())
        for r in range(dash.lead_model.rowCount())
    }
    assert leads["Zoë Hart"] == 2
    assert dash.cards["override"].value.text() == "1"
    assert dash.cards["overdue"].value.text() == "1"
