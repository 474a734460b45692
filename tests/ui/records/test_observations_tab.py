"""A "not met" practice observation linked to an action: evidence for the action, and an alert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, Finding, Observation, Person, Plan, Service
from cqc_desktop.models.enums import AlertKind
from cqc_desktop.services.plans.evidence import linked_observation_evidence
from cqc_desktop.services.records.logs import observation_prompts
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.records.observation_dialog import ObservationDialog
from cqc_desktop.ui.records.observations_tab import OUTCOME_BRUSH, OUTCOME_COL, ObservationsTab
from cqc_desktop.ui.widgets.forms import select_data
from cqc_desktop.ui.widgets.table_models import BACKGROUND

TODAY = date(2026, 11, 26)


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        service = Service(name="Willow Court")
        s.add(service)
        s.flush()
        gareth = Person(name="Gareth Llewellyn", role="Senior carer", service_id=service.id)
        chidi = Person(name="Chidi Okafor", role="Key worker", service_id=service.id)
        s.add_all([gareth, chidi])
        plan = Plan(service_id=service.id, title="Recovery plan", origin="CQC inspection")
        s.add(plan)
        s.flush()
        finding = Finding(
            plan_id=plan.id,
            title="Outdated communication guidance",
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
            title="Review high-risk care plans and check them against practice",
            accountable_lead_id=chidi.id,
            due_date=TODAY + timedelta(weeks=6),
            review_frequency="Weekly",
        )
        s.add(action)
        s.flush()
        return {"service": service.id, "gareth": gareth.id, "action": action.id}


@pytest.fixture
def tab(qtbot: QtBot, db: Database, home: dict[str, int]) -> ObservationsTab:
    widget = ObservationsTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _answer_with(
    monkeypatch: pytest.MonkeyPatch, fill: Callable[[ObservationDialog], None]
) -> list[ObservationDialog]:
    seen: list[ObservationDialog] = []

    def run(dialog: ObservationDialog) -> int:
        seen.append(dialog)
        fill(dialog)
        dialog.try_save()
        return int(dialog.result())

    monkeypatch.setattr(ObservationDialog, "exec", run)
    return seen


def _not_met(
    qtbot: QtBot, home: dict[str, int], *, follow_up: bool = True
) -> Callable[[ObservationDialog], None]:
    def fill(d: ObservationDialog) -> None:
        d.when.setDateTime(QDateTime(datetime(2026, 11, 25, 10, 30)))
        select_data(d.shift, "Early")
        select_data(d.observer, home["gareth"])
        qtbot.keyClicks(d.staff, "Bethan Hughes")
        select_data(d.area, "Communication")
        prompts = observation_prompts("Communication")
        select_data(d.prompt_combos[prompts[1]], "No")
        select_data(d.prompt_combos[prompts[0]], "Yes")
        d.outcome_buttons["Not met"].setChecked(True)
        d.seen.setPlainText("Hearing aids not in; picture cards not used at breakfast.")
        d.feedback.setPlainText("Talked through the updated communication plan straight after.")
        if follow_up:
            d.follow_up.setPlainText("Re-observe breakfast next week.")
            d.follow_up_due.set_value(date(2026, 12, 2))
        select_data(d.action, home["action"])

    return fill


def test_not_met_observation_linked_to_an_action_is_evidence_and_an_alert(
    qtbot: QtBot,
    tab: ObservationsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialogs = _answer_with(monkeypatch, _not_met(qtbot, home))
    tab.new_record()
    d = dialogs[0]
    assert d.result() == 1
    hints = [label.text() for label in d.findChildren(QLabel)]
    assert any("counts as evidence for the action" in text for text in hints)

    # The log shows it, in red, as evidence that does not support the change.
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, OUTCOME_COL).data() == "Not met"
    assert tab.model.index(0, OUTCOME_COL).data(BACKGROUND) == OUTCOME_BRUSH["Not met"]
    assert tab.model.index(0, 7).data() == "Evidence for A2 (does not support)"
    assert "1 not met (in red): its follow-up is due." in tab.summary.text()

    with db.unit_of_work() as s:
        observation = s.scalars(select(Observation)).one()
        assert observation.prompt_results == {
            observation_prompts("Communication")[0]: "Yes",
            observation_prompts("Communication")[1]: "No",
        }
        evidence = linked_observation_evidence(s, home["action"])
        assert [(e.source_type, e.supports, e.collected_on) for e in evidence] == [
            ("staff_observation", "No", date(2026, 11, 25))
        ]
        assert evidence[0].title == "Practice observation: Communication — not met"
        from cqc_desktop.services.plans import alerts

        alerts.scan(s, TODAY)
        from cqc_desktop.models import Alert

        raised = s.scalars(select(Alert).where(Alert.kind == AlertKind.NOT_MET.value)).all()
        assert len(raised) == 1 and raised[0].action_id == home["action"]


def test_not_met_needs_a_dated_follow_up(
    qtbot: QtBot,
    tab: ObservationsTab,
    db: Database,
    home: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialogs = _answer_with(monkeypatch, _not_met(qtbot, home, follow_up=False))
    monkeypatch.setattr(ObservationDialog, "reject", lambda self: None)
    tab.new_record()
    d = dialogs[0]
    assert d.result() == 0
    assert d.form.error_label("follow_up").text() == (
        "The outcome was not met: say what follow-up will happen."
    )
    assert d.form.error_label("follow_up_due").text() == "Enter the date the follow-up is due."
    with db.reading() as s:
        assert s.scalars(select(Observation)).all() == []


def test_changing_the_area_shows_its_prompts(
    qtbot: QtBot, db: Database, home: dict[str, int]
) -> None:
    dialog = ObservationDialog(None, AppContext(db, today=lambda: TODAY), home["service"], None)
    qtbot.addWidget(dialog)
    select_data(dialog.area, "Medicines round")
    assert list(dialog.prompt_combos) == observation_prompts("Medicines round")
    select_data(dialog.area, "Dignity and privacy")
    assert "Knocks and waits before entering the person's room" in dialog.prompt_combos
