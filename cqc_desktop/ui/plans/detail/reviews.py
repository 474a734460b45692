"""The Reviews tab: the timeline of an action's reviews, and the Record review dialog.

A decision of "Close" goes through the closure gate inside ``actions.record_review``; when the gate
refuses, every unmet condition is listed beside the decision and nothing is saved. "Reopen" puts
the action back on weekly review.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ....formatting import uk_date
from ....models import Action
from ....models.enums import ActionStatus, Decision, Rag, ReviewLevel
from ....services.errors import ServiceError, ValidationError
from ....services.plans import actions
from ....services.setup import people
from ...context import AppContext
from ...widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ...widgets.table_models import RAG_BACKGROUND

GATE_KEYS = ("steps", "measure", "sources", "observation", "feedback", "contradiction", "oversight")


class ReviewsTimeline(QWidget):
    """Every review of the action, newest first, with the decision taken."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Review schedule")
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["Date", "Level", "Reviewer", "RAG", "Decision", "Progress and notes"]
        )
        self.table.setAccessibleName("Reviews timeline")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def load(self, session: Session, action: Action) -> None:
        today = self.ctx.today()
        if action.status == ActionStatus.CLOSED:
            schedule = "Closed: no reviews are scheduled. Record continued oversight as a review."
        elif action.next_review_date is None:
            schedule = "No review is scheduled."
        else:
            late = action.next_review_date < today
            when = uk_date(action.next_review_date)
            schedule = (
                f"<span style='color:#b3261e'><b>Review overdue since {when}.</b></span>"
                if late
                else f"Next review due <b>{when}</b>."
            )
            schedule += f" Reviewed {action.review_frequency.lower()}"
            schedule += (
                " (changed from the risk's suggestion)."
                if action.review_frequency_overridden
                else "."
            )
        self.summary.setText(schedule)
        reviews = sorted(action.reviews, key=lambda r: (r.review_date, r.id), reverse=True)
        self.table.setRowCount(len(reviews))
        for row, review in enumerate(reviews):
            text = review.progress + (f"\n{review.notes}" if review.notes else "")
            cells = [
                uk_date(review.review_date),
                review.level,
                review.reviewer.name,
                review.rag,
                review.decision,
                text,
            ]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col == 3 and value in RAG_BACKGROUND:
                    item.setBackground(RAG_BACKGROUND[value])
                if col == 5:
                    item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()


class RecordReviewDialog(GuardedDialog):
    """Record one review: progress seen, RAG, and the decision (continue, change, escalate, close
    or, for a closed action, reopen)."""

    what = "review"

    def __init__(self, ctx: AppContext, action_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Record review")
        self.ctx = ctx
        self.action_id = action_id
        today = ctx.today()
        with ctx.db.reading() as session:
            action = actions.get_action(session, action_id)
            service_id = action.finding.plan.service_id
            staff = people.list_people(session, service_id=service_id)
            choices = [(f"{p.name} — {p.role}" if p.role else p.name, p.id) for p in staff]
            self.managers = {p.id for p in staff if people.is_manager(p)}
            closed = action.status == ActionStatus.CLOSED
            heading = (
                f"<b>{action.reference} {action.title}</b><br>Lead: {action.accountable_lead.name}"
            )
            current_rag = action.rag
            lead_id = action.accountable_lead_id
            # The review is recorded against the action as it is now, not as changed since.
            self.seen_version = action.version
        self.closed = closed
        decisions = (
            [Decision.CONTINUE, Decision.REOPEN]
            if closed
            else [Decision.CONTINUE, Decision.CHANGE_CONTROLS, Decision.ESCALATE, Decision.CLOSE]
        )
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.review_date = DateEdit(today)
        self.reviewer = combo_of(choices, blank="Choose who reviewed…")
        select_data(self.reviewer, lead_id)
        self.level = combo_of([(lvl.value, lvl.value) for lvl in ReviewLevel])
        self.progress = text_box(4, "What was checked and what it showed")
        self.rag = combo_of([(r.value, r.value) for r in Rag])
        select_data(self.rag, current_rag)
        self.decision = combo_of([(d.value, d.value) for d in decisions])
        self.decision_note = QLabel()
        self.decision_note.setWordWrap(True)
        self.decision_note.setStyleSheet("color: #555;")
        self.notes = text_box(2, "Anything else (optional)")
        self.form = Form()
        self.form.add_field("review_date", "Review &date:", self.review_date)
        self.form.add_field("reviewer", "&Reviewer:", self.reviewer, aliases=("sign_off",))
        self.form.add_field("level", "&Level:", self.level)
        self.form.add_field("progress", "&Progress seen:", self.progress)
        self.form.add_field("rag", "R&AG:", self.rag)
        self.form.add_field("decision", "D&ecision:", self.decision, aliases=GATE_KEYS)
        self.form.addRow("", self.decision_note)
        self.form.add_field("notes", "&Notes:", self.notes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(620, 0)
        self.decision.currentIndexChanged.connect(self._explain_decision)
        self.reviewer.currentIndexChanged.connect(self._explain_decision)
        self._explain_decision()
        self.mark_clean()

    def _explain_decision(self) -> None:
        decision = self.decision.currentData()
        if decision == Decision.CLOSE:
            who = self.reviewer.currentData()
            warn = (
                " The reviewer chosen is not a manager."
                if who is not None and who not in self.managers
                else ""
            )
            self.decision_note.setText(
                "Closing goes through the closure gate: every condition must be met, and the "
                "reviewer (a manager) signs off with the progress as the rationale." + warn
            )
        elif decision == Decision.REOPEN:
            self.decision_note.setText("Reopening puts the action back on weekly review.")
        elif decision == Decision.ESCALATE:
            self.decision_note.setText("Escalate: say in the notes who it went to.")
        else:
            self.decision_note.setText("")

    def state(self) -> Hashable:
        return (
            self.review_date.value(),
            self.reviewer.currentData(),
            self.level.currentData(),
            self.progress.toPlainText(),
            self.rag.currentData(),
            self.decision.currentData(),
            self.notes.toPlainText(),
        )

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                review = actions.record_review(
                    session,
                    self.action_id,
                    review_date=self.review_date.value(),
                    reviewer_id=self.reviewer.currentData(),
                    progress=self.progress.toPlainText(),
                    rag=self.rag.currentData() or "",
                    decision=self.decision.currentData() or "",
                    level=self.level.currentData() or "",
                    notes=self.notes.toPlainText(),
                    today=self.ctx.today(),
                    seen_version=self.seen_version,
                )
                saved = review.id
        except ValidationError as exc:
            if any(key in GATE_KEYS for key in exc.errors):
                exc = ValidationError(
                    {"decision": "The action cannot close yet. Unmet:", **exc.errors}
                )
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.ctx.sig_data_changed.emit("review")
        self.sig_saved.emit(saved)
        return True
