"""One piece of feedback: who it came from, how, what was said and how it felt. Linked to an
action it becomes evidence for it, in the CQC category its source belongs to."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...models import Feedback
from ...models.enums import FeedbackMethod, FeedbackSource, Sentiment
from ...services.errors import ServiceError, ValidationError
from ...services.records import feedback
from ..context import AppContext
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_people
from .common import fill_actions
from .raise_action_dialog import add_raise_button


class FeedbackDialog(GuardedDialog):
    what = "feedback"

    def __init__(
        self, parent: QWidget | None, ctx: AppContext, service_id: int, feedback_id: int | None
    ) -> None:
        super().__init__(parent, "New feedback" if feedback_id is None else "Feedback")
        self.ctx = ctx
        self.service_id = service_id
        self.feedback_id = feedback_id
        self.setMinimumSize(700, 480)
        self.form = Form()
        self.received = DateEdit(ctx.today())
        self.received.setMaximumWidth(160)
        self.source = combo_of([(s.value, s.value) for s in FeedbackSource], blank="(choose)")
        self.category = QLabel()
        self.category.setStyleSheet("color: #555;")
        self.from_ref = QLineEdit()
        self.from_ref.setPlaceholderText('Initials, room or role, e.g. "DN, weekly visit"')
        self.method = combo_of([(m.value, m.value) for m in FeedbackMethod], blank="(choose)")
        self.said = text_box(3, "What was said, in their words where you can")
        self.sentiment = combo_of([(s.value, s.value) for s in Sentiment], blank="(choose)")
        self.recorded_by = QComboBox()
        self.action = QComboBox()
        f = self.form
        f.add_field("received_on", "&Received:", self.received)
        f.add_field("source", "&From:", self.source)
        f.addRow("", self.category)
        f.add_field("from_ref", "&Who:", self.from_ref)
        f.add_field("method", "&How:", self.method)
        f.add_field("what_was_said", "What was &said:", self.said)
        f.add_field("sentiment", "Se&ntiment:", self.sentiment)
        f.add_field("recorded_by_id", "Recorded &by:", self.recorded_by)
        f.add_field(
            "action_id",
            "Linked a&ction:",
            self.action,
            hint="Linked feedback is evidence for the action: positive supports it, mixed partly, "
            "negative does not.",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.source.currentIndexChanged.connect(lambda _i: self._show_category())
        with ctx.db.reading() as session:
            entry = session.get(Feedback, feedback_id) if feedback_id else None
            fill_people(
                self.recorded_by,
                session,
                service_id,
                blank="(choose)",
                selected=entry.recorded_by_id if entry else None,
            )
            fill_actions(self.action, session, service_id, entry.action_id if entry else None)
            if entry is not None:
                self.received.set_value(entry.received_on)
                select_data(self.source, entry.source)
                self.from_ref.setText(entry.from_ref)
                select_data(self.method, entry.method)
                self.said.setPlainText(entry.what_was_said)
                select_data(self.sentiment, entry.sentiment)
        self._show_category()
        self.raise_button = add_raise_button(
            self, ctx, "feedback", lambda: self.feedback_id, service_id, self.action
        )
        self.mark_clean()

    def _show_category(self) -> None:
        category = feedback.CATEGORY_OF.get(self.source.currentData() or "", "")
        self.category.setText(f"CQC evidence category: {category}" if category else "")

    def data(self) -> feedback.FeedbackInput:
        return feedback.FeedbackInput(
            received_on=self.received.value(),
            source=self.source.currentData() or "",
            method=self.method.currentData() or "",
            what_was_said=self.said.toPlainText(),
            sentiment=self.sentiment.currentData() or "",
            from_ref=self.from_ref.text(),
            recorded_by_id=self.recorded_by.currentData(),
            action_id=self.action.currentData(),
        )

    def state(self) -> Hashable:
        return tuple(vars(self.data()).values())

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.feedback_id is None:
                    saved = feedback.record_feedback(
                        session, self.service_id, data, today=self.ctx.today()
                    ).id
                else:
                    saved = feedback.update_feedback(
                        session, self.feedback_id, data, today=self.ctx.today()
                    ).id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Feedback", exc)
            return False
        self.feedback_id = saved
        self.sig_saved.emit(saved)
        return True
