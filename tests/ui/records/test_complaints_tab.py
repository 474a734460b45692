"""Logging a complaint through its dialog: the deadlines shown as the date is typed, the overdue
one in red in the list, mistakes beside their fields, and a compliment logged alongside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Complaint, Person, Service
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records.complaint_dialog import ComplaintDialog
from cqc_desktop.ui.records.complaints_tab import LATE, STATE_COL, ComplaintsTab
from cqc_desktop.ui.widgets.forms import select_data
from cqc_desktop.ui.widgets.table_models import BACKGROUND

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        zoe = Person(name="Zoë Hart", role="Registered manager", service_id=service.id)
        s.add(zoe)
        s.flush()
        return {"service": service.id, "zoe": zoe.id}


@pytest.fixture
def tab(qtbot: QtBot, db: Database, home: dict[str, int]) -> ComplaintsTab:
    widget = ComplaintsTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _answer_with(
    monkeypatch: pytest.MonkeyPatch, fill: Callable[[ComplaintDialog], None]
) -> list[ComplaintDialog]:
    seen: list[ComplaintDialog] = []

    def run(dialog: ComplaintDialog) -> int:
        seen.append(dialog)
        fill(dialog)
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(ComplaintDialog, "exec", run)
    return seen


def _fill_complaint(qtbot: QtBot, home: dict[str, int]) -> Callable[[ComplaintDialog], None]:
    def fill(d: ComplaintDialog) -> None:
        # Friday 22 May 2026, before the Spring bank holiday on Monday 25th.
        d.received.set_value(date(2026, 5, 22))
        select_data(d.from_type, "Relative or representative")
        qtbot.keyClicks(d.from_ref, "Daughter of Rm 4")
        select_data(d.channel, "Phone")
        select_data(d.category, "Communication")
        select_data(d.severity, "Medium")
        qtbot.keyClicks(d.summary, "Not told about her mother's fall until the next morning.")
        select_data(d.handled_by, home["zoe"])

    return fill


def test_a_complaint_logged_through_the_dialog(
    qtbot: QtBot,
    tab: ComplaintsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _answer_with(monkeypatch, _fill_complaint(qtbot, home))
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    dialog = seen[0]
    # Tue 26, Wed 27, Thu 28 May; the 20th working day after is Monday 22 June.
    assert dialog.deadlines.text() == (
        "Acknowledge by Thu 28/05/2026, respond by Mon 22/06/2026 (3 and 20 working days)"
    )
    with db.reading() as s:
        saved = s.scalars(select(Complaint)).one()
        assert (saved.reference, saved.acknowledge_by, saved.respond_by) == (
            "CMP-2026-0001",
            date(2026, 5, 28),
            date(2026, 6, 22),
        )
        assert saved.handled_by_id == home["zoe"]
    # Six months on, nobody acknowledged it: the list says so, in red, and the themes count it.
    assert tab.model.rowCount() == 1
    state = tab.model.index(0, STATE_COL)
    assert state.data() == "Response overdue"
    assert state.data(BACKGROUND) == LATE
    assert "1 with an acknowledgement or response overdue" in tab.summary.text()
    assert tab.themes_table.verticalHeaderItem(0).text() == "Communication"
    assert tab.themes_note.text() == "1 complaint; most about communication (1). 0 compliments."

    # Opening it again to record the response.
    def answer(d: ComplaintDialog) -> None:
        assert d.windowTitle() == "Complaint CMP-2026-0001"
        d.acknowledged.set_value(date(2026, 5, 27))
        d.responded.set_value(date(2026, 6, 19))
        qtbot.keyClicks(d.outcome, "Apologised; the senior on shift now rings the family.")
        select_data(d.finding, "Upheld")

    _answer_with(monkeypatch, answer)
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    tab.open_current()
    assert tab.model.index(0, STATE_COL).data() == "Answered on time"
    assert tab.model.index(0, 6).data() == "Upheld"


def test_mistakes_are_shown_beside_the_fields(
    qtbot: QtBot, tab: ComplaintsTab, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(d: ComplaintDialog) -> None:
        d.received.set_value(date(2026, 11, 20))
        select_data(d.from_type, "Staff member")
        select_data(d.channel, "Email")
        select_data(d.category, "Other")
        select_data(d.severity, "Low")
        d.responded.set_value(date(2026, 11, 24))

    seen = _answer_with(monkeypatch, fill)
    tab.new_record()
    form = seen[0].form
    assert form.error_label("summary").text() == "Say in a sentence or two what was said."
    assert form.error_label("acknowledged_on").text() == (
        "Enter the date it was acknowledged (on or before the response)."
    )
    assert form.error_label("outcome").text() == "Say what the response told the complainant."
    assert seen[0].result() == 0
    with db.reading() as s:
        assert s.scalars(select(Complaint)).all() == []


def test_a_compliment_has_no_deadlines(
    qtbot: QtBot, tab: ComplaintsTab, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill(d: ComplaintDialog) -> None:
        assert d.windowTitle() == "New compliment" and d.deadlines.text() == ""
        assert not d.acknowledged.isVisibleTo(d) and d.learning.isVisibleTo(d)
        select_data(d.from_type, "Relative or representative")
        select_data(d.channel, "Card")
        select_data(d.category, "Activities")
        qtbot.keyClicks(d.summary, "Thank you for the birthday tea.")

    _answer_with(monkeypatch, fill)
    qtbot.mouseClick(tab.compliment_button, Qt.MouseButton.LeftButton)
    assert tab.model.index(0, 1).data() == "CPL-2026-0001"
    assert tab.model.index(0, STATE_COL).data() == "Compliment"
    assert tab.themes_note.text() == "No complaints in this period. 1 compliment."


def test_the_dashboard_lists_overdue_acknowledgements_and_responses(
    qtbot: QtBot, db: Database, home: dict[str, int]
) -> None:
    from cqc_desktop.services.records.complaints import ComplaintInput, record_complaint
    from cqc_desktop.ui.dashboard.tab import DashboardTab

    with db.unit_of_work() as s:
        for received in (date(2026, 11, 2), date(2026, 11, 24)):
            record_complaint(
                s,
                home["service"],
                ComplaintInput(
                    kind="Complaint",
                    received_on=received,
                    from_type="Person using the service",
                    from_ref="Rm 9",
                    channel="In person",
                    category="Food and drink",
                    summary="Tea is always cold.",
                    severity="Low",
                ),
                today=TODAY,
            )
    dashboard = DashboardTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(dashboard)
    # Received Monday 2 November: acknowledge by Thursday 5th (21 days ago); respond by Monday
    # 30th, not yet due. The one received on the 24th is acknowledged by Friday 27th.
    assert dashboard.due_tabs.tabText(3) == "Records overdue (1)"
    model = dashboard.records_overdue.model
    assert [model.index(0, c).data() for c in range(5)] == [
        "CMP-2026-0001",
        "Acknowledgement",
        "Complaint: Food and drink",
        "05/11/2026",
        "21 days overdue",
    ]


def test_raising_an_action_from_a_complaint(
    qtbot: QtBot, tab: ComplaintsTab, db: Database, home: dict[str, int], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from cqc_desktop.models import Action
    from cqc_desktop.ui.records.raise_action_dialog import RaiseFromRecordDialog

    raised: list[RaiseFromRecordDialog] = []

    def accept(d: RaiseFromRecordDialog) -> int:
        raised.append(d)
        assert d.title.text() == "Not told about her mother's fall until the next morning"
        assert d.lead.currentData() == home["zoe"]
        assert d.finding.currentText() == "New finding in “Complaints and feedback”"
        d.try_save()
        return int(d.result())

    monkeypatch.setattr(RaiseFromRecordDialog, "exec", accept)

    def fill_and_raise(d: ComplaintDialog) -> None:
        _fill_complaint(qtbot, home)(d)
        qtbot.mouseClick(d.raise_button, Qt.MouseButton.LeftButton)
        # The complaint was saved first; now it shows its new action.
        assert d.complaint_id is not None
        # The new plan's first action, with the plan's code ("COMP-A1 — …").
        assert d.action.currentText().split(" — ")[0].endswith("-A1")

    _answer_with(monkeypatch, fill_and_raise)
    tab.new_record()
    assert raised and raised[0].result() == 1
    with db.reading() as s:
        complaint = s.scalars(select(Complaint)).one()
        action = s.get(Action, complaint.action_id)
        assert action is not None
        assert action.title == "Not told about her mother's fall until the next morning"
        assert action.finding.plan.title == "Complaints and feedback"
    assert tab.model.index(0, 7).data().endswith("-A1")  # the plan code, then A1
