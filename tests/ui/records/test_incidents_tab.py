"""Logging and reviewing incidents inside and outside 7 days, and sharing the learning at handover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    Evidence,
    Finding,
    HandoverRecord,
    Incident,
    Person,
    Plan,
    Service,
)
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records import incident_list, incidents_tab
from cqc_desktop.ui.records.handover_dialog import HandoverDialog
from cqc_desktop.ui.records.incident_dialog import IncidentDialog
from cqc_desktop.ui.records.incidents_tab import IncidentsTab
from cqc_desktop.ui.widgets.forms import select_data
from cqc_desktop.ui.widgets.table_models import BACKGROUND

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        renee = Person(name="Renée Clarke", role="Duty manager", service_id=service.id)
        kwame = Person(name="Kwame Mensah", role="Team leader", service_id=service.id)
        bethan = Person(name="Bethan Hughes", role="Care assistant", service_id=service.id)
        s.add_all([renee, kwame, bethan])
        plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
        s.add(plan)
        s.flush()
        finding = Finding(
            plan_id=plan.id,
            title="Incident learning not shared",
            key_question="Safe",
            risk_area="Safety",
            likelihood=3,
            impact=4,
            score=12,
            rag="Amber",
        )
        s.add(finding)
        s.flush()
        action = Action(
            finding_id=finding.id,
            reference="A3",
            title="Share and check incident learning within 7 days",
            accountable_lead_id=renee.id,
            due_date=TODAY + timedelta(weeks=6),
            review_frequency="Weekly",
        )
        s.add(action)
        s.flush()
        return {"service": service.id, "renee": renee.id, "kwame": kwame.id, "action": action.id}


@pytest.fixture
def tab(qtbot: QtBot, db: Database, home: dict[str, int]) -> IncidentsTab:
    widget = IncidentsTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _answer_with(
    monkeypatch: pytest.MonkeyPatch, fill: Callable[[IncidentDialog], None]
) -> list[IncidentDialog]:
    """Stand in for the person at the dialog: fill it in, press Save, and report what happened."""
    seen: list[IncidentDialog] = []

    def run(dialog: IncidentDialog) -> int:
        seen.append(dialog)
        fill(dialog)
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(IncidentDialog, "exec", run)
    return seen


def _details(
    qtbot: QtBot, d: IncidentDialog, when: datetime, person: str, kind: str = "Fall"
) -> None:
    d.occurred_on.set_value(when.date())
    d.occurred_time.setTime(QTime(when.hour, when.minute))
    select_data(d.incident_type, kind)
    select_data(d.severity, "Low harm")
    qtbot.keyClicks(d.person_ref, person)
    qtbot.keyClicks(d.location, "Lounge")
    d.description.setPlainText("Found on the floor by the armchair; no injury seen.")
    d.immediate_action.setPlainText("Checked for injury, observations taken, GP informed.")


def _review(
    d: IncidentDialog, reviewer: int, on: date, learning: str, done: date | None = None
) -> None:
    select_data(d.reviewer, reviewer)
    d.reviewed_on.set_value(on)
    d.immediate_controls.setPlainText("Sensor mat fitted and checked each shift.")
    d.family.setChecked(True)
    d.family_on.set_value(on)
    d.learning.setPlainText(learning)
    if done is not None:
        d.completed_on.set_value(done)
        d.closure_evidence.setPlainText("Mat checks audited for a week: on every shift.")


def _incidents(db: Database) -> dict[str, Incident]:
    with db.reading() as s:
        rows = list(s.scalars(select(Incident).order_by(Incident.id)))
        for row in rows:
            s.expunge(row)
    return {i.reference: i for i in rows}


def test_log_and_review_inside_and_outside_seven_days_then_share_at_handover(
    qtbot: QtBot,
    tab: IncidentsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Logged by the duty manager and reviewed the same day; actions done the next day.
    _answer_with(
        monkeypatch,
        lambda d: (
            _details(qtbot, d, datetime(2026, 11, 24, 21, 40), "Rm 12"),
            _review(
                d,
                home["renee"],
                date(2026, 11, 24),
                "Check sensor mats at every handover",
                date(2026, 11, 25),
            ),
        ),
    )
    tab.new_record()
    # Sixteen days ago: reviewed, but the actions were only done ten days after the incident.
    _answer_with(
        monkeypatch,
        lambda d: (
            _details(qtbot, d, datetime(2026, 11, 10, 14, 0), "Rm 4", "Medication"),
            _review(
                d,
                home["renee"],
                date(2026, 11, 12),
                "Count tablets at handover",
                date(2026, 11, 20),
            ),
        ),
    )
    tab.new_record()
    incidents = _incidents(db)
    assert set(incidents) == {"INC-2026-0001", "INC-2026-0002"}
    assert incidents["INC-2026-0001"].learning_met is True
    assert incidents["INC-2026-0002"].learning_met is False

    view = tab.list
    texts = {
        view.model.row_at(r).reference: view.model.index(r, view._learning_col).data()
        for r in range(view.model.rowCount())
    }
    assert texts == {
        "INC-2026-0001": "Met in 1 day",
        "INC-2026-0002": "Late (actions done after 7 days)",
    }
    late_row = next(r for r in range(2) if view.model.row_at(r).reference == "INC-2026-0002")
    assert view.model.index(late_row, view._learning_col).data(BACKGROUND) == incident_list.LATE
    assert "1 with 7-day learning late (in red)" in tab.summary.text()

    select_data(tab.state, "late")
    assert [view.model.row_at(r).reference for r in range(view.model.rowCount())] == [
        "INC-2026-0002"
    ]
    select_data(tab.state, "")

    # The team leader shares the first incident's learning at tonight's handover.
    view.select(incidents["INC-2026-0001"].id)

    def handover(dialog: HandoverDialog) -> int:
        select_data(dialog.shift, "Night")
        select_data(dialog.lead, home["kwame"])
        for n in range(dialog.staff.count()):
            if dialog.staff.item(n).text() in ("Bethan Hughes", "Kwame Mensah"):
                dialog.staff.item(n).setCheckState(dialog.staff.item(n).checkState().Checked)
        qtbot.keyClicks(dialog.others, "Agency: J. Obi")
        dialog.understood.setChecked(True)
        assert dialog.ticked_incidents() == [incidents["INC-2026-0001"].id]
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(HandoverDialog, "exec", handover)
    tab.share_at_handover()
    with db.reading() as s:
        record = s.scalars(select(HandoverRecord)).one()
        assert record.staff_present == "Bethan Hughes, Kwame Mensah, Agency: J. Obi"
        assert "INC-2026-0001: Check sensor mats at every handover" in record.learning_points
        assert record.understanding_checked
        shared = s.get(Incident, incidents["INC-2026-0001"].id)
        assert shared is not None and shared.handover_id == record.id
    row = next(r for r in range(2) if view.model.row_at(r).reference == "INC-2026-0001")
    assert view.model.row_at(row).handover_date == TODAY


def test_late_review_with_no_review_at_all_and_the_reasons_shown(
    qtbot: QtBot,
    tab: IncidentsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answer_with(monkeypatch, lambda d: _details(qtbot, d, datetime(2026, 11, 12, 9, 0), "Rm 7"))
    tab.new_record()
    _answer_with(monkeypatch, lambda d: _details(qtbot, d, datetime(2026, 11, 23, 9, 0), "Rm 8"))
    tab.new_record()
    view = tab.list
    texts = sorted(view.model.index(r, view._learning_col).data() for r in range(2))
    assert texts == ["Due 30/11/2026", "Late (no review)"]

    # Reviewing the late one now does not make it on time: the 7 days have passed.
    late = _incidents(db)["INC-2026-0001"]
    dialogs = _answer_with(
        monkeypatch, lambda d: _review(d, home["renee"], TODAY, "Walk frame within reach", TODAY)
    )
    tab.open_incident(late.id)
    assert dialogs[0].result() == 1
    assert _incidents(db)["INC-2026-0001"].learning_met is False
    assert "Late (actions done after 7 days)" in texts_of(tab)


def texts_of(tab: IncidentsTab) -> list[str]:
    view = tab.list
    return [view.model.index(r, view._learning_col).data() for r in range(view.model.rowCount())]


def test_mistakes_are_shown_beside_the_field_and_nothing_is_saved(
    qtbot: QtBot,
    tab: IncidentsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fill(d: IncidentDialog) -> None:
        _details(qtbot, d, datetime(2026, 11, 25, 9, 0), "Margaret Ellis")
        select_data(d.reviewer, home["renee"])
        d.reviewed_on.set_value(date(2026, 11, 24))  # before the incident

    dialogs = _answer_with(monkeypatch, fill)
    monkeypatch.setattr(IncidentDialog, "reject", lambda self: None)
    tab.new_record()
    d = dialogs[0]
    assert d.result() == 0
    assert "not their full name" in d.details.error_label("person_ref").text()
    assert d.pages.currentIndex() == 0 and _incidents(db) == {}
    # Put the person right: now the review date is the problem, on the review page.
    d.person_ref.setText("ME")
    d.try_save()
    assert d.result() == 0
    assert d.details.error_label("person_ref").text() == ""
    assert d.review.error_label("reviewed_on").text() == (
        "The review cannot be before the incident (25/11/2026)."
    )
    assert d.pages.currentIndex() == 1
    assert _incidents(db) == {}


def test_an_incident_becomes_evidence_for_an_action(
    qtbot: QtBot,
    tab: IncidentsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answer_with(
        monkeypatch,
        lambda d: (
            _details(qtbot, d, datetime(2026, 11, 20, 9, 0), "Rm 3"),
            _review(d, home["renee"], date(2026, 11, 20), "Hip protectors on", date(2026, 11, 21)),
        ),
    )
    tab.new_record()
    tab.list.select(_incidents(db)["INC-2026-0001"].id)
    answers = iter([("A3 — Share and check incident learning within 7 days", True), ("Yes", True)])
    monkeypatch.setattr(incidents_tab.QInputDialog, "getItem", lambda *_a, **_k: next(answers))
    tab.add_as_evidence()
    with db.reading() as s:
        evidence = s.scalars(select(Evidence)).one()
        assert (evidence.action_id, evidence.source_type) == (home["action"], "incident_review")
        assert evidence.incident_id == _incidents(db)["INC-2026-0001"].id
        assert "Learning: Hip protectors on" in evidence.description
        assert s.get(Action, home["action"]) is not None


def test_refresh_keeps_the_home_picker_until_the_homes_change(
    tab: IncidentsTab, db: Database, home: dict[str, int]
) -> None:
    # One home: the picker shows just it, and "New incident" is available there.
    assert [tab.home.itemText(i) for i in range(tab.home.count())] == ["Willow Court"]
    assert tab.new_button.isEnabled()
    tab.ctx.sig_data_changed.emit("*")
    assert [tab.home.itemText(i) for i in range(tab.home.count())] == ["Willow Court"]
    assert tab.summary.text() == (
        "0 incidents shown. No incidents here yet: New incident… (Ctrl+N) adds the first."
    )
    # A second home opens: a refresh offers it and "all care homes", and keeps Willow Court chosen.
    with db.unit_of_work() as s:
        s.add(Service(name="Alder House"))
    tab.ctx.sig_data_changed.emit("service")
    assert [tab.home.itemText(i) for i in range(tab.home.count())] == [
        "All care homes",
        "Alder House",
        "Willow Court",
    ]
    assert tab.service_id() == home["service"]
    # At all homes there is no one home to log an incident at; the other buttons stay usable.
    tab.home.setCurrentIndex(0)
    assert not tab.new_button.isEnabled()
    assert "Choose a care home" in tab.new_button.toolTip()  # it says why, and what to do
    assert "choose a care home, then New incident…" in tab.summary.text()
    assert tab.share_button.isEnabled()
    tab.ctx.sig_data_changed.emit("*")
    assert tab.service_id() is None
    assert not tab.new_button.isEnabled()


def test_duty_of_candour_recorded_and_late_notifications_flagged(
    qtbot: QtBot,
    tab: IncidentsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cqc_desktop.ui.dashboard.tab import DashboardTab
    from cqc_desktop.ui.records.incident_dialog import CANDOUR

    def fill(d: IncidentDialog) -> None:
        # Monday 16 November, 21:30: a fall with severe harm.
        _details(qtbot, d, datetime(2026, 11, 16, 21, 30), "Rm 4")
        select_data(d.severity, "Severe harm")
        _review(d, home["renee"], date(2026, 11, 17), "Sensor mats are checked each shift.")
        select_data(d.cqc, "Reg 18 (other incident)")
        d.cqc_on.set_value(date(2026, 11, 19))  # due by the 17th: late
        d.pages.setCurrentIndex(CANDOUR)
        page = d.candour
        assert page.decision_note.text().startswith("This incident is recorded as moderate harm")
        page.answers["Yes"].setChecked(True)
        page.told_on.set_value(date(2026, 11, 17))
        qtbot.keyClicks(page.told_who, "Daughter (next of kin)")
        select_data(page.told_by, home["renee"])
        select_data(page.method, "In person")
        page.apology.setPlainText("Sorry that your mother fell and was hurt in our care.")
        select_data(page.medical, "NHS 111")
        page.medical_set.setChecked(True)
        page.refresh()
        lines = page.checks.text()
        assert "✘ CQC notification: serious injury, abuse, police or DoLS (Reg 18): made " in lines
        assert "late (due by 17/11/2026)" in lines
        # 10 working days from Monday 16 November: Monday 30th.
        assert "✔ Duty of candour: tell the person and apologise (Reg 20): made 17/11/2026" in lines
        assert "• Duty of candour: written follow-up (Reg 20): due by 30/11/2026" in lines

    _answer_with(monkeypatch, fill)
    tab.new_record()
    saved = next(iter(_incidents(db).values()))
    assert saved.notifiable_safety_incident == "Yes"
    assert (saved.candour_told_on, saved.candour_method) == (date(2026, 11, 17), "In person")
    assert saved.medical_contact == "NHS 111" and saved.medical_contact_at is not None
    # On 1 December the letter is overdue, and the dashboard says so.
    dashboard = DashboardTab(AppContext(db, today=lambda: date(2026, 12, 1)))
    qtbot.addWidget(dashboard)
    assert dashboard.due_tabs.tabText(3) == "Records overdue (1)"
    model = dashboard.records_overdue.model
    assert [model.index(0, c).data() for c in range(5)] == [
        saved.reference,
        "Notification",
        "Duty of candour: written follow-up (Reg 20)",
        "30/11/2026",
        "1 day overdue",
    ]
