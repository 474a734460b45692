"""One recorded audit run: scores by section against last time, the "No" answers, and from each
"No" an action raised in one step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Action, Evidence, Person
from ...services.errors import ServiceError
from ...services.governance.audit_actions import link_run_as_evidence
from ...services.governance.audit_runs import compare_with_previous, get_run, run_score
from ...services.governance.audits import percent_text, questions
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import report_problem
from ..widgets.signed_in import can, compact_rows, fit_rows, muted, table_view
from ..widgets.table_models import Column, RowsModel
from .answer_sheet import ANSWER_COLOURS
from .link_evidence_dialog import LinkEvidenceDialog
from .raise_action_dialog import RaiseActionDialog


@dataclass(frozen=True)
class AnswerRow:
    answer_id: int
    section: str
    number: int
    question: str
    answer: str
    comment: str
    action: str
    action_id: int | None


ANSWER_COLUMNS = [
    Column[AnswerRow]("Section", lambda r: r.section),
    Column[AnswerRow]("No.", lambda r: str(r.number), align_right=True),
    Column[AnswerRow]("Question", lambda r: r.question, tooltip=lambda r: r.question),
    Column[AnswerRow]("Answer", lambda r: r.answer),
    Column[AnswerRow]("Comment", lambda r: r.comment, tooltip=lambda r: r.comment),
    Column[AnswerRow]("Action raised", lambda r: r.action, tooltip=lambda r: r.action),
]


class AuditRunView(QWidget):
    """The selected run."""

    sig_changed = Signal(str)
    """Carries what changed ("action", "evidence") after raising an action or linking evidence."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.run_id: int | None = None
        self.service_id: int | None = None
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Run score and comparison")
        self.sections = QTableWidget(0, 6)
        self.sections.setHorizontalHeaderLabels(
            ["Section", "Yes", "No", "N/A", "Score", "Last run"]
        )
        self.sections.setAccessibleName("Scores by section")
        self.sections.verticalHeader().hide()
        self.sections.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sections.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.sections.setTabKeyNavigation(False)
        compact_rows(self.sections)
        header = self.sections.horizontalHeader()
        # Fitted once per run shown (below): ResizeToContents measured every column again for
        # every cell set, ~30 ms for a run's few sections.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.only_no = QCheckBox("Only “No” answers")
        self.only_no.setChecked(True)
        self.answers_model: RowsModel[AnswerRow] = RowsModel(
            ANSWER_COLUMNS,
            lambda r: r.answer_id,
            background=lambda r, c: ANSWER_COLOURS.get(r.answer) if c == 3 else None,
        )
        self.answers_view = table_view(self.answers_model, "Answers", stretch=2)
        self.raise_button = QPushButton("&Raise action from this “No”…")
        self.raise_button.setToolTip("Raise an action from the selected “No” answer (Ctrl+R)")
        self.link_button = QPushButton("&Link run as evidence…")
        self.empty = muted("Choose a run to see its results, or record a new audit (Ctrl+N).")
        self.no_noes = muted("Every question was answered “Yes” or “N/A”: nothing to act on.")
        self._answers: list[AnswerRow] = []
        self._build()
        self.only_no.toggled.connect(self._show_answers)
        self.raise_button.clicked.connect(self.raise_action)
        self.link_button.clicked.connect(self.link_evidence)
        self.answers_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.answers_view.doubleClicked.connect(self.raise_action)
        QShortcut(
            QKeySequence("Ctrl+R"),
            self,
            self.raise_action,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.load(None)

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.only_no)
        bar.addStretch(1)
        bar.addWidget(self.raise_button)
        bar.addWidget(self.link_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.sections)
        layout.addLayout(bar)
        layout.addWidget(self.answers_view, 1)
        layout.addWidget(self.no_noes)
        layout.addWidget(self.empty)
        layout.addStretch(0)  # takes the slack only when the answers list is hidden

    def load(self, run_id: int | None) -> None:
        self.run_id = run_id
        showing = run_id is not None
        for widget in (
            self.heading,
            self.summary,
            self.sections,
            self.only_no,
            self.answers_view,
            self.raise_button,
            self.link_button,
        ):
            widget.setVisible(showing)
        self.empty.setVisible(not showing)
        if run_id is None:
            self._answers = []
            self.answers_model.set_rows([])
            self.no_noes.hide()
            return
        with self.ctx.db.reading() as session:
            run = get_run(session, run_id)
            self.service_id = run.service_id
            score = run_score(run)
            comparison = compare_with_previous(session, run)
            auditor = session.get(Person, run.auditor_id) if run.auditor_id else None
            texts = {q.key: q for q in questions(run.template.definition)}
            raised = [x.action_id for x in run.answers if x.action_id]
            actions = (
                {
                    a.id: f"{a.reference} {a.title}"
                    for a in session.scalars(select(Action).where(Action.id.in_(raised)))
                }
                if raised
                else {}  # most runs raised nothing: no query for no actions
            )
            evidence = session.scalar(
                select(func.count()).select_from(Evidence).where(Evidence.audit_run_id == run.id)
            )
            sample = f" · sample of {run.sample_size}" if run.sample_size else ""
            self.heading.setText(
                f"{run.template.name} (version {run.template.version}) — {uk_date(run.run_on)} — "
                f"{auditor.name if auditor else 'auditor not recorded'}{sample}"
            )
            lines = [
                f"<b>Overall {percent_text(score.percent)}</b> ({score.yes} yes, {score.no} no, {score.na} N/A left out). {comparison.summary()}"
            ]
            if comparison.newly_failed:
                lines.append(
                    "<span style='color:#b3261e'>Newly failing: "
                    + "; ".join(_html(t) for t in comparison.newly_failed)
                    + "</span>"
                )
            if comparison.put_right:
                lines.append(
                    "<span style='color:#1e5631'>Put right since last time: "
                    + "; ".join(_html(t) for t in comparison.put_right)
                    + "</span>"
                )
            if run.notes:
                lines.append(f"Notes: {_html(run.notes)}")
            if evidence:
                lines.append(f"Linked as evidence for {evidence} action(s).")
            self.summary.setText("<br>".join(lines))
            before = {s.title: s.before for s in comparison.sections}
            self.sections.setUpdatesEnabled(False)
            self.sections.setRowCount(len(score.sections))
            for row, s in enumerate(score.sections):
                cells = [
                    s.title,
                    str(s.yes),
                    str(s.no),
                    str(s.na),
                    percent_text(s.percent),
                    percent_text(before.get(s.title)) if comparison.previous_on else "",
                ]
                for col, text in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    if col:
                        cell.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    self.sections.setItem(row, col, cell)
            for col in range(1, self.sections.columnCount()):
                self.sections.resizeColumnToContents(col)
            self.sections.setUpdatesEnabled(True)
            fit_rows(self.sections, 12)
            self._answers = [
                AnswerRow(
                    a.id,
                    a.section,
                    texts[a.question_key].number if a.question_key in texts else 0,
                    texts[a.question_key].text if a.question_key in texts else a.question_key,
                    a.answer,
                    a.comment,
                    actions.get(a.action_id or 0, ""),
                    a.action_id,
                )
                for a in run.answers
            ]
        self._show_answers()

    def _show_answers(self) -> None:
        rows = [r for r in self._answers if not self.only_no.isChecked() or r.answer == "No"]
        self.answers_model.set_rows(rows)
        nothing = self.run_id is not None and not rows and self.only_no.isChecked()
        self.no_noes.setVisible(nothing)
        self.answers_view.setVisible(self.run_id is not None and not nothing)
        first = next(
            (n for n, r in enumerate(rows) if r.answer == "No" and r.action_id is None), None
        )
        if first is not None:
            self.answers_view.selectionModel().setCurrentIndex(
                self.answers_model.index(first, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons()

    def selected_answer(self) -> AnswerRow | None:
        index = self.answers_view.currentIndex()
        return self.answers_model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self, *_changed: object) -> None:
        row = self.selected_answer()
        ready = row is not None and row.answer == "No" and row.action_id is None
        self.raise_button.setEnabled(ready and can(self.ctx, Permission.EDIT_PLANS))
        self.link_button.setEnabled(self.run_id is not None and can(self.ctx, Permission.RECORD))

    def raise_action(self, *_clicked: object) -> None:
        row = self.selected_answer()
        if row is None or row.answer != "No" or row.action_id is not None:
            return
        try:
            dialog = RaiseActionDialog(self.ctx, self, row.answer_id)
        except ServiceError as exc:
            report_problem(self, "Raise an action", exc)
            return
        if dialog.exec():
            self.load(self.run_id)
            self.sig_changed.emit("action")

    def link_evidence(self) -> None:
        if self.run_id is None:
            return
        run_id, today = self.run_id, self.ctx.today()
        with self.ctx.db.reading() as session:
            run = get_run(session, run_id)
            heading = (
                f"{run.template.name}, {uk_date(run.run_on)}: {percent_text(run.score_percent)}"
            )
            default_action = run.action_id

        def link(
            s: Session, action_id: int, supports: str, by: int | None, on: date | None, title: str
        ) -> Evidence:
            return link_run_as_evidence(
                s,
                run_id,
                action_id,
                supports=supports,
                tested_by_id=by,
                tested_on=on,
                title=title,
                today=today,
            )

        dialog = LinkEvidenceDialog(
            self.ctx,
            self,
            heading=f"Audit evidence from the {heading}. The scores by section go into the description.",
            service_id=self.service_id,
            default_action=default_action,
            default_title="",
            link=link,
        )
        if dialog.exec():
            self.load(self.run_id)
            self.sig_changed.emit("evidence")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
