"""Typing up an audit from the keyboard: Y, N or A answers the current question and moves on.

The score (N/A left out) updates as answers go in, per section and overall, beside last time's
figures, so the auditor sees at once where the home has slipped.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ...formatting import uk_date
from ...models import AuditRun, AuditTemplate
from ...services.errors import ServiceError, ValidationError
from ...services.governance.audit_runs import record_audit_run, run_score
from ...services.governance.audits import get_template, percent_text, questions, score_answers
from ..context import AppContext
from ..widgets.forms import (
    DateEdit,
    ErrorLabel,
    Form,
    GuardedDialog,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import (
    actor_of,
    commit_open_editor,
    fill_homes,
    fill_people,
    muted,
    my_person_id,
)
from .answer_sheet import COL_ANSWER, AnswerSheet, AnswerSheetView


class AuditRunDialog(GuardedDialog):
    """Record one run of an audit template (the current version unless told otherwise)."""

    what = "audit"

    def __init__(
        self, ctx: AppContext, parent: QWidget | None, template_id: int, service_id: int | None
    ) -> None:
        super().__init__(parent, "Record an audit")
        self.ctx = ctx
        self.run_id: int | None = None
        with ctx.db.reading() as session:
            template = get_template(session, template_id)
            self.template_id = template.id
            self.template_key = template.key
            self.definition = template.definition
            self.setWindowTitle(f"Record an audit: {template.name} (version {template.version})")
            heading = template.definition.get("description", "")
            self.home = QComboBox()
            fill_homes(self.home, session, all_label=None)
            select_data(self.home, service_id)
            if self.home.currentIndex() < 0:
                self.home.setCurrentIndex(0)
            self.auditor = QComboBox()
            fill_people(
                self.auditor,
                session,
                self.home.currentData(),
                blank="— choose —",
                selected=my_person_id(ctx),
            )
        self.sheet = AnswerSheet(questions(self.definition))
        self.view = AnswerSheetView(self.sheet)
        self.run_on = DateEdit(ctx.today())
        self.sample = QSpinBox()
        self.sample.setRange(0, 999)
        self.sample.setSpecialValueText("—")
        self.sample.setAccessibleName("Records sampled")
        self.notes = text_box(2, "Anything the scores do not say")
        self.form = Form()
        self.form.add_field("service_id", "Care &home:", self.home)
        self.form.add_field("run_on", "&Date:", self.run_on)
        self.form.add_field("auditor_id", "A&uditor:", self.auditor)
        if self.definition.get("record_sample"):
            self.form.add_field("sample_size", "Records &sampled:", self.sample)
        self.form.add_field("notes", "N&otes:", self.notes)
        self.score = QLabel()
        self.score.setAccessibleName("Score so far")
        self.score.setTextFormat(Qt.TextFormat.RichText)
        self.score.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.score.setMinimumWidth(250)
        self.sheet_errors = ErrorLabel()
        self.answer_buttons = [
            QPushButton(f"{label} ({key})")
            for label, key in (("Yes", "Y"), ("No", "N"), ("N/A", "A"))
        ]
        self.previous: dict[str, float | None] = {}
        self.previous_overall: float | None = None
        self.previous_on = None
        self._load_previous()
        self._build(heading)
        self.sheet.sig_answers_changed.connect(self._update_score)
        self.home.currentIndexChanged.connect(self._home_changed)
        yes, no, na = self.answer_buttons
        yes.clicked.connect(self._answer_yes)
        no.clicked.connect(self._answer_no)
        na.clicked.connect(self._answer_na)
        self.view.setCurrentIndex(self.sheet.index(0, COL_ANSWER))
        self._update_score()
        self.resize(1320, 720)
        self.mark_clean()

    def _build(self, heading: str) -> None:
        keys = muted(
            "Keyboard: <b>Y</b> yes · <b>N</b> no · <b>A</b> not applicable (left out of the "
            "score) · <b>Delete</b> clears · <b>Enter</b> or <b>F2</b> writes a comment · "
            "<b>Tab</b> leaves the list."
        )
        keys.setTextFormat(Qt.TextFormat.RichText)
        buttons = QHBoxLayout()
        buttons.addWidget(keys, 1)
        for button in self.answer_buttons:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the keyboard in the list
            buttons.addWidget(button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.view, 1)
        column.addWidget(self.sheet_errors)
        right = QWidget()
        right.setMaximumWidth(340)
        side = QVBoxLayout(right)
        side.setContentsMargins(6, 0, 0, 0)
        side.addLayout(self.form)
        side.addWidget(self.score, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        if heading:
            layout.addWidget(muted(heading))
        layout.addWidget(split, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.view, self.home)

    def _answer_yes(self) -> None:
        self._answer("Yes")

    def _answer_no(self) -> None:
        self._answer("No")

    def _answer_na(self) -> None:
        self._answer("N/A")

    def _answer(self, value: str) -> None:
        self.view.answer(value)
        self.view.setFocus()

    def _load_previous(self) -> None:
        """Last time's figures at this home, to show beside the live score."""
        service_id = self.home.currentData()
        self.previous, self.previous_overall, self.previous_on = {}, None, None
        if service_id is None:
            return
        with self.ctx.db.reading() as session:
            last = session.scalar(
                select(AuditRun)
                .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
                .where(AuditTemplate.key == self.template_key, AuditRun.service_id == service_id)
                .order_by(AuditRun.run_on.desc(), AuditRun.id.desc())
                .limit(1)
            )
            if last is not None:
                score = run_score(last)
                self.previous = {s.title: s.percent for s in score.sections}
                self.previous_overall = score.percent
                self.previous_on = last.run_on

    def _home_changed(self) -> None:
        with self.ctx.db.reading() as session:
            fill_people(
                self.auditor,
                session,
                self.home.currentData(),
                blank="— choose —",
                selected=self.auditor.currentData(),
            )
        self._load_previous()
        self._update_score()

    def _update_score(self) -> None:
        result = score_answers(self.definition, self.sheet.answers)
        rows = [
            "<table cellspacing=0 cellpadding=3>",
            "<tr><th align=left>Section</th><th align=right>Now</th><th align=right>Last</th></tr>",
        ]
        for s in result.sections:
            last = self.previous.get(s.title)
            rows.append(
                f"<tr><td>{_html(s.title)}<br><span style='color:#555'>{s.yes} yes · {s.no} no · "
                f"{s.na} N/A</span></td><td align=right>{percent_text(s.percent)}</td>"
                f"<td align=right style='color:#555'>{percent_text(last) if self.previous_on else ''}</td></tr>"
            )
        rows.append(
            f"<tr><td><b>Overall</b></td><td align=right><b>{percent_text(result.percent)}</b></td>"
            f"<td align=right style='color:#555'>{percent_text(self.previous_overall) if self.previous_on else ''}</td></tr>"
        )
        rows.append("</table>")
        left = self.sheet.unanswered()
        status = (
            f"<p><b>{left}</b> question(s) still to answer.</p>"
            if left
            else "<p>All questions answered.</p>"
        )
        last_run = (
            f"<p style='color:#555'>“Last” is the run of {uk_date(self.previous_on)}.</p>"
            if self.previous_on
            else "<p style='color:#555'>First run of this audit at this home.</p>"
        )
        self.score.setText("".join(rows) + status + last_run)

    def state(self) -> Hashable:
        return (
            tuple(sorted(self.sheet.answers.items())),
            tuple(sorted((k, v) for k, v in self.sheet.comments.items() if v)),
            tuple(sorted((k, v) for k, v in self.sheet.evidence.items() if v)),
            self.run_on.value(),
            self.auditor.currentData(),
            self.sample.value(),
            self.notes.toPlainText(),
            self.home.currentData(),
        )

    def save(self) -> bool:
        commit_open_editor(self.view)
        self.general_error.set_error("")
        self.sheet_errors.set_error("")
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                run = record_audit_run(
                    session,
                    self.template_id,
                    self.home.currentData(),
                    self.run_on.value(),
                    self.auditor.currentData(),
                    dict(self.sheet.answers),
                    {k: v for k, v in self.sheet.comments.items() if v.strip()},
                    self.sample.value() or None,
                    self.notes.toPlainText(),
                    {k: v for k, v in self.sheet.evidence.items() if v.strip()},
                    today=self.ctx.today(),
                )
                self.run_id = run.id
        except ValidationError as exc:
            self.sheet.set_errors(exc.errors)
            rest = {k: v for k, v in exc.errors.items() if k not in self.sheet.errors}
            self.show_validation(self.form, ValidationError(rest) if rest else ValidationError({}))
            if self.sheet.errors:
                first = next(
                    i for i, q in enumerate(self.sheet.items) if q.key in self.sheet.errors
                )
                shown = list(self.sheet.errors.values())
                more = f" (and {len(shown) - 3} more)" if len(shown) > 3 else ""
                self.sheet_errors.set_error(" ".join(shown[:3]) + more)
                self.view.setCurrentIndex(self.sheet.index(first, COL_ANSWER))
                self.view.setFocus()
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        assert self.run_id is not None
        self.sig_saved.emit(self.run_id)
        return True


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
