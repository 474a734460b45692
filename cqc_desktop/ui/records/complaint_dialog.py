"""A complaint (Regulation 16) or a compliment: who it came from, how, what was said, and for a
complaint the acknowledgement, investigation, response and learning against its working-day
deadlines, shown as soon as the received date is entered."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models import Complaint
from ...models.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintFinding,
    ComplaintFrom,
    ComplaintKind,
    ComplaintSeverity,
)
from ...services.errors import ServiceError, ValidationError
from ...services.records import complaints
from ..context import AppContext
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_people
from .common import fill_actions
from .raise_action_dialog import add_raise_button

# Rows shown for a complaint only: a compliment is received, logged and shared.
COMPLAINT_ONLY = (
    "severity",
    "handled_by_id",
    "acknowledged_on",
    "investigation",
    "responded_on",
    "outcome",
    "finding",
)


def _values(enum: type) -> list[tuple[str, object]]:
    return [(m.value, m.value) for m in enum]  # type: ignore[attr-defined]


class ComplaintDialog(GuardedDialog):
    what = "complaint"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        complaint_id: int | None,
        kind: str = ComplaintKind.COMPLAINT.value,
    ) -> None:
        self.ctx = ctx
        self.service_id = service_id
        self.complaint_id = complaint_id
        with ctx.db.reading() as session:
            found = session.get(Complaint, complaint_id) if complaint_id else None
            self.kind = found.kind if found is not None else kind
            reference = found.reference if found is not None else ""
        self.what = self.kind.lower()
        title = f"{self.kind} {reference}" if reference else f"New {self.what}"
        super().__init__(parent, title)
        self.setMinimumSize(760, 640 if self.is_complaint else 480)
        today = ctx.today()
        self.form = Form()
        self.received = DateEdit(today)
        self.deadlines = QLabel()
        self.deadlines.setStyleSheet("color: #555;")
        self.deadlines.setWordWrap(True)
        self.from_type = combo_of(_values(ComplaintFrom), blank="(choose)")
        self.from_ref = QLineEdit()
        self.from_ref.setPlaceholderText('Initials, room or relationship, e.g. "daughter of Rm 4"')
        self.channel = combo_of(_values(ComplaintChannel), blank="(choose)")
        self.category = combo_of(_values(ComplaintCategory), blank="(choose)")
        self.severity = combo_of(_values(ComplaintSeverity), blank="(choose)")
        self.summary = text_box(2, "What was said, in the person's words where you can")
        self.handled_by = QComboBox()
        self.acknowledged = OptionalDateEdit("Acknowledged on", today)
        self.investigation = text_box(2, "Who looked into it, what they found")
        self.responded = OptionalDateEdit("Response sent on", today)
        self.outcome = text_box(2, "What the response told the complainant")
        self.finding = combo_of(_values(ComplaintFinding), blank="(not yet answered)")
        self.learning = text_box(
            2,
            "What the home will do differently"
            if self.is_complaint
            else "What to share with the team at handover",
        )
        self.action = QComboBox()
        f = self.form
        received_row = QWidget()
        row = QHBoxLayout(received_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.received)
        row.addWidget(self.deadlines, 1)
        f.add_field("received_on", "&Received:", received_row)
        self.received.setAccessibleName("Received")
        f.add_field("from_type", "&From:", self.from_type)
        f.add_field("from_ref", "&Who:", self.from_ref)
        f.add_field("channel", "&How received:", self.channel)
        f.add_field("category", "Cate&gory:", self.category)
        f.add_field("severity", "Se&verity:", self.severity)
        f.add_field("summary", "What was &said:", self.summary)
        f.add_field("handled_by_id", "Handled &by:", self.handled_by)
        f.add_field("acknowledged_on", "Ac&knowledged:", self.acknowledged)
        f.add_field("investigation", "&Investigation:", self.investigation)
        f.add_field("responded_on", "Res&ponded:", self.responded)
        f.add_field("outcome", "&Outcome:", self.outcome)
        f.add_field("finding", "Fi&nding:", self.finding)
        f.add_field("learning", "&Learning:", self.learning)
        f.add_field(
            "action_id",
            "Linked a&ction:",
            self.action,
            hint="Link the action that puts the learning into practice.",
        )
        for key in COMPLAINT_ONLY:
            holder = f.error_label(key).parentWidget()
            f.setRowVisible(holder, self.is_complaint)
        body = QWidget()
        body.setLayout(f)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.received.dateChanged.connect(lambda _d: self._show_deadlines())
        with ctx.db.reading() as session:
            existing = session.get(Complaint, complaint_id) if complaint_id else None
            fill_people(
                self.handled_by,
                session,
                service_id,
                blank="(choose)",
                selected=existing.handled_by_id if existing else None,
            )
            fill_actions(self.action, session, service_id, existing.action_id if existing else None)
            if existing is not None:
                self._load(existing)
        self._show_deadlines()
        self.raise_button = add_raise_button(
            self, ctx, "complaint", lambda: self.complaint_id, service_id, self.action
        )
        self.mark_clean()

    @property
    def is_complaint(self) -> bool:
        return self.kind == ComplaintKind.COMPLAINT

    def _show_deadlines(self) -> None:
        if not self.is_complaint:
            self.deadlines.setText("")
            return
        t = complaints.targets()
        ack, respond = complaints.deadlines(self.received.value())
        self.deadlines.setText(
            f"Acknowledge by {ack:%a} {uk_date(ack)}, respond by {respond:%a} {uk_date(respond)} "
            f"({t.acknowledge_days} and {t.respond_days} working days)"
        )

    def _load(self, c: Complaint) -> None:
        self.received.set_value(c.received_on)
        select_data(self.from_type, c.from_type)
        self.from_ref.setText(c.from_ref)
        select_data(self.channel, c.channel)
        select_data(self.category, c.category)
        select_data(self.severity, c.severity or None)
        self.summary.setPlainText(c.summary)
        self.acknowledged.set_value(c.acknowledged_on)
        self.investigation.setPlainText(c.investigation)
        self.responded.set_value(c.responded_on)
        self.outcome.setPlainText(c.outcome)
        select_data(self.finding, c.finding or None)
        self.learning.setPlainText(c.learning)

    def data(self) -> complaints.ComplaintInput:
        received: date = self.received.value()
        return complaints.ComplaintInput(
            kind=self.kind,
            received_on=received,
            from_type=self.from_type.currentData() or "",
            from_ref=self.from_ref.text(),
            channel=self.channel.currentData() or "",
            category=self.category.currentData() or "",
            summary=self.summary.toPlainText(),
            severity=self.severity.currentData() or "",
            handled_by_id=self.handled_by.currentData(),
            acknowledged_on=self.acknowledged.value(),
            investigation=self.investigation.toPlainText(),
            responded_on=self.responded.value(),
            outcome=self.outcome.toPlainText(),
            finding=self.finding.currentData() or "",
            learning=self.learning.toPlainText(),
            action_id=self.action.currentData(),
        )

    def state(self) -> Hashable:
        return tuple(vars(self.data()).values())

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.complaint_id is None:
                    saved = complaints.record_complaint(
                        session, self.service_id, data, today=self.ctx.today()
                    ).id
                else:
                    saved = complaints.update_complaint(
                        session, self.complaint_id, data, today=self.ctx.today()
                    ).id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, self.kind, exc)
            return False
        self.complaint_id = saved
        self.sig_saved.emit(saved)
        return True
