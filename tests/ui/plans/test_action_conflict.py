"""The action dialog when someone on another PC saved the same action after it was opened: the
save is refused, the form stays open with everything typed, and the manager can see their change
and reload it with their own typing put back on top (conflict / lost_update)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cqc_desktop.db import Database
from cqc_desktop.models.enums import Role
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.actions import ActionInput
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.plans.action_dialog import ActionDialog
from cqc_desktop.ui.widgets.conflict_dialog import ConflictDialog

TODAY = date(2026, 11, 26)
ROSA = Actor(user_id=None, username="rosa", role=Role.MANAGER)


def _seed(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(
            s, plans.PlanInput(home.id, "CQC inspection", "CQC inspection", report_date=TODAY)
        )
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        action = actions.create_action(
            s,
            finding.id,
            ActionInput("Protect the medicines round", zoe.id, TODAY + timedelta(days=30)),
            today=TODAY,
        )
        return finding.id, action.id


def _rosa_saves(db: Database, action_id: int, **changes: str) -> None:
    with db.unit_of_work(ROSA) as s:
        action = actions.get_action(s, action_id)
        data = ActionInput(
            action.title, action.accountable_lead_id, action.due_date, action.review_frequency
        )
        for key, value in changes.items():
            setattr(data, key, value)
        actions.update_action(s, action_id, data)


def _answer_conflict(qtbot: QtBot, seen: list[str], act: Callable[[ConflictDialog], None]) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog):
            QTimer.singleShot(10, answer)
            return
        dialog.grab().save("/tmp/conflict-dialog.png")
        seen.append(dialog.message.text())
        dialog.show_button.click()  # Show their change
        seen.extend(
            " | ".join(dialog.table.item(r, c).text() for c in range(3))
            for r in range(dialog.table.rowCount())
        )
        dialog.grab().save("/tmp/conflict-dialog-shown.png")
        act(dialog)

    QTimer.singleShot(0, answer)


def test_stale_action_save_keeps_the_form_and_reapplies_mine_no_lost_update(
    qtbot: QtBot, db: Database
) -> None:
    finding_id, action_id = _seed(db)
    dialog = ActionDialog(AppContext(db, today=lambda: TODAY), finding_id, action_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.description, "Two nurses on the evening round")
    # Meanwhile Rosa, on another PC, writes the oversight plan and saves.
    _rosa_saves(db, action_id, oversight_plan="Deputy spot-checks MAR charts weekly")

    seen: list[str] = []
    _answer_conflict(qtbot, seen, lambda d: d.reapply_button.click())
    dialog.save_button.click()
    assert seen[0].startswith("rosa changed this action at ")
    assert "Oversight plan | Deputy spot-checks MAR charts weekly | " in seen
    assert "Detail |  | Two nurses on the evening round" in seen
    assert dialog.isVisible()  # refused: the form is still open
    with db.reading() as s:
        assert actions.get_action(s, action_id).description == ""  # nothing of mine saved yet
    # Reloaded: their oversight plan is in the form and my detail is still there.
    assert dialog.oversight.toPlainText() == "Deputy spot-checks MAR charts weekly"
    assert dialog.description.toPlainText() == "Two nurses on the evening round"
    assert "put back on top" in dialog.general_error.text()
    dialog.save_button.click()
    assert not dialog.isVisible()
    with db.reading() as s:
        saved = actions.get_action(s, action_id)
        assert saved.description == "Two nurses on the evening round"
        assert saved.oversight_plan == "Deputy spot-checks MAR charts weekly"  # theirs kept


def test_cancel_on_a_conflict_keeps_what_was_typed_and_saves_nothing(
    qtbot: QtBot, db: Database
) -> None:
    finding_id, action_id = _seed(db)
    dialog = ActionDialog(AppContext(db, today=lambda: TODAY), finding_id, action_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.triggers, "Two late doses in a week")
    _rosa_saves(db, action_id, triggers="Any missed dose")
    seen: list[str] = []
    _answer_conflict(qtbot, seen, lambda d: d.cancel_button.click())
    dialog.save_button.click()
    assert dialog.isVisible() and dialog.triggers.toPlainText() == "Two late doses in a week"
    assert "nothing saved" in dialog.general_error.text()
    with db.reading() as s:
        assert actions.get_action(s, action_id).triggers == "Any missed dose"
    # Saving again asks again: the form does not quietly overwrite their change.
    again: list[str] = []
    _answer_conflict(qtbot, again, lambda d: d.cancel_button.click())
    dialog.save_button.click()
    assert again and again[0].startswith("rosa changed this action")
    with db.reading() as s:
        assert actions.get_action(s, action_id).triggers == "Any missed dose"
