"""The Plans tab: tree, filters and search, keyboard commands, archive, remembered state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cqc_desktop.db import Database
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput
from cqc_desktop.services.setup import people
from cqc_desktop.ui import ui_state
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.plans import columns as plans_tab_columns
from cqc_desktop.ui.plans import tab as plans_tab
from cqc_desktop.ui.plans.action_dialog import ActionDialog
from cqc_desktop.ui.plans.detail.panel import ActionDetailWindow
from cqc_desktop.ui.plans.finding_dialog import FindingDialog
from cqc_desktop.ui.plans.plan_dialogs import PlanDialog
from cqc_desktop.ui.plans.tab import PlansTab
from cqc_desktop.ui.widgets import forms

TODAY = date(2026, 11, 26)


@pytest.fixture
def seeded(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        priya = people.create_person(s, "Priya Raman", "Care coordinator", service_id=home.id)
        plan = plans.create_plan(
            s, plans.PlanInput(home.id, "CQC inspection", "CQC inspection", report_date=TODAY)
        )
        meds = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        care = plans.create_finding(
            s,
            plan.id,
            plans.FindingInput("Care plans out of date", "Responsive", "Care planning", 3, 3),
        )
        a1 = actions.create_action(
            s,
            meds.id,
            ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
            today=TODAY - timedelta(days=20),
        )
        a2 = actions.create_action(
            s,
            care.id,
            ActionInput("Review high-risk care plans", priya.id, TODAY + timedelta(days=40)),
            today=TODAY,
        )
        return {
            "plan": plan.id,
            "meds": meds.id,
            "care": care.id,
            "a1": a1.id,
            "a2": a2.id,
            "zoe": zoe.id,
        }


@pytest.fixture
def tab(qtbot: QtBot, db: Database, seeded: dict[str, int]) -> PlansTab:
    # Qt caches where QSettings lives for the whole process, so start each test from nothing.
    ui_state.settings().clear()
    widget = PlansTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    return widget


def _titles(tab: PlansTab) -> list[str]:
    return [tab.model.index(r, 1).data() for r in range(tab.model.rowCount())]


def test_tree_narrows_the_list(tab: PlansTab, seeded: dict[str, int]) -> None:
    assert tab.count_label.text() == "2 actions"
    assert tab.tree.topLevelItem(0).text(1) == "2"  # open actions under "All plans"
    tab.tree.select_node(("finding", seeded["care"]))
    assert _titles(tab) == ["Review high-risk care plans"]
    assert tab.detail.action_id == seeded["a2"]
    tab.tree.select_node(("plan", seeded["plan"]))
    assert len(_titles(tab)) == 2


def test_overdue_review_in_red_and_overdue_filter(tab: PlansTab, seeded: dict[str, int]) -> None:
    # Sorted by next review: the overdue one first.
    assert _titles(tab)[0] == "Protect the medicines round"
    review = tab.model.index(0, plans_tab_columns.COL_REVIEW)
    assert review.data() == "13/11/2026"
    assert review.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert (
        tab.model.index(1, plans_tab_columns.COL_REVIEW).data(Qt.ItemDataRole.ForegroundRole)
        is None
    )
    tab.filter_bar.overdue.setChecked(True)
    assert _titles(tab) == ["Protect the medicines round"]
    assert tab.count_label.text() == "1 action (filtered)"
    tab.filter_bar.clear()
    assert tab.count_label.text() == "2 actions"


def test_search_and_filters(qtbot: QtBot, tab: PlansTab) -> None:
    tab.focus_search()
    assert tab.filter_bar.search.hasFocus()
    with qtbot.waitSignal(tab.filter_bar.sig_changed, timeout=2000):
        qtbot.keyClicks(tab.filter_bar.search, "care plans")
    assert _titles(tab) == ["Review high-risk care plans"]
    tab.filter_bar.clear()
    forms.select_data(tab.filter_bar.risk_area, "Medicines")
    assert _titles(tab) == ["Protect the medicines round"]
    forms.select_data(tab.filter_bar.risk_area, None)
    forms.select_data(tab.filter_bar.key_question, "Responsive")
    # The statement list follows the key question.
    codes = [
        tab.filter_bar.statement.itemData(i) for i in range(1, tab.filter_bar.statement.count())
    ]
    assert codes and all(c.startswith("R") for c in codes)
    assert _titles(tab) == ["Review high-risk care plans"]


def test_sort_is_done_in_sql(tab: PlansTab) -> None:
    lead_col = 4
    tab.table.sortByColumn(lead_col, Qt.SortOrder.DescendingOrder)
    assert tab.model.sort_state == ("lead", True)
    assert [tab.model.index(r, lead_col).data() for r in range(2)] == ["Zoë Hart", "Priya Raman"]


def test_ctrl_n_is_context_aware(tab: PlansTab, seeded: dict[str, int]) -> None:
    tab.tree.select_node(("all", 0))
    assert isinstance(tab.new_record(), PlanDialog)
    tab.tree.select_node(("plan", seeded["plan"]))
    assert isinstance(tab.new_record(), FindingDialog)
    tab.tree.select_node(("finding", seeded["meds"]))
    dialog = tab.new_record()
    assert isinstance(dialog, ActionDialog) and dialog.finding_id == seeded["meds"]


def test_enter_opens_the_action_window(qtbot: QtBot, tab: PlansTab, seeded: dict[str, int]) -> None:
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    window = ActionDetailWindow._open[(id(tab.ctx), seeded["a1"])]
    qtbot.addWidget(window)
    assert window.isVisible()
    assert window.detail.title_label.text() == "CQC-A1 Protect the medicines round"
    assert window.windowTitle() == "Action CQC-A1 Protect the medicines round"
    # Enter again brings the same window forward rather than opening a second one.
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert ActionDetailWindow._open[(id(tab.ctx), seeded["a1"])] is window
    window.close()


def test_delete_archives_and_never_deletes(
    qtbot: QtBot,
    tab: PlansTab,
    db: Database,
    seeded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    questions: list[str] = []
    monkeypatch.setattr(plans_tab, "ask", lambda _p, title, _t: questions.append(title) or True)
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert questions == ["Archive action"]
    assert _titles(tab) == ["Review high-risk care plans"]
    with db.reading() as s:
        assert actions.get_action(s, seeded["a1"]).archived
    tab.show_archived.setChecked(True)
    assert "Protect the medicines round" in _titles(tab)
    row = next(r for r in range(tab.model.rowCount()) if tab.model.row_at(r).archived)
    assert tab.model.index(row, 6).data().endswith("(archived)")
    assert not tab.detail.review_button.isEnabled() or tab.detail.action_id != seeded["a1"]


def test_finding_with_actions_is_not_removed(
    tab: PlansTab, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(plans_tab, "ask", lambda *_a: True)
    monkeypatch.setattr(plans_tab, "report_problem", lambda _p, _t, e: warnings.append(str(e)))
    tab.tree.select_node(("finding", seeded["meds"]))
    tab.tree.setFocus()
    tab.tree.sig_delete.emit(tab.tree.current_node())
    assert warnings and "has actions" in warnings[0]


def test_unsaved_changes_are_asked_about(
    qtbot: QtBot, tab: PlansTab, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [forms.Unsaved.CANCEL, forms.Unsaved.DISCARD]
    asked: list[str] = []

    def answer(_parent: object, what: str) -> forms.Unsaved:
        asked.append(what)
        return answers.pop(0)

    monkeypatch.setattr(forms, "ask_unsaved", answer)
    dialog = tab.new_plan()
    dialog.reject()  # nothing typed: closes without asking
    assert asked == [] and not dialog.isVisible()
    dialog = tab.new_plan()
    qtbot.keyClicks(dialog.title_edit, "Mock inspection")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["plan"] and dialog.isVisible()  # Cancel: stays open
    dialog.reject()
    assert asked == ["plan", "plan"] and not dialog.isVisible()
    assert tab.tree.topLevelItemCount() == 2  # "All plans" and the one seeded plan


def test_edit_finding_from_the_tree(qtbot: QtBot, tab: PlansTab, seeded: dict[str, int]) -> None:
    tab.tree.select_node(("finding", seeded["meds"]))
    dialog = tab.edit_current()
    assert isinstance(dialog, FindingDialog)
    assert dialog.title_edit.text() == "Late medicines" and dialog.likelihood.value() == 4
    dialog.title_edit.setText("Evening medicines late")
    dialog.likelihood.setValue(2)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    item = tab.tree.currentItem()
    assert item.text(0) == "CQC-F1 Evening medicines late"


def test_selection_and_splitters_are_remembered(
    qtbot: QtBot, db: Database, tab: PlansTab, seeded: dict[str, int]
) -> None:
    tab.tree.select_node(("plan", seeded["plan"]))
    tab.select_action(seeded["a2"])
    tab.splitter.setSizes([300, 900])
    tab.splitter.splitterMoved.emit(300, 1)
    tab.close()
    again = PlansTab(AppContext(db, today=lambda: TODAY))
    qtbot.addWidget(again)
    assert again.tree.current_node() == ("plan", seeded["plan"])
    assert again.detail.action_id == seeded["a2"]
    again.resize(tab.size())
    again.show()
    assert again.splitter.sizes() == tab.splitter.sizes()
    assert again.splitter.sizes()[0] == 300


def test_refreshes_when_data_changes_elsewhere(
    tab: PlansTab, db: Database, seeded: dict[str, int]
) -> None:
    with db.unit_of_work() as s:
        actions.record_review(
            s,
            seeded["a1"],
            review_date=TODAY,
            reviewer_id=seeded["zoe"],
            progress="Round observed",
            rag="Amber",
            decision="Continue",
            today=TODAY,
        )
    tab.ctx.sig_data_changed.emit("review")
    row = tab.model.row_for_id(seeded["a1"])
    assert row is not None
    assert tab.model.index(row, 5).data() == "Amber"
    assert tab.model.index(row, plans_tab_columns.COL_REVIEW).data() == "03/12/2026"


def test_edit_button_acts_on_the_list_last_worked_in(
    qtbot: QtBot, tab: PlansTab, seeded: dict[str, int]
) -> None:
    tab.tree.select_node(("plan", seeded["plan"]))
    tab.activateWindow()
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    tab.table.selectRow(0)
    # Clicking the button takes the focus away from the list; it still edits the action.
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    dialogs = tab.findChildren(ActionDialog)
    assert len(dialogs) == 1 and dialogs[0].action_id == tab.current_action_id()
    dialogs[0].reject()
    tab.tree.setFocus()
    qtbot.waitUntil(tab.tree.hasFocus)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    plan_dialogs = [d for d in tab.findChildren(PlanDialog) if d.isVisible()]
    assert len(plan_dialogs) == 1 and plan_dialogs[0].plan_id == seeded["plan"]


def test_edit_plan_from_the_tree(qtbot: QtBot, tab: PlansTab, seeded: dict[str, int]) -> None:
    tab.tree.select_node(("plan", seeded["plan"]))
    dialog = tab.edit_current()
    assert isinstance(dialog, PlanDialog)
    assert dialog.title_edit.text() == "CQC inspection"
    assert dialog.report_date.value() == TODAY
    dialog.title_edit.setText("CQC inspection November 2026")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert tab.tree.currentItem().text(0) == "CQC inspection November 2026"


def test_plan_code_suggested_then_fixed_once_used(
    qtbot: QtBot, tab: PlansTab, db: Database, seeded: dict[str, int]
) -> None:
    dialog = PlanDialog(tab.ctx, parent=tab)
    qtbot.addWidget(dialog)
    dialog.title_edit.setText("Medicines audit")
    assert dialog.code_edit.text() == "MED"
    assert "MED-F1, MED-A1" in dialog.code_note.text()
    qtbot.keyClicks(dialog.code_edit, "2")  # typed by hand: the title no longer changes it
    dialog.title_edit.setText("Medicines audit December")
    assert dialog.code_edit.text() == "MED2"
    assert not dialog.code_edit.isReadOnly()
    used = PlanDialog(tab.ctx, seeded["plan"], parent=tab)
    qtbot.addWidget(used)
    assert used.code_edit.text() == "CQC" and used.code_edit.isReadOnly()
    assert used.code_note.text().startswith("Fixed")
