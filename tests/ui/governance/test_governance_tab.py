"""A weekly governance meeting held on the demo data, through the real widgets (offscreen).

Dialogs are driven by replacing their ``exec`` with a function that fills them in and presses Save,
so the test never waits on a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    Evidence,
    Meeting,
    MeetingAddendum,
    MeetingItem,
    MinuteDraft,
    Person,
    Review,
)
from cqc_desktop.models.enums import Role
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.demo.scenarios import CARE_PLAN_ACTION, SUPERVISION_ACTION
from cqc_desktop.services.errors import NotAllowed
from cqc_desktop.services.governance.meetings import approve_minutes
from cqc_desktop.services.trust.permissions import Actor
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.governance import meeting_summary
from cqc_desktop.ui.governance.agenda_dialogs import AgendaDialog
from cqc_desktop.ui.governance.governance_tab import GovernanceTab
from cqc_desktop.ui.governance.link_evidence_dialog import LinkEvidenceDialog
from cqc_desktop.ui.governance.meeting_dialog import AddendumDialog, ApproveDialog, MeetingDialog
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)


@pytest.fixture
def demo(db: Database) -> Database:
    with db.unit_of_work() as session:
        seed_demo(session, TODAY)
    return db


def _person(db: Database, name: str) -> int:
    with db.reading() as s:
        return s.scalars(select(Person.id).where(Person.name == name)).one()


def _pressing_save(fill: Callable[[object], None]) -> Callable[[object], int]:
    def exec_(dialog: object) -> int:
        dialog.show()  # type: ignore[attr-defined]
        fill(dialog)
        dialog.try_save()  # type: ignore[attr-defined]
        return int(dialog.result())  # type: ignore[attr-defined]

    return exec_


def _items(tab: GovernanceTab) -> list[meeting_summary.ItemRow]:
    model = tab.panel.items_model
    return [model.row_at(r) for r in range(model.rowCount())]


def _select_item(tab: GovernanceTab, title_part: str) -> meeting_summary.ItemRow:
    rows = _items(tab)
    n = next(i for i, r in enumerate(rows) if title_part in r.title)
    tab.panel.items_view.setCurrentIndex(tab.panel.items_model.index(n, 0))
    assert tab.panel.editor.item_id == rows[n].item_id
    return rows[n]


def _minute(qtbot: QtBot, tab: GovernanceTab, text: str, decision: str) -> None:
    editor = tab.panel.editor
    editor.boxes["discussion"].setFocus()
    qtbot.keyClicks(editor.boxes["discussion"], text)
    select_data(editor.decision, decision)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.general.text() == "" and not editor.is_dirty(), editor.general.text()


def test_weekly_governance_meeting_on_the_demo_data(
    demo: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = AppContext(demo, today=lambda: TODAY)
    tab = GovernanceTab(ctx)
    qtbot.addWidget(tab)
    assert tab.model.rowCount() == 14  # twelve weekly, one quality and one provider meeting
    zoe = _person(demo, "Zoë Hart")

    # A new weekly meeting, chaired by the registered manager, with the agenda built for us.
    def fill_meeting(dialog: MeetingDialog) -> None:
        # A weekly governance meeting is chaired by the registered manager unless changed.
        assert dialog.kind.currentData() == "Weekly governance"
        assert dialog.chair.currentData() == zoe
        for i in range(dialog.attendees.count()):
            item = dialog.attendees.item(i)
            if item.text().startswith(("Siobhán Murphy", "Priya Raman")):
                item.setCheckState(Qt.CheckState.Checked)
        # QTest types ASCII only; accented names go in as a paste would.
        dialog.apologies.insertPlainText("Renée Clarke (on leave)")

    chosen: list[list[str]] = []

    def take_everything(dialog: AgendaDialog) -> int:
        chosen.append([e.title for e in dialog.chosen()])
        return 1

    monkeypatch.setattr(MeetingDialog, "exec", _pressing_save(fill_meeting))
    monkeypatch.setattr(AgendaDialog, "exec", take_everything)
    tab.new_record()
    with demo.reading() as s:
        meeting = s.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
        assert meeting is not None
        meeting_id = meeting.id
        assert (meeting.held_on, meeting.chair_id, meeting.apologies) == (
            TODAY,
            zoe,
            "Renée Clarke (on leave)",
        )
    assert tab.panel.meeting_id == meeting_id
    assert tab.panel.heading.text() == "Weekly governance — 26/11/2026 — Willow Court Care Home"

    # The agenda lists the overdue and the due actions, each with why it is there.
    rows = _items(tab)
    titles = [r.title for r in rows]
    assert chosen == [titles]
    reviews = [r for r in rows if r.kind == "Action review"]
    assert [r.title.split(" ", 1)[1] for r in reviews] == [
        SUPERVISION_ACTION,
        "Stop late evening medicines administration",
        CARE_PLAN_ACTION,
        "Make incident learning reviewed, shared and checked within 7 days",
    ]
    with demo.reading() as s:
        details = dict(
            s.execute(
                select(MeetingItem.title, MeetingItem.detail).where(
                    MeetingItem.meeting_id == meeting_id
                )
            ).all()
        )
    supervision = next(t for t in titles if SUPERVISION_ACTION in t)
    assert details[supervision].startswith("Review due 22/11/2026 (4 days overdue)")
    care = next(t for t in titles if CARE_PLAN_ACTION in t)
    assert "action overdue: due 19/10/2026" in details[care]
    assert any(t.startswith("Incidents since 24/11/2026") for t in titles)
    assert "Audits overdue: 1" in titles

    # "Change controls" on the care plan action: one minute, which is the action's review.
    row = _select_item(tab, CARE_PLAN_ACTION)
    editor = tab.panel.editor
    assert editor.timeline.isVisibleTo(tab)
    senior = _person(demo, "Gareth Llewellyn")
    editor.boxes["discussion"].setFocus()
    qtbot.keyClicks(editor.boxes["discussion"], "Two plans still do not match practice.")
    qtbot.keyClicks(editor.boxes["challenge"], "Why are rooms 6 and 21 still outstanding?")
    qtbot.keyClicks(editor.boxes["assurance"], "Care record audit of ten plans.")
    select_data(editor.decision, "Change controls")
    select_data(editor.owner, senior)
    editor.due.check.setChecked(True)
    editor.due.edit.set_value(date(2026, 12, 3))
    select_data(editor.rag, "Red")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.general.text() == ""
    with demo.reading() as s:
        action = s.scalars(select(Action).where(Action.title == CARE_PLAN_ACTION)).one()
        mine = s.scalars(select(Review).where(Review.meeting_item_id == row.item_id)).all()
        assert [(r.action_id, r.decision, r.rag, r.review_date) for r in mine] == [
            (action.id, "Change controls", "Red", TODAY)
        ]
        assert "Owner: Gareth Llewellyn, due 03/12/2026." in mine[0].notes
        assert action.rag == "Red"
    timeline = editor.timeline
    first = [timeline.item(0, c).text() for c in range(timeline.columnCount())]
    assert first[:4] == ["26/11/2026 (this meeting)", "Manager", "Change controls", "Red"]
    care_row = next(r for r in _items(tab) if r.item_id == row.item_id)
    assert (care_row.decision, care_row.owner) == ("Change controls", "Gareth Llewellyn")

    # Typed text is kept as a draft while the minute is unsaved; approval waits for it.
    _select_item(tab, "Incidents since")
    qtbot.keyClicks(editor.boxes["discussion"], "No incidents since Tuesday.")
    with qtbot.waitSignal(editor.keepers["discussion"].sig_saved, timeout=5000):
        pass
    with demo.reading() as s:
        drafts = s.scalars(select(MinuteDraft.text)).all()
    assert drafts == ["No incidents since Tuesday."]
    select_data(editor.decision, "Note")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    with demo.reading() as s:
        assert s.scalar(select(func.count()).select_from(MinuteDraft)) == 0

    # Minute everything else, then approve: the minutes lock and an addendum can still be added.
    for item in _items(tab):
        if item.decision:
            continue
        _select_item(tab, item.title)
        _minute(
            qtbot,
            tab,
            "Discussed; no change.",
            "Continue" if item.kind == "Action review" else "Note",
        )
    panel = tab.panel
    assert panel.buttons["approve"].isEnabled() and not panel.buttons["addendum"].isEnabled()

    def fill_approval(dialog: ApproveDialog) -> None:
        select_data(dialog.approver, zoe)

    monkeypatch.setattr(ApproveDialog, "exec", _pressing_save(fill_approval))
    qtbot.mouseClick(panel.buttons["approve"], Qt.MouseButton.LeftButton)
    assert panel.state_label.text() == "Approved 26/11/2026 by Zoë Hart: locked"
    assert editor.boxes["discussion"].isReadOnly() and not editor.save_button.isEnabled()
    assert not panel.buttons["add"].isEnabled() and not panel.buttons["approve"].isEnabled()
    assert panel.buttons["addendum"].isEnabled() and panel.buttons["evidence"].isEnabled()

    def fill_addendum(dialog: AddendumDialog) -> None:
        select_data(dialog.author, zoe)
        qtbot.keyClicks(dialog.text, "The care plan owner is Gareth Llewellyn, not Chidi Okafor.")

    monkeypatch.setattr(AddendumDialog, "exec", _pressing_save(fill_addendum))
    qtbot.mouseClick(panel.buttons["addendum"], Qt.MouseButton.LeftButton)
    assert "Addendum 26/11/2026" in panel.addenda.text()
    assert "not Chidi Okafor" in panel.addenda.text() and panel.addenda.isVisibleTo(tab)
    with demo.reading() as s:
        assert s.scalar(select(func.count()).select_from(MeetingAddendum)) == 1
        assert s.get_one(Meeting, meeting_id).status == "Approved"

    # The approved minute is evidence (governance minutes) for the care plan action.
    _select_item(tab, CARE_PLAN_ACTION)
    assert panel.buttons["evidence"].isEnabled()

    def keep_defaults(dialog: LinkEvidenceDialog) -> None:
        assert dialog.action.currentText().endswith(CARE_PLAN_ACTION)

    monkeypatch.setattr(LinkEvidenceDialog, "exec", _pressing_save(keep_defaults))
    qtbot.mouseClick(panel.buttons["evidence"], Qt.MouseButton.LeftButton)
    with demo.reading() as s:
        evidence = s.scalars(select(Evidence).where(Evidence.meeting_item_id == row.item_id)).one()
        assert (evidence.source_type, evidence.collected_on) == ("governance_minutes", TODAY)
        assert evidence.title.startswith("Weekly governance minutes 26/11/2026: ")


def test_staff_cannot_approve_minutes(demo: Database, qtbot: QtBot) -> None:
    with demo.reading() as s:
        draft = s.scalars(select(Meeting).where(Meeting.status == "Draft")).one()
        zoe = s.scalars(select(Person).where(Person.name == "Zoë Hart")).one()
        draft_id, held, zoe_id = draft.id, draft.held_on, zoe.id
    staff = Actor(7, "bethan", Role.STAFF, display_name="Bethan Hughes")
    refused = r"Your role \(staff\) does not allow you to approve"
    with pytest.raises(NotAllowed, match=refused), demo.unit_of_work(staff) as session:
        approve_minutes(session, draft_id, zoe_id, held)
    with demo.reading() as s:
        assert s.get_one(Meeting, draft_id).status == "Draft"
    # The screen offers what the role allows: a member of staff can minute but not approve.
    ctx = AppContext(demo, today=lambda: TODAY)
    ctx.actor = staff  # type: ignore[attr-defined]
    tab = GovernanceTab(ctx)
    qtbot.addWidget(tab)
    tab.select_meeting(draft_id)
    assert tab.panel.meeting_id == draft_id
    assert not tab.panel.buttons["approve"].isEnabled()
    assert tab.panel.buttons["add"].isEnabled() and tab.panel.editor.save_button.isEnabled()
    # A manager can.
    manager = Actor(1, "zoe", Role.MANAGER, person_id=zoe_id)
    with demo.unit_of_work(manager) as session:
        approve_minutes(session, draft_id, zoe_id, held)
    with demo.reading() as s:
        assert s.get_one(Meeting, draft_id).status == "Approved"


def test_search_finds_meetings_by_what_was_minuted(demo: Database, qtbot: QtBot) -> None:
    tab = GovernanceTab(AppContext(demo, today=lambda: TODAY))
    qtbot.addWidget(tab)
    qtbot.keyClicks(tab.search, "tabard")
    with qtbot.waitSignal(tab._search_timer.timeout, timeout=2000):
        pass
    assert tab.model.rowCount() == 1
    assert tab.model.row_at(0).held_on == date(2026, 9, 22)
