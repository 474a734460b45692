"""Scenario 1 (late medicines administration) walked through the real widgets, from a database
with only the care home and its staff: plan → finding → action → reviews → evidence → measure →
closure gate → close → reopen."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import Action, Attachment, Plan, Review
from cqc_desktop.services.plans.evidence import sha256_of
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.plans.detail.panel import TAB_CLOSURE, TAB_MEASURE
from cqc_desktop.ui.plans.tab import PlansTab
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)  # a Thursday
MONDAY = TODAY - timedelta(days=TODAY.weekday())


@pytest.fixture
def staff(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        ids = {"home": home.id}
        for key, name, role in (
            ("manager", "Zoë Hart", "Registered manager"),
            ("deputy", "Łukasz Nowak", "Deputy manager"),
            ("senior", "Amira Khan", "Evening senior"),
            ("meds", "Fatima Begum", "Medicines lead"),
            ("provider", "Marcus Whitfield", "Provider governance lead"),
        ):
            ids[key] = people.create_person(s, name, role, service_id=home.id).id
    return ids


def _save(qtbot: QtBot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _count(db: Database, model: type) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_scenario_one_through_the_widgets(
    qtbot: QtBot, db: Database, staff: dict[str, int], tmp_path: Path
) -> None:
    ui_state.settings().clear()  # no remembered selection from another test
    ctx = AppContext(db, today=lambda: TODAY)
    tab = PlansTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    assert tab.count_label.text() == "0 actions"

    # --- the plan ---------------------------------------------------------------------------
    dialog = tab.new_record()  # "All plans" is selected: Ctrl+N makes a plan
    qtbot.keyClicks(dialog.title_edit, "CQC inspection September 2026")
    dialog.report_date.set_value(TODAY - timedelta(days=84))
    assert dialog.due_label.text().startswith("Action plan due to CQC by 01/10/2026")
    select_data(dialog.rating, "Requires improvement")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    assert tab.tree.current_node()[0] == "plan"

    # --- the finding ------------------------------------------------------------------------
    dialog = tab.new_record()  # a plan is selected: Ctrl+N makes a finding
    qtbot.keyClicks(dialog.title_edit, "Evening medicines repeatedly given late")
    select_data(dialog.key_question, "Safe")
    select_data(dialog.risk_area, "Medicines")
    dialog.likelihood.setValue(4)
    dialog.impact.setValue(4)
    assert "Score 16 of 25: high risk (Red)" in dialog.score_label.text()
    assert "reviewed weekly" in dialog.score_label.text()
    dialog.set_statements(["S8"])
    select_data(dialog.regulation, "12")
    dialog.root_cause.setPlainText("Handover runs late and nobody is allocated to medicines.")
    dialog.immediate_control.setPlainText("Manager checks the evening round every day.")
    _save(qtbot, dialog)
    assert tab.tree.current_node()[0] == "finding"

    # --- the action, first without a lead ---------------------------------------------------
    dialog = tab.new_record()  # a finding is selected: Ctrl+N makes an action
    assert dialog.frequency.currentData() == "Weekly"
    assert "suggested" in dialog.frequency.currentText()
    qtbot.keyClicks(dialog.title_edit, "Stop late evening medicines administration")
    for text, owner, recorded in (
        ("Review 4 weeks of MAR records", "deputy", "Medicines improvement tracker"),
        ("Observe two evening rounds", "senior", "Daily governance log"),
        ("Revise the allocation sheet", "manager", "Rota notes"),
        ("Daily checks for two weeks", "meds", "Medication audit template"),
        ("Weekly trend review against baseline", "provider", "Monthly QA report"),
    ):
        row = dialog.steps.add_step()
        qtbot.keyClicks(row.description, text)
        select_data(row.owner, staff[owner])
        row.recorded_in.setCurrentText(recorded)
    _save(qtbot, dialog)
    lead_error = dialog.forms[0].error_label("accountable_lead")
    assert dialog.isVisible()
    assert not lead_error.isHidden()
    assert "accountable lead" in lead_error.text()
    assert _count(db, Action) == 0

    select_data(dialog.lead, staff["manager"])
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    assert _count(db, Action) == 1
    assert tab.model.rowCount() == 1
    detail = tab.detail
    assert detail.title_label.text() == "CQC-A1 Stop late evening medicines administration"
    assert detail.steps.tree.topLevelItemCount() == 5
    assert "Next review 03/12/2026" in detail.meta_label.text()

    # --- the gate before anything is done ---------------------------------------------------
    detail.tabs.setCurrentIndex(TAB_CLOSURE)
    gate = detail.closure
    assert not gate.close_button.isEnabled()
    unmet = gate.unmet_labels()
    for label in (
        "All steps done",
        "Includes a practice observation",
        "Includes feedback from people, relatives or staff",
        "Ongoing-oversight plan written",
    ):
        assert label in unmet
    assert any(u.startswith("Measure consistently passing its target") for u in unmet)

    # --- reviews ----------------------------------------------------------------------------
    review = detail.open_review_dialog()
    review.review_date.set_value(TODAY - timedelta(days=21))
    qtbot.keyClicks(review.progress, "MAR review started; two late rounds found")
    select_data(review.rag, "Red")
    _save(qtbot, review)
    review = detail.open_review_dialog()
    qtbot.keyClicks(review.progress, "Allocation sheet revised")
    select_data(review.rag, "Amber")
    _save(qtbot, review)
    assert detail.reviews.table.rowCount() == 2
    assert detail.reviews.table.item(0, 4).text() == "Continue"
    assert "Next review 03/12/2026" in detail.meta_label.text()

    # A "Close" review is refused by the gate, listing the unmet conditions; nothing is saved.
    review = detail.open_review_dialog()
    qtbot.keyClicks(review.progress, "Looks better")
    select_data(review.decision, "Close")
    _save(qtbot, review)
    assert review.isVisible()
    decision_error = review.form.error_label("decision")
    assert "cannot close yet" in decision_error.text()
    assert "All steps done" in decision_error.text()
    assert _count(db, Review) == 2
    review.mark_clean()
    review.reject()

    # --- evidence (one with an attached file) -------------------------------------------
    attachment = tmp_path / "evening round observation.pdf"
    attachment.write_bytes(b"%PDF-1.4 observed round, on time")
    for title, source, supports in (
        ("Evening round observed, on time", "staff_observation", "Yes"),
        ("Residents say tablets now come on time", "peoples_feedback", "Yes"),
        ("Medication audit: no late entries", "audit", "Partly"),
    ):
        dialog = detail.open_evidence_dialog()
        qtbot.keyClicks(dialog.title_edit, title)
        select_data(dialog.source, source)
        dialog.set_supports(supports)
        dialog.collected_on.set_value(TODAY - timedelta(days=3))
        select_data(dialog.tested_by, staff["manager"])
        dialog.tested_on.set_value(TODAY - timedelta(days=2))
        if source == "staff_observation":
            assert dialog.category.text() == "CQC evidence category: Observation"
            dialog.add_files([str(attachment)])
        _save(qtbot, dialog)
        assert not dialog.isVisible()
    assert detail.evidence.table.rowCount() == 3
    with db.reading() as s:
        stored = s.scalars(select(Attachment)).one()
        copy = db.location.attachments_dir / stored.stored_name
        assert copy.is_file() and stored.sha256 == sha256_of(attachment)
    strands = {
        key: labels[0].accessibleName()
        for key, labels in detail.evidence.triangulation.rows.items()
    }
    assert strands["management oversight"].endswith("Supports")
    assert strands["staff accounts"].endswith("No evidence")

    # --- the measure and its points ---------------------------------------------------------
    detail.tabs.setCurrentIndex(TAB_MEASURE)  # the tab loads when shown (and as points are added)
    panel = detail.measure
    dialog = panel.open_measure_dialog(None)
    qtbot.keyClicks(dialog.name, "Late medicines entries per week")
    qtbot.keyClicks(dialog.baseline, "15")
    select_data(dialog.target_kind, "relative")
    qtbot.keyClicks(dialog.target, "-80")
    assert dialog.target_note.text() == "The measure reaches its target at 3."
    _save(qtbot, dialog)
    assert panel.measure_id is not None
    # Six weeks as it was, then seven after the protected round started.
    values = [15, 14, 16, 15, 14, 15, 2, 1, 1, 1, 2, 1, 1]
    for weeks_ago, value in zip(range(12, -1, -1), values, strict=True):
        panel.new_period.set_value(MONDAY - timedelta(weeks=weeks_ago))
        qtbot.keyClicks(panel.new_value, str(value))
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 13
    assert [p.value for p in panel.chart.data.points] == values
    assert panel.chart.data.target == 3
    assert "Target 3" in panel.chart.legend.text()
    # One set of limits over before and after: the improvement reads as hit and miss.
    assert "sometimes meet the target and sometimes miss it" in panel.chart.headline.text()
    # A typo is refused beside the field, not saved.
    qtbot.keyClicks(panel.new_value, "two")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert "number" in panel.point_error.text()
    assert panel.table.rowCount() == 13

    # --- the date the change was made: limits worked out again from there --------------------
    change = panel.open_change_dialog()
    assert change is not None
    change.changed_on.set_value(MONDAY - timedelta(weeks=6))
    qtbot.keyClicks(change.reason, "Protected medicines round started")
    _save(qtbot, change)
    assert panel.chart.headline.text().startswith(
        "Late medicines entries per week fell from about 15 to about 1.3 after the change on "
        f"{MONDAY - timedelta(weeks=6):%d/%m/%Y} and has stayed at or below the target of 3 for "
        "7 weeks."
    )
    assert panel.chart.assurance_icon.spec is not None
    assert panel.chart.assurance_icon.spec.letter == "P"

    # --- steps ticked off -------------------------------------------------------------------
    for row in range(5):
        item = detail.steps.item_for(row)
        with qtbot.waitSignal(ctx.sig_data_changed):
            item.setCheckState(0, Qt.CheckState.Checked)
    assert "5 of 5" in detail.steps.progress.text()
    assert detail.steps.item_for(0).text(4) == "26/11/2026"

    # --- the oversight plan, added by editing the action -------------------------------------
    edit = detail.open_edit_dialog()
    assert edit.lead.currentData() == staff["manager"]
    assert len(edit.steps.rows) == 5
    edit.oversight.setPlainText(
        "Medicines lead checks the evening MAR weekly; provider lead reviews the trend monthly."
    )
    _save(qtbot, edit)
    assert not edit.isVisible()

    # --- the gate is met: Close needs only a manager and a rationale -------------------------
    assert gate.unmet_labels() == ["Signed off by a manager with a rationale"]
    assert not gate.close_button.isEnabled()
    select_data(gate.manager, staff["manager"])
    assert not gate.close_button.isEnabled()
    qtbot.keyClicks(gate.rationale, "Late entries at or below 3 for seven weeks; seen in practice.")
    assert gate.close_button.isEnabled()
    qtbot.mouseClick(gate.close_button, Qt.MouseButton.LeftButton)
    with db.reading() as s:
        action = s.scalars(select(Action)).one()
        assert action.status == "Closed" and not action.closed_with_override
        assert action.closed_by_id == staff["manager"]
    assert detail.reviews.table.item(0, 4).text() == "Close"
    assert "Closed as sustained" in gate.state_label.text()
    assert gate.reopen_button.isVisibleTo(gate)
    assert tab.model.index(0, 6).data() == "Closed"

    # --- reopened when performance slips ---------------------------------------------------
    dialog = gate.open_reopen_dialog()
    select_data(dialog.person, staff["manager"])
    qtbot.keyClicks(dialog.reason, "Two late rounds this week after the rota changed.")
    _save(qtbot, dialog)
    with db.reading() as s:
        action = s.scalars(select(Action)).one()
        assert action.status == "In progress"
        assert action.review_frequency == "Weekly"
        assert action.next_review_date == TODAY + timedelta(days=7)
        assert action.reopen_count == 1
    assert detail.reviews.table.item(0, 4).text() == "Reopen"
    assert "Reopened on 26/11/2026" in gate.state_label.text()
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Plan)) == 1
