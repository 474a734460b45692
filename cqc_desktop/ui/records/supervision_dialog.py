"""One supervision or competency check: who, by whom, when, the focus, what was discussed and
agreed, and when the next is due (the usual interval unless another date is set)."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from ...formatting import uk_date
from ...models import Supervision
from ...services.errors import ServiceError, ValidationError
from ...services.records import supervision
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


class SupervisionDialog(GuardedDialog):
    what = "supervision record"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        supervision_id: int | None,
    ) -> None:
        super().__init__(
            parent, "New supervision record" if supervision_id is None else "Supervision record"
        )
        self.ctx = ctx
        self.service_id = service_id
        self.supervision_id = supervision_id
        self.setMinimumSize(720, 560)
        self.form = Form()
        self.person = QComboBox()
        self.supervisor = QComboBox()
        self.kind = combo_of([(k, k) for k in supervision.kinds()])
        self.held = DateEdit(ctx.today())
        self.held.setMaximumWidth(160)
        self.focus = text_box(
            2, "What this supervision concentrated on, e.g. protected medicines time"
        )
        self.notes = text_box(3, "What was discussed")
        self.outcome = text_box(2, "What was agreed, and by when")
        self.next_due = OptionalDateEdit("Another date:", ctx.today())
        self.usual = QLabel()
        self.usual.setStyleSheet("color: #555;")
        self.action = QComboBox()
        f = self.form
        f.add_field("person_id", "&Staff member:", self.person)
        f.add_field("kind", "&Kind:", self.kind)
        f.add_field("held_on", "&Held on:", self.held)
        f.add_field("supervisor_id", "Su&pervisor:", self.supervisor)
        f.add_field("focus", "&Focus:", self.focus)
        f.add_field("notes", "&Notes:", self.notes)
        f.add_field("outcome", "&Agreed:", self.outcome)
        f.add_field("next_due", "Ne&xt due:", self.next_due)
        f.addRow("", self.usual)
        f.add_field(
            "action_id",
            "Linked a&ction:",
            self.action,
            hint="Linked notes are evidence for the action (source: supervision notes).",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        with ctx.db.reading() as session:
            record = session.get(Supervision, supervision_id) if supervision_id else None
            fill_people(
                self.person,
                session,
                service_id,
                blank="(choose)",
                selected=record.person_id if record else None,
            )
            fill_people(
                self.supervisor,
                session,
                service_id,
                blank="(choose)",
                selected=record.supervisor_id if record else None,
            )
            fill_actions(self.action, session, service_id, record.action_id if record else None)
            if record is not None:
                select_data(self.kind, record.kind)
                self.held.set_value(record.held_on)
                self.focus.setPlainText(record.focus)
                self.notes.setPlainText(record.notes)
                self.outcome.setPlainText(record.outcome)
                usual = record.held_on + timedelta(days=supervision.intervals()[record.kind])
                if record.next_due != usual:
                    self.next_due.set_value(record.next_due)
        if record is None:
            self.person.setCurrentIndex(0)
            self.supervisor.setCurrentIndex(0)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_usual())
        self.held.dateChanged.connect(lambda _d: self._show_usual())
        self._show_usual()
        self.raise_button = add_raise_button(
            self, ctx, "supervision", lambda: self.supervision_id, service_id, self.action
        )
        self.mark_clean()

    def _show_usual(self) -> None:
        kind = self.kind.currentData()
        days = supervision.intervals().get(kind, 0)
        usual = self.held.value() + timedelta(days=days)
        self.usual.setText(
            f"Left unticked, the next {kind.lower()} is due {uk_date(usual)} "
            f"({days // 7} weeks on)."
            if days % 7 == 0 and days < 365
            else f"Left unticked, the next {kind.lower()} is due {uk_date(usual)}."
        )

    def data(self) -> supervision.SupervisionInput:
        return supervision.SupervisionInput(
            person_id=self.person.currentData(),
            kind=self.kind.currentData(),
            held_on=self.held.value(),
            supervisor_id=self.supervisor.currentData(),
            focus=self.focus.toPlainText(),
            notes=self.notes.toPlainText(),
            outcome=self.outcome.toPlainText(),
            next_due=self.next_due.value(),
            action_id=self.action.currentData(),
        )

    def state(self) -> Hashable:
        return tuple(vars(self.data()).values())

    def save(self) -> bool:
        data = self.data()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.supervision_id is None:
                    saved = supervision.record_supervision(
                        session, self.service_id, data, today=self.ctx.today()
                    ).id
                else:
                    saved = supervision.update_supervision(
                        session, self.supervision_id, data, today=self.ctx.today()
                    ).id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Supervision", exc)
            return False
        self.supervision_id = saved
        self.sig_saved.emit(saved)
        return True
