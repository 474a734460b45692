"""Recording a supervision through its dialog: the next due date, the due list, and the dashboard
listing an overdue one."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Person, Service, Supervision
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records.supervision_dialog import SupervisionDialog
from cqc_desktop.ui.records.supervision_tab import SupervisionTab
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
        bethan = Person(name="Bethan Hughes", role="Care assistant", service_id=service.id)
        s.add_all([zoe, bethan])
        s.flush()
        return {"service": service.id, "zoe": zoe.id, "bethan": bethan.id}


def test_a_supervision_recorded_through_the_dialog(
    qtbot: QtBot, db: Database, home: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = SupervisionTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.summary.text().startswith("No supervision recorded yet")

    def run(d: SupervisionDialog) -> int:
        select_data(d.person, home["bethan"])
        select_data(d.supervisor, home["zoe"])
        d.held.set_value(date(2026, 9, 1))
        assert d.usual.text() == (
            "Left unticked, the next one-to-one supervision is due 27/10/2026 (8 weeks on)."
        )
        qtbot.keyClicks(d.focus, "Moving and handling: Rm 4's new plan")
        qtbot.keyClicks(d.notes, "Went through the new transfer plan; confident with the hoist.")
        d.try_save()
        return int(d.result())

    monkeypatch.setattr(SupervisionDialog, "exec", run)
    tab.new_button.click()
    with db.reading() as s:
        saved = s.scalars(select(Supervision)).one()
        assert (saved.person_id, saved.next_due) == (home["bethan"], date(2026, 10, 27))
    assert [tab.due_model.index(0, c).data() for c in range(6)] == [
        "Bethan Hughes",
        "Care assistant",
        "One-to-one supervision",
        "01/09/2026",
        "27/10/2026",
        "30 days overdue",
    ]
    assert tab.model.rowCount() == 1
    assert tab.summary.text() == "1 overdue (in red) of 1 people and kinds with a next date."

    from cqc_desktop.ui.dashboard.tab import DashboardTab

    dashboard = DashboardTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(dashboard)
    assert dashboard.due_tabs.tabText(3) == "Records overdue (1)"
    model = dashboard.records_overdue.model
    assert [model.index(0, c).data() for c in (0, 1, 4)] == [
        "Bethan Hughes",
        "One-to-one supervision",
        "30 days overdue",
    ]
