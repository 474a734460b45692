"""Raising an action from an incident, complaint, feedback or supervision in one step: the action form arrives
filled in from the record, and saving links the record to the new action."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...models.enums import KeyQuestion, RiskArea
from ...services.errors import ServiceError, ValidationError
from ...services.records import raise_action
from ..context import AppContext
from ..widgets.forms import DateEdit, Form, GuardedDialog, report_problem, select_data, text_box
from ..widgets.signed_in import actor_of, fill_people, muted
from .common import fill_actions

NEW_FINDING = -1


class RaiseFromRecordDialog(GuardedDialog):
    """The action form, filled in from the record; saving links the record to the action."""

    what = "action"

    def __init__(self, ctx: AppContext, parent: QWidget | None, kind: str, record_id: int) -> None:
        super().__init__(parent, f"Raise an action from this {kind}")
        self.ctx = ctx
        self.kind = kind
        self.record_id = record_id
        self.action_id: int | None = None
        self.title = QLineEdit()
        self.description = text_box(4)
        self.lead = QComboBox()
        self.due = DateEdit(ctx.today())
        self.finding = QComboBox()
        self.finding_title = QLineEdit()
        self.key_question = QComboBox()
        for value in KeyQuestion:
            self.key_question.addItem(value.value, value.value)
        self.risk_area = QComboBox()
        for value in RiskArea:
            self.risk_area.addItem(value.value, value.value)
        self.likelihood = QSpinBox()
        self.impact = QSpinBox()
        for spin in (self.likelihood, self.impact):
            spin.setRange(1, 5)
        with ctx.db.reading() as session:
            suggestion = raise_action.suggest(session, kind, record_id, ctx.today())
            data = suggestion.data
            service_id = _service_of(session, kind, record_id)
            fill_people(
                self.lead,
                session,
                service_id,
                blank="— choose one lead —",
                selected=data.accountable_lead_id,
            )
        if data.accountable_lead_id is None:
            self.lead.setCurrentIndex(0)
        for finding_id, label in suggestion.findings:
            self.finding.addItem(label, finding_id)
        self.finding.addItem(f"New finding in “{suggestion.plan_title}”", NEW_FINDING)
        select_data(self.finding, data.finding_id if data.finding_id is not None else NEW_FINDING)
        self.title.setText(data.title)
        self.description.setPlainText(data.description)
        self.due.set_value(data.due_date or ctx.today())
        self.finding_title.setText(data.finding_title)
        select_data(self.key_question, data.key_question)
        select_data(self.risk_area, data.risk_area)
        self.likelihood.setValue(data.likelihood)
        self.impact.setValue(data.impact)
        self.form = Form()
        self.form.add_field("title", "&Action:", self.title)
        self.form.add_field(
            "accountable_lead", "Accountable &lead:", self.lead, hint="One person, never a team."
        )
        self.form.add_field("due_date", "&Due:", self.due)
        self.form.add_field("description", "&What was found:", self.description)
        self.form.add_field("finding_id", "&Finding:", self.finding)
        self.new_form = Form()
        self.new_form.add_field("finding.title", "Finding &title:", self.finding_title)
        self.new_form.add_field("finding.key_question", "&Key question:", self.key_question)
        self.new_form.add_field("finding.risk_area", "&Risk area:", self.risk_area)
        self.new_form.add_field("finding.likelihood", "L&ikelihood (1–5):", self.likelihood)
        self.new_form.add_field("finding.impact", "I&mpact (1–5):", self.impact)
        self.new_box = QWidget()
        self.new_box.setLayout(self.new_form)
        self.save_button.setText("&Raise action")
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(f"From {suggestion.heading}. The {kind} is linked to the new action.")
        )
        layout.addLayout(self.form)
        layout.addWidget(self.new_box)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.finding.currentIndexChanged.connect(self._finding_changed)
        self._finding_changed()
        self.resize(680, 460)
        self.mark_clean()

    def _finding_changed(self) -> None:
        self.new_box.setVisible(self.finding.currentData() == NEW_FINDING)

    def data(self) -> raise_action.RaiseInput:
        new = self.finding.currentData() == NEW_FINDING
        return raise_action.RaiseInput(
            title=self.title.text(),
            accountable_lead_id=self.lead.currentData(),
            due_date=self.due.value(),
            description=self.description.toPlainText(),
            finding_id=None if new else self.finding.currentData(),
            finding_title=self.finding_title.text(),
            key_question=self.key_question.currentData(),
            risk_area=self.risk_area.currentData(),
            likelihood=self.likelihood.value(),
            impact=self.impact.value(),
        )

    def state(self) -> Hashable:
        return tuple(vars(self.data()).values())

    def save(self) -> bool:
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                action = raise_action.raise_action(
                    session, self.kind, self.record_id, self.data(), today=self.ctx.today()
                )
                self.action_id = action.id
        except ValidationError as exc:
            self.show_validation([self.form, self.new_form], exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        assert self.action_id is not None
        self.sig_saved.emit(self.action_id)
        return True


def _service_of(session: object, kind: str, record_id: int) -> int:
    from sqlalchemy.orm import Session

    from ...models import Complaint, Feedback, Incident, Supervision

    assert isinstance(session, Session)
    model = {
        "incident": Incident,
        "complaint": Complaint,
        "feedback": Feedback,
        "supervision": Supervision,
    }[kind]
    record = session.get(model, record_id)
    assert record is not None
    return int(record.service_id)  # type: ignore[attr-defined]


def add_raise_button(
    dialog: GuardedDialog,
    ctx: AppContext,
    kind: str,
    record_id: Callable[[], int | None],
    service_id: int,
    action_combo: QComboBox,
) -> QPushButton:
    """Put "Raise an action…" beside Save. It saves the record first if need be, opens the
    pre-filled action form, and shows the new action as the record's linked action."""
    # No mnemonic: every letter of it is taken by a field in one of the record dialogs.
    button = QPushButton("Raise an action…")
    button.setToolTip(f"Create an action from this {kind}, filled in, and link them")

    def run() -> None:
        if (record_id() is None or dialog.is_dirty()) and not dialog.save():
            return
        dialog.mark_clean()
        rid = record_id()
        assert rid is not None
        try:
            raiser = RaiseFromRecordDialog(ctx, dialog, kind, rid)
        except ServiceError as exc:
            report_problem(dialog, "Raise an action", exc)
            return
        if raiser.exec():
            with ctx.db.reading() as session:
                fill_actions(action_combo, session, service_id, raiser.action_id)
            dialog.mark_clean()
            ctx.sig_data_changed.emit("action")

    button.clicked.connect(lambda _checked=False: run())
    dialog.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    return button
