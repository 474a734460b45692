"""A medication audit typed from the keyboard on the demo data, through the real widgets.

Dialogs are driven by replacing their ``exec`` with a function that fills them in and presses Save,
so the test never waits on a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    AuditAnswer,
    AuditRun,
    AuditSchedule,
    AuditTemplate,
    Evidence,
    Person,
)
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.governance.audit_run_editor import AuditRunDialog
from cqc_desktop.ui.governance.audits_tab import AuditsTab
from cqc_desktop.ui.governance.link_evidence_dialog import LinkEvidenceDialog
from cqc_desktop.ui.governance.raise_action_dialog import RaiseActionDialog
from cqc_desktop.ui.governance.template_editor import TemplateEditorDialog
from cqc_desktop.ui.widgets.forms import select_data

TODAY = date(2026, 11, 26)
# One key per question, section by section, as the medicines lead reads the paper form.
KEYS = {
    "MAR completeness": "YYNYY",  # 4 yes, 1 no → 80 %
    "Administration times": "YNYYA",  # 3 yes, 1 no, 1 N/A → 75 %
    "PRN records": "YYYY",  # 100 %
    "Controlled drugs": "YYYYY",  # 100 %
    "Stock and storage": "YYYNY",  # 4 yes, 1 no → 80 %
    "Covert and when-required protocols": "AAYY",  # 2 yes, 2 N/A → 100 %
    "Signatures": "YYYY",  # 100 %
}
# Overall: 26 yes, 3 no, 3 N/A left out → 26 / 29 = 89.655… %, shown as 89.7 %.
OVERALL = 26 / 29 * 100


@pytest.fixture
def demo(db: Database) -> Database:
    with db.unit_of_work() as session:
        seed_demo(session, TODAY)
    return db


@pytest.fixture
def tab(demo: Database, qtbot: QtBot) -> AuditsTab:
    widget = AuditsTab(AppContext(demo, today=lambda: TODAY))
    qtbot.addWidget(widget)
    return widget


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


def _select_audit(tab: AuditsTab, name: str) -> None:
    model = tab.templates
    row = next(r for r in range(model.rowCount()) if model.row_at(r).name == name)
    tab.template_view.setCurrentIndex(model.index(row, 0))
    assert tab.selected_template() is not None and tab.selected_template().name == name


def test_medication_audit_from_the_keyboard_scores_raises_an_action_and_trends(
    demo: Database, tab: AuditsTab, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _select_audit(tab, "Medication audit")
    assert [p[1] for p in tab.chart.plotted()] == pytest.approx([260 / 3, 290 / 3, 100.0])
    lead = _person(demo, "Nguyễn Thị Lan")
    seen: dict[str, str] = {}

    def type_it_up(dialog: AuditRunDialog) -> None:
        select_data(dialog.auditor, lead)
        dialog.sample.setValue(10)
        view = dialog.view
        view.setFocus()
        for keys in KEYS.values():
            for key in keys:
                qtbot.keyClick(view, {"Y": Qt.Key.Key_Y, "N": Qt.Key.Key_N, "A": Qt.Key.Key_A}[key])
        seen["score"] = dialog.score.text()
        # A comment on the failed administration-times question, written from the keyboard.
        row = next(i for i, q in enumerate(dialog.sheet.items) if q.key == "times_within_window")
        view.setCurrentIndex(dialog.sheet.index(row, 3))
        qtbot.keyClick(view, Qt.Key.Key_Return)
        editor = view.indexWidget(view.currentIndex())
        qtbot.keyClicks(editor, "Three doses 45 minutes late on the 20:00 round")
        # Saving while the comment is still open keeps it (no Enter pressed).

    monkeypatch.setattr(AuditRunDialog, "exec", _pressing_save(type_it_up))
    tab.new_record()
    # The live score, before saving: N/A left out of every figure.
    assert "<b>89.7 %</b>" in seen["score"]
    assert "All questions answered." in seen["score"]
    with demo.reading() as s:
        run = s.scalars(select(AuditRun).order_by(AuditRun.id.desc())).first()
        assert run is not None and run.run_on == TODAY and run.sample_size == 10
        assert run.score_percent == pytest.approx(OVERALL)
        answers = {a.question_key: a for a in run.answers}
        assert answers["times_within_window"].answer == "No"
        assert answers["times_within_window"].comment == (
            "Three doses 45 minutes late on the 20:00 round"
        )
        assert [a.answer for a in run.answers].count("N/A") == 3
        run_id = run.id

    # The new run is shown: overall, per section, against the last run.
    view = tab.run_view
    assert view.run_id == run_id and tab.runs.row_at(0).id == run_id
    assert "Overall 89.7 %" in view.summary.text()
    assert "(26 yes, 3 no, 3 N/A left out)" in view.summary.text()
    assert "Last run 18/11/2026: 100 % (down 10.3 points)" in view.summary.text()
    sections = {
        view.sections.item(r, 0).text(): [
            view.sections.item(r, c).text() for c in range(1, view.sections.columnCount())
        ]
        for r in range(view.sections.rowCount())
    }
    assert sections["MAR completeness"] == ["4", "1", "0", "80 %", "100 %"]
    assert sections["Administration times"] == ["3", "1", "1", "75 %", "100 %"]
    assert sections["Covert and when-required protocols"] == ["2", "0", "2", "100 %", "100 %"]

    # Raise an action from the first "No", in one step, pre-filled from the question.
    assert view.answers_model.rowCount() == 3  # only the "No" answers
    first = view.selected_answer()
    assert first is not None and first.answer == "No"
    assert first.question.startswith("Handwritten entries and changes are signed")

    def accept_as_filled(dialog: RaiseActionDialog) -> None:
        assert dialog.title.text() == (
            "Handwritten entries and changes are signed by two trained staff and match the "
            "prescriber's instructions"
        )
        assert dialog.lead.currentData() == lead

    monkeypatch.setattr(RaiseActionDialog, "exec", _pressing_save(accept_as_filled))
    qtbot.mouseClick(view.raise_button, Qt.MouseButton.LeftButton)
    with demo.reading() as s:
        answer = s.get_one(AuditAnswer, first.answer_id)
        assert answer.action_id is not None
        action = s.get_one(Action, answer.action_id)
        # The run was not linked to an action, so the "No" goes to the medicines finding.
        assert action.finding.risk_area == "Medicines"
        assert "Auditor's comment" not in action.description
        assert action.description.startswith("Raised from the Medication audit on 26/11/2026")
        assert action.accountable_lead_id == lead and action.due_date == date(2026, 12, 10)
        title, first_action = action.title, action.id
    shown = next(
        r
        for r in (view.answers_model.row_at(i) for i in range(3))
        if r.answer_id == first.answer_id
    )
    assert shown.action.endswith(title)
    # The list moves on to the next "No" still without an action, ready for the next one.
    following = view.selected_answer()
    assert following is not None and following.question.startswith("Medicines were given within")
    assert following.action_id is None and view.raise_button.isEnabled()

    # The run itself is audit evidence for the action just raised.
    def choose_the_new_action(dialog: LinkEvidenceDialog) -> None:
        select_data(dialog.action, action_id)
        select_data(dialog.supports, "Partly")

    action_id = first_action
    monkeypatch.setattr(LinkEvidenceDialog, "exec", _pressing_save(choose_the_new_action))
    qtbot.mouseClick(view.link_button, Qt.MouseButton.LeftButton)
    with demo.reading() as s:
        evidence = s.scalars(select(Evidence).where(Evidence.audit_run_id == run_id)).one()
        assert (evidence.action_id, evidence.source_type, evidence.supports) == (
            action_id,
            "audit",
            "Partly",
        )
        assert evidence.title == "Medication audit 26/11/2026: 89.7 %"
    assert "Linked as evidence for 1 action(s)." in view.summary.text()

    # And the run is on the trend, with the newest point ringed.
    plotted = tab.chart.plotted()
    assert len(plotted) == 4 and plotted[-1] == (TODAY, pytest.approx(OVERALL))
    assert [y for _x, y in tab.chart.ringed()] == [pytest.approx(OVERALL)]
    assert "4 run(s), 86.7 % on 23/09/2026 → 89.7 % on 26/11/2026" in tab.chart.caption.text()
    assert tab.templates.row_at(tab.template_view.currentIndex().row()).next_due == date(
        2026, 12, 3
    )


def test_unanswered_questions_are_shown_and_nothing_is_saved(
    demo: Database, tab: AuditsTab, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _select_audit(tab, "Infection prevention and control audit")
    problems: list[str] = []

    def half_done(dialog: AuditRunDialog) -> None:
        select_data(dialog.auditor, _person(demo, "Fatima Begum"))
        dialog.view.setFocus()
        for _ in range(5):
            qtbot.keyClick(dialog.view, Qt.Key.Key_Y)
        dialog.try_save()
        problems.append(dialog.sheet_errors.text())
        assert dialog.isVisible()  # still open: nothing lost
        for _ in range(14):
            qtbot.keyClick(dialog.view, Qt.Key.Key_A)

    monkeypatch.setattr(AuditRunDialog, "exec", _pressing_save(half_done))
    tab.new_record()
    assert problems[0].startswith("Personal protective equipment, question 2 needs an answer")
    assert problems[0].endswith("(and 11 more)")
    with demo.reading() as s:
        run = s.scalars(select(AuditRun).order_by(AuditRun.id.desc())).first()
        assert run is not None and run.template.key == "infection_control_audit"
        assert run.score_percent == 100.0  # 5 yes, 14 N/A
    assert tab.chart.plotted() == [(TODAY, 100.0)]


def test_template_edit_makes_a_version_and_schedule_is_per_home(
    demo: Database, tab: AuditsTab, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _select_audit(tab, "Medication audit")

    def add_a_question(dialog: TemplateEditorDialog) -> None:
        section = dialog.tree.topLevelItem(0)
        dialog.tree.setCurrentItem(section.child(section.childCount() - 1))
        qtbot.mouseClick(dialog.controls["question"], Qt.MouseButton.LeftButton)
        # The new question opens for typing; Save is pressed with it still open.
        editor = dialog.tree.indexWidget(dialog.tree.currentIndex())
        assert isinstance(editor, QLineEdit) and editor.text() == "New question"
        editor.selectAll()
        qtbot.keyClicks(editor, "Allergy status checked against the GP record")

    monkeypatch.setattr(TemplateEditorDialog, "exec", _pressing_save(add_a_question))
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    with demo.reading() as s:
        versions = s.scalars(
            select(AuditTemplate)
            .where(AuditTemplate.key == "medication_audit")
            .order_by(AuditTemplate.version)
        ).all()
        assert [(t.version, t.current) for t in versions] == [(1, False), (2, True)]
        questions = versions[1].definition["sections"][0]["questions"]
        assert questions[-1] == {
            "key": "allergy_status_checked_against_the",
            "text": "Allergy status checked against the GP record",
        }
        # Past runs keep version 1.
        assert {r.template.version for r in s.scalars(select(AuditRun))} == {1}
    assert tab.selected_template().version == 2
    assert len(tab.chart.plotted()) == 3  # the trend carries on across versions

    # Once stable, the home moves the audit to monthly; the next due date follows.
    tab.schedule.setCurrentIndex(tab.schedule.findData("monthly"))
    tab.schedule.activated.emit(tab.schedule.currentIndex())
    with demo.reading() as s:
        assert s.scalar(select(AuditSchedule.frequency)) == "monthly"
        assert s.scalar(select(func.count()).select_from(AuditSchedule)) == 1
    assert tab.selected_template().next_due == date(2026, 12, 18)
