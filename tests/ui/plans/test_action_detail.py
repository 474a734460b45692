"""Action detail pieces through the real widgets: override closure, measure points in place,
attachments, steps and the review dialog's choices."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cqc_desktop.db import Database
from cqc_desktop.models import ActionStep, MeasurePoint
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.plans.evidence import EvidenceInput, add_evidence
from cqc_desktop.services.plans.measure_data import MeasureInput, create_measure, record_point
from cqc_desktop.services.plans.spc import Variation
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.dashboard.tab import DashboardTab
from cqc_desktop.ui.plans.detail import (
    evidence as action_detail_evidence,
)
from cqc_desktop.ui.plans.detail import (
    measure as action_detail_measure,
)
from cqc_desktop.ui.plans.detail.panel import ActionDetail
from cqc_desktop.ui.plans.tab import PlansTab
from cqc_desktop.ui.widgets.forms import select_data
from cqc_desktop.ui.widgets.measure_chart import CONCERN, IMPROVEMENT

TODAY = date(2026, 11, 26)
MONDAY = TODAY - timedelta(days=TODAY.weekday())


@pytest.fixture
def seeded(db: Database, tmp_path: Path) -> dict[str, int]:
    ui_state.settings().clear()
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        tom = people.create_person(s, "Tom Reed", "Senior carer", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Mock inspection", "Mock inspection"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        action = actions.create_action(
            s,
            finding.id,
            ActionInput(
                "Protect the medicines round",
                zoe.id,
                TODAY + timedelta(days=30),
                steps=[StepInput("Revise allocation", zoe.id), StepInput("Observe rounds", tom.id)],
            ),
            today=TODAY - timedelta(days=3),
        )
        measure = create_measure(
            s, action.id, MeasureInput("Late entries per week", "lower", 10, "absolute", 3)
        )
        values = [9, 10, 9, 10, 9, 10, 9, 10, 2]  # steady, then a drop below the limits
        for i, value in enumerate(values):
            record_point(s, measure.id, MONDAY - timedelta(weeks=len(values) - 1 - i), value)
        derived = s.scalars(
            select(MeasurePoint).where(MeasurePoint.measure_id == measure.id)
        ).first()
        assert derived is not None
        derived.derived = True  # the oldest point came from tracker rows
        file = tmp_path / "round.txt"
        file.write_text("observed")
        add_evidence(
            s,
            action.id,
            EvidenceInput("Round observed", "staff_observation", TODAY - timedelta(days=1)),
            files=[file],
            attachments_dir=db.location.attachments_dir,
        )
        return {"action": action.id, "measure": measure.id, "zoe": zoe.id, "tom": tom.id}


@pytest.fixture
def ctx(db: Database) -> AppContext:
    return AppContext(db, today=lambda: TODAY)


@pytest.fixture
def detail(qtbot: QtBot, ctx: AppContext, seeded: dict[str, int]) -> ActionDetail:
    widget = ActionDetail(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 720)
    widget.show()
    widget.show_action(seeded["action"])
    return widget


def test_override_close_is_flagged_everywhere(
    qtbot: QtBot, ctx: AppContext, detail: ActionDetail, seeded: dict[str, int]
) -> None:
    tab = PlansTab(ctx)
    dash = DashboardTab(ctx)
    qtbot.addWidget(tab)
    qtbot.addWidget(dash)
    gate = detail.closure
    assert not gate.close_button.isEnabled()
    dialog = gate.open_override_dialog()
    assert "All steps done" in dialog.explanation.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.form.error_label("reason").text().startswith("Write the reason")
    select_data(dialog.person, seeded["zoe"])
    qtbot.keyClicks(dialog.reason, "Home closing the unit; monitored under the new provider plan.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert detail.flag_label.isVisibleTo(detail)
    assert "Closed without full evidence" in detail.flag_label.text()
    assert "Closed without full evidence" in gate.state_label.text()
    assert detail.tabs.tabText(5) == "Closure gate ⚑"
    row = tab.model.row_for_id(seeded["action"])
    assert tab.model.index(row, 6).data() == "Closed ⚑"
    assert dash.cards["override"].value.text() == "1"
    assert detail.reviews.table.item(0, 5).text().startswith("Home closing the unit")


def test_close_needs_a_manager(qtbot: QtBot, detail: ActionDetail, seeded: dict[str, int]) -> None:
    gate = detail.closure
    managers = [gate.manager.itemData(i) for i in range(1, gate.manager.count())]
    assert managers == [seeded["zoe"]]  # the senior carer cannot sign off


def test_chart_colours_special_causes(detail: ActionDetail) -> None:
    chart = detail.measure.chart
    assert chart.data is not None
    last = chart.data.points[-1]
    assert last.variation is Variation.IMPROVEMENT
    series = {s.name(): s for s in chart.chart.series()}
    assert series["Improvement"].color() == IMPROVEMENT
    assert "Improvement" in series and "Target" in series and "Mean" in series
    concerns = [p for p in chart.data.points if p.variation is Variation.CONCERN]
    assert ("Special cause: concern" in chart.legend.text()) == bool(concerns)
    if concerns:
        assert series["Concern"].color() == CONCERN
        assert series["Concern"].count() == len(concerns)
    # The icon says so (shape, letter and colour); the sentence says it in plain words.
    assert chart.variation_icon.spec is not None
    assert chart.variation_icon.spec.letter == "L" and chart.variation_icon.spec.colour == "#1f6fb4"
    assert chart.headline.text().endswith(
        "The latest point is unusual and better than before: outside the range it usually "
        "varies within."
    )


def test_measure_point_edited_in_place(
    qtbot: QtBot, ctx: AppContext, detail: ActionDetail, db: Database
) -> None:
    panel = detail.measure
    newest = panel.table.item(0, action_detail_measure.COL_VALUE)
    assert newest.text() == "2"
    assert newest.flags() & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(ctx.sig_data_changed):
        newest.setText("4")
    with db.reading() as s:
        point = s.scalars(select(MeasurePoint).order_by(MeasurePoint.period_start.desc())).first()
        assert point is not None and point.value == 4
    assert panel.table.item(0, action_detail_measure.COL_VALUE).text() == "4"
    # The derived (oldest) point is shown but cannot be typed over.
    oldest = panel.table.item(panel.table.rowCount() - 1, action_detail_measure.COL_VALUE)
    assert not oldest.flags() & Qt.ItemFlag.ItemIsEditable
    assert "tracker records" in oldest.toolTip()


def test_measure_point_typo_is_refused(qtbot: QtBot, detail: ActionDetail, db: Database) -> None:
    panel = detail.measure
    item = panel.table.item(0, action_detail_measure.COL_VALUE)
    item.setText("lots")
    qtbot.waitUntil(lambda: bool(panel.point_error.text()))
    assert "must be a number" in panel.point_error.text()
    assert panel.table.item(0, action_detail_measure.COL_VALUE).text() == "2"


def test_delete_point(
    qtbot: QtBot, detail: ActionDetail, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_detail_measure, "ask_reason", lambda *_a: "Typed twice")
    panel = detail.measure
    panel.table.selectRow(0)
    panel.delete_selected_point()
    assert panel.table.rowCount() == 8
    panel.table.selectRow(panel.table.rowCount() - 1)  # the derived one
    panel.delete_selected_point()
    assert "tracker records" in panel.point_error.text()
    assert panel.table.rowCount() == 8


def test_attachment_opens_with_the_system_viewer(
    detail: ActionDetail, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(action_detail_evidence, "open_file", lambda p: opened.append(p) or True)
    panel = detail.evidence
    panel.table.selectRow(0)
    panel.open_attachment()
    assert len(opened) == 1
    assert opened[0].parent.parent == db.location.attachments_dir
    assert opened[0].read_text() == "observed"
    opened[0].unlink()
    panel.open_attachment()
    assert "missing from the attachments folder" in panel.error.text()


def test_evidence_dialog_errors_beside_fields(qtbot: QtBot, detail: ActionDetail) -> None:
    dialog = detail.open_evidence_dialog()
    dialog.collected_on.set_value(TODAY + timedelta(days=2))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.form.error_label("title").text() == "Give the evidence a short title."
    assert dialog.form.error_label("source_type").text() == "Choose the source type from the list."
    assert "future" in dialog.form.error_label("collected_on").text()
    assert detail.evidence.table.rowCount() == 1
    # Linking to a record lists that kind of record.
    select_data(dialog.link_kind, "incident")
    assert dialog.link_record.itemText(0) == "(none recorded at this home)"


def test_steps_ticked_and_unticked(
    qtbot: QtBot, ctx: AppContext, detail: ActionDetail, db: Database
) -> None:
    steps = detail.steps
    with qtbot.waitSignal(ctx.sig_data_changed):
        steps.item_for(1).setCheckState(0, Qt.CheckState.Checked)
    assert "1 of 2" in steps.progress.text()
    assert detail.tabs.tabText(1) == "Steps (1/2)"
    with qtbot.waitSignal(ctx.sig_data_changed):
        steps.item_for(1).setCheckState(0, Qt.CheckState.Unchecked)
    with db.reading() as s:
        assert all(step.done_on is None for step in s.scalars(select(ActionStep)))
    assert "0 of 2" in steps.progress.text()


def test_review_dialog_offers_reopen_only_when_closed(
    detail: ActionDetail, db: Database, seeded: dict[str, int]
) -> None:
    dialog = detail.open_review_dialog()
    choices = [dialog.decision.itemData(i) for i in range(dialog.decision.count())]
    assert choices == ["Continue", "Change controls", "Escalate", "Close"]
    assert dialog.reviewer.currentData() == seeded["zoe"]  # the lead, pre-chosen
    dialog.mark_clean()
    dialog.reject()
    with db.unit_of_work() as s:
        action = actions.get_action(s, seeded["action"])
        lead = people.get_person(s, seeded["zoe"])
        actions.close_with_override(s, action, signed_off_by=lead, reason="Test", today=TODAY)
    detail.ctx.sig_data_changed.emit("action")
    dialog = detail.open_review_dialog()
    choices = [dialog.decision.itemData(i) for i in range(dialog.decision.count())]
    assert choices == ["Continue", "Reopen"]
    assert not detail.closure.close_button.isVisibleTo(detail.closure)


def test_quotes_and_markup_in_an_action_read_as_typed(
    db: Database, ctx: AppContext, qtbot: QtBot, seeded: dict[str, int]
) -> None:
    from PySide6.QtGui import QTextDocument

    from cqc_desktop.models import Action

    typed = "Repeated 'busy shift' & <b>agency</b> cover"
    with db.unit_of_work() as s:
        action = s.get(Action, seeded["action"])
        assert action is not None
        action.title = typed
        action.escalation_route = typed
    widget = ActionDetail(ctx)
    qtbot.addWidget(widget)
    widget.show_action(seeded["action"])
    assert widget.title_label.textFormat() == Qt.TextFormat.PlainText
    assert widget.title_label.text().endswith(typed)
    shown = QTextDocument()
    shown.setHtml(widget.overview.fields["escalation"].text())
    assert shown.toPlainText() == typed
    assert widget.overview.fields["escalation"].textFormat() == Qt.TextFormat.RichText


def test_sign_off_choices_follow_the_homes_managers_and_keep_the_choice(
    qtbot: QtBot, detail: ActionDetail, db: Database, seeded: dict[str, int]
) -> None:
    gate = detail.closure
    select_data(gate.manager, seeded["zoe"])
    detail.reload()  # the same managers: the choice stays
    assert gate.manager.currentData() == seeded["zoe"]
    assert [gate.manager.itemData(i) for i in range(gate.manager.count())] == [
        None,
        seeded["zoe"],
    ]
    with db.unit_of_work() as s:
        home = people.get_person(s, seeded["zoe"]).service_id
        ada = people.create_person(s, "Ada Quinn", "Deputy manager", service_id=home).id
    detail.ctx.sig_data_changed.emit("*")  # a new manager is offered, the choice still kept
    assert [gate.manager.itemData(i) for i in range(gate.manager.count())] == [
        None,
        ada,
        seeded["zoe"],
    ]
    assert gate.manager.currentData() == seeded["zoe"]
