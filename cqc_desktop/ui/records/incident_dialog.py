"""One incident: what happened, the same-day management review, and the learning and closure.

Save stores all three pages in one unit of work, so a problem on any page keeps the whole form
as it was; each message appears beside its field and the page holding the first one is shown.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ...formatting import uk_date
from ...models import HandoverRecord, Incident, Person
from ...models.enums import CqcNotification, IncidentType, Severity
from ...services.errors import ServiceError, ValidationError
from ...services.records import incidents
from ...services.records.candour import record_candour
from ...services.records.incident_status import learning_status
from ...services.records.notifications import Facts
from ...services.setup import people
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
from ..widgets.signed_in import actor_of, fill_people, muted
from .candour_page import CandourPage
from .common import fill_actions
from .raise_action_dialog import add_raise_button

DETAILS, REVIEW, CLOSURE, CANDOUR = 0, 1, 2, 3
_PAGE_OF = {
    **{key: CANDOUR for key in CandourPage.FIELDS},
    "reviewer_id": REVIEW,
    "reviewed_on": REVIEW,
    "immediate_controls": REVIEW,
    "cqc_notification": REVIEW,
    "cqc_notified_on": REVIEW,
    "safeguarding_referred_on": REVIEW,
    "riddor_reported_on": REVIEW,
    "family_informed_on": REVIEW,
    "learning_point": REVIEW,
    "handover_id": CLOSURE,
    "actions_completed_on": CLOSURE,
    "closure_evidence": CLOSURE,
}


class IncidentDialog(GuardedDialog):
    what = "incident"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int | None,
        incident_id: int | None,
    ) -> None:
        super().__init__(parent, "New incident" if incident_id is None else "Incident")
        self.ctx = ctx
        self.incident_id = incident_id
        self.changed = False  # reopened from here: the list must refresh even on Cancel
        self.setMinimumSize(760, 600)
        with ctx.db.reading() as session:
            incident = session.get(Incident, incident_id) if incident_id is not None else None
            self.service_id = incident.service_id if incident is not None else service_id
            self._build(session)
            if incident is not None:
                self._load(session, incident)
        if self.service_id is not None:
            self.raise_button = add_raise_button(
                self, ctx, "incident", lambda: self.incident_id, self.service_id, self.action
            )
        self.mark_clean()

    # --- layout ----------------------------------------------------------------------------
    def _build(self, session: object) -> None:
        today = self.ctx.today()
        self.repeats = QLabel()
        self.repeats.setWordWrap(True)
        self.repeats.setStyleSheet("color: #8a4b00; font-weight: 600;")
        self.repeats.hide()
        self.pages = QTabWidget()
        # What happened
        self.details = Form()
        self.occurred_on = DateEdit(today)
        self.occurred_time = QTimeEdit(QTime.currentTime())
        self.occurred_time.setDisplayFormat("HH:mm")
        self.occurred_time.setAccessibleName("Time")
        when = QWidget()
        wl = QHBoxLayout(when)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(self.occurred_on)
        wl.addWidget(self.occurred_time)
        wl.addStretch(1)
        self.occurred_on.setAccessibleName("Date")
        self.incident_type = combo_of([(t.value, t.value) for t in IncidentType])
        self.severity = combo_of([(s.value, s.value) for s in Severity])
        self.person_ref = QLineEdit()
        self.person_ref.setPlaceholderText("Initials or room, e.g. Rm 12 or MS")
        self.location = QLineEdit()
        self.location.setPlaceholderText("Where it happened, e.g. Lounge")
        self.description = text_box(3)
        self.immediate_action = text_box(2)
        self.reported_by = QLineEdit()
        self.action = QComboBox()
        d = self.details
        d.add_field("occurred_at", "&When:", when)
        d.add_field("incident_type", "&Type:", self.incident_type)
        d.add_field("severity", "Se&verity:", self.severity)
        d.add_field(
            "person_ref", "&Person:", self.person_ref, hint="Not a full name: initials or room."
        )
        d.add_field("location", "&Location:", self.location)
        d.add_field("description", "What &happened:", self.description)
        d.add_field("immediate_action", "&Immediate action:", self.immediate_action)
        d.add_field("reported_by", "&Reported by:", self.reported_by)
        d.add_field("action_id", "Linked &action:", self.action, aliases=("reference",))
        self._page(self.details, "What happened")
        # Management review
        self.review = Form()
        self.reviewer = QComboBox()
        self.reviewed_on = DateEdit(today)
        self.immediate_controls = text_box(2)
        self.cqc = combo_of([(c.value, c.value) for c in CqcNotification])
        self.cqc_on = OptionalDateEdit("Notified on", today)
        self.safeguarding = QCheckBox("Referral to the local authority")
        self.safeguarding_on = OptionalDateEdit("Referred on", today)
        self.riddor = QCheckBox("RIDDOR reportable")
        self.riddor_on = OptionalDateEdit("Reported on", today)
        self.family = QCheckBox("Family or representative told")
        self.family_on = OptionalDateEdit("Informed on", today)
        self.learning = text_box(2, "One learning point staff should hear at handover")
        r = self.review
        r.add_field(
            "reviewer_id", "Re&viewer:", self.reviewer, hint="Leave blank until the review is done."
        )
        r.add_field("reviewed_on", "Reviewed &on:", self.reviewed_on)
        r.add_field("immediate_controls", "Immediate &controls:", self.immediate_controls)
        r.add_field(
            "cqc_notification",
            "C&QC notification:",
            self._pair(self.cqc, self.cqc_on),
            aliases=("cqc_notified_on",),
        )
        r.add_field(
            "safeguarding_referred_on",
            "&Safeguarding:",
            self._pair(self.safeguarding, self.safeguarding_on),
        )
        r.add_field("riddor_reported_on", "&RIDDOR:", self._pair(self.riddor, self.riddor_on))
        r.add_field(
            "family_informed_on",
            "Famil&y told:",
            self._pair(self.family, self.family_on),
        )
        r.add_field("learning_point", "Lear&ning point:", self.learning)
        self._page(self.review, "Management review")
        # Learning and closure
        self.closure = Form()
        self.handover = QComboBox()
        self.completed_on = OptionalDateEdit("Actions completed", today)
        self.closure_evidence = text_box(
            2, "How you know the actions are done and practice has changed"
        )
        self.learning_state = muted()
        self.reopen_button = QPushButton("Re&open…")
        self.reopen_button.clicked.connect(self.reopen)
        c = self.closure
        c.add_field("handover_id", "Shared at &handover:", self.handover)
        c.add_field("actions_completed_on", "Actions &done:", self.completed_on)
        c.add_field("closure_evidence", "Closure &evidence:", self.closure_evidence)
        c.addRow("7-day learning:", self.learning_state)
        reopen_row = QHBoxLayout()
        reopen_row.addWidget(self.reopen_button)
        reopen_row.addStretch(1)
        c.addRow("", reopen_row)
        self._page(self.closure, "Learning and closure")
        self.candour = CandourPage(self.ctx, self._facts)
        self.pages.addTab(self.candour, "Candour and notifications")

        layout = QVBoxLayout(self)
        layout.addWidget(self.repeats)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self._fill_lists(session, None, None)
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        self.candour.fill(session, self.service_id, None)
        self.candour.refresh()
        self.pages.currentChanged.connect(
            lambda index: self.candour.refresh() if index == CANDOUR else None
        )

    def _page(self, form: Form, title: str) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(form)
        column.addStretch(1)  # fields keep their height; spare room goes below them
        self.pages.addTab(page, title)

    @staticmethod
    def _pair(first: QWidget, second: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(first)
        row.addWidget(second, 1)
        return holder

    def _fill_lists(self, session: object, reviewer: int | None, action: int | None) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        fill_people(
            self.reviewer, session, self.service_id, blank="(not reviewed yet)", selected=reviewer
        )
        if reviewer is None:
            self.reviewer.setCurrentIndex(0)
        if self.service_id is not None:
            fill_actions(self.action, session, self.service_id, action)
        names = [p.name for p in people.list_people(session, service_id=self.service_id)]
        self.reported_by.setCompleter(QCompleter(names, self.reported_by))
        places = session.scalars(
            select(Incident.location).where(Incident.service_id == self.service_id).distinct()
        )
        self.location.setCompleter(QCompleter([p for p in places if p], self.location))

    def _fill_handovers(self, session: object, occurred: date, selected: int | None) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        self.handover.clear()
        self.handover.addItem("(not shared yet)", None)
        rows = session.execute(
            select(
                HandoverRecord.id, HandoverRecord.handover_date, HandoverRecord.shift, Person.name
            )
            .outerjoin(Person, Person.id == HandoverRecord.lead_id)
            .where(
                HandoverRecord.service_id == self.service_id,
                HandoverRecord.handover_date >= occurred,
                HandoverRecord.handover_date <= occurred + timedelta(days=31),
            )
            .order_by(HandoverRecord.handover_date, HandoverRecord.id)
        )
        for hid, day, shift, lead in rows:
            self.handover.addItem(
                f"{uk_date(day)} {shift} handover" + (f", led by {lead}" if lead else ""), hid
            )
        select_data(self.handover, selected)
        if self.handover.currentIndex() < 0:
            self.handover.setCurrentIndex(0)

    # --- loading and state -----------------------------------------------------------------
    def _load(self, session: object, incident: Incident) -> None:
        self.setWindowTitle(f"Incident {incident.reference}")
        self.occurred_on.set_value(incident.occurred_at.date())
        t = incident.occurred_at.time()
        self.occurred_time.setTime(QTime(t.hour, t.minute))
        select_data(self.incident_type, incident.incident_type)
        select_data(self.severity, incident.severity)
        self.person_ref.setText(incident.person_ref)
        self.location.setText(incident.location)
        self.description.setPlainText(incident.description)
        self.immediate_action.setPlainText(incident.immediate_action)
        self.reported_by.setText(incident.reported_by)
        self._fill_lists(session, incident.reviewer_id, incident.action_id)
        if incident.reviewed_on is not None:
            self.reviewed_on.set_value(incident.reviewed_on)
        self.immediate_controls.setPlainText(incident.immediate_controls)
        select_data(self.cqc, incident.cqc_notification)
        self.cqc_on.set_value(incident.cqc_notified_on)
        self.safeguarding.setChecked(incident.safeguarding_referral)
        self.safeguarding_on.set_value(incident.safeguarding_referred_on)
        self.riddor.setChecked(incident.riddor_required)
        self.riddor_on.set_value(incident.riddor_reported_on)
        self.family.setChecked(incident.family_informed)
        self.family_on.set_value(incident.family_informed_on)
        self.learning.setPlainText(incident.learning_point)
        self._fill_handovers(session, incident.occurred_at.date(), incident.handover_id)
        self.completed_on.set_value(incident.actions_completed_on)
        self.closure_evidence.setPlainText(incident.closure_evidence)
        status = learning_status(incident, self.ctx.today())
        self.learning_state.setText(status.text)
        self.learning_state.setStyleSheet(
            "color: #b3261e; font-weight: 600;" if status.late else ""
        )
        closed = incident.closed_on is not None
        self._closed = closed
        for widget in self.pages.widget(REVIEW).findChildren(QWidget):
            widget.setEnabled(not closed)
        for widget in (self.completed_on, self.closure_evidence, self.handover):
            widget.setEnabled(not closed)
        self.candour.load(session, incident)
        self.candour.setEnabled(not closed)
        self.reopen_button.setVisible(closed)
        self.reopen_button.setEnabled(closed)
        if closed:
            self.learning_state.setText(
                f"{status.text}. Closed on {uk_date(incident.closed_on)}: reopen it to change the "
                "review or the closure."
            )
        if incident.reopened_on is not None and not closed:
            self.learning_state.setText(
                f"{status.text}. Reopened on {uk_date(incident.reopened_on)}: {incident.reopen_reason}"
            )
        repeats = incidents.possible_repeats(session, incident.id)  # type: ignore[arg-type]
        if repeats:
            listed = "; ".join(
                f"{m.reference} on {uk_date(m.occurred_at)} ({m.why})" for m in repeats
            )
            self.repeats.setText(f"Possible repeat within 30 days: {listed}.")
            self.repeats.show()

    _closed = False

    def state(self) -> Hashable:
        return (
            self.occurred_on.value(),
            self.occurred_time.time().toString(),
            self.incident_type.currentData(),
            self.severity.currentData(),
            self.person_ref.text(),
            self.location.text(),
            self.description.toPlainText(),
            self.immediate_action.toPlainText(),
            self.reported_by.text(),
            self.action.currentData(),
            self.reviewer.currentData(),
            self.reviewed_on.value(),
            self.immediate_controls.toPlainText(),
            self.cqc.currentData(),
            self.cqc_on.value(),
            self.safeguarding.isChecked(),
            self.safeguarding_on.value(),
            self.riddor.isChecked(),
            self.riddor_on.value(),
            self.family.isChecked(),
            self.family_on.value(),
            self.learning.toPlainText(),
            self.handover.currentData(),
            self.completed_on.value(),
            self.closure_evidence.toPlainText(),
            self.candour.state(),
        )

    def _details(self) -> incidents.IncidentDetails:
        t = self.occurred_time.time()
        return incidents.IncidentDetails(
            occurred_at=datetime.combine(self.occurred_on.value(), time(t.hour(), t.minute())),
            incident_type=self.incident_type.currentData(),
            severity=self.severity.currentData(),
            person_ref=self.person_ref.text(),
            location=self.location.text(),
            description=self.description.toPlainText(),
            immediate_action=self.immediate_action.toPlainText(),
            reported_by=self.reported_by.text(),
            action_id=self.action.currentData(),
        )

    def _facts(self) -> Facts:
        """What the notification rules need, as the form stands now (saved or not)."""
        d = self._details()
        c = self.candour.data()
        return Facts(
            occurred_at=d.occurred_at,
            incident_type=d.incident_type,
            severity=d.severity,
            cqc_notification=self.cqc.currentData() or "",
            safeguarding_referral=self.safeguarding.isChecked(),
            riddor_required=self.riddor.isChecked(),
            notifiable_safety_incident=c.notifiable_safety_incident,
            cqc_notified_on=self.cqc_on.value(),
            safeguarding_referred_on=self.safeguarding_on.value(),
            riddor_reported_on=self.riddor_on.value(),
            candour_told_on=c.candour_told_on,
            candour_letter_on=c.candour_letter_on,
        )

    def _review_given(self) -> bool:
        return self.reviewer.currentData() is not None or bool(
            self.immediate_controls.toPlainText().strip() or self.learning.toPlainText().strip()
        )

    # --- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        today = self.ctx.today()
        details = self._details()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.incident_id is None:
                    incident = incidents.log_incident(
                        session,
                        self.service_id or 0,
                        today=today,
                        **{k: getattr(details, k) for k in details.__dataclass_fields__},
                    )
                else:
                    incident = incidents.update_incident(
                        session, self.incident_id, details, today=today
                    )
                if not self._closed:
                    self._save_review(session, incident, today)
                saved = incident.id
        except ValidationError as error:
            self.show_validation(
                [self.details, self.review, self.closure, self.candour.form], error
            )
            first = next(iter(error.errors), "")
            self.pages.setCurrentIndex(_PAGE_OF.get(first.split(".")[0], DETAILS))
            return False
        except ServiceError as exc:
            report_problem(self, "Incident", exc)
            return False
        self.incident_id = saved
        self.sig_saved.emit(saved)
        return True

    def _save_review(self, session: object, incident: Incident, today: date) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        if self._review_given():
            incidents.review_incident(
                session,
                incident.id,
                self.reviewer.currentData(),
                self.reviewed_on.value(),
                self.immediate_controls.toPlainText(),
                self.cqc.currentData(),
                cqc_notified_on=self.cqc_on.value(),
                safeguarding_referral=self.safeguarding.isChecked(),
                safeguarding_referred_on=self.safeguarding_on.value(),
                riddor_required=self.riddor.isChecked(),
                riddor_reported_on=self.riddor_on.value(),
                family_informed=self.family.isChecked(),
                family_informed_on=self.family_on.value(),
                learning_point=self.learning.toPlainText(),
                today=today,
            )
        if self.candour.given():
            record_candour(session, incident.id, self.candour.data(), today=today)
        handover = self.handover.currentData()
        if handover is not None and handover != incident.handover_id:
            incidents.share_incident_at_handover(session, incident.id, handover, today=today)
        done = self.completed_on.value()
        if done is not None:
            incidents.complete_incident_actions(
                session, incident.id, done, self.closure_evidence.toPlainText(), today=today
            )

    def reopen(self) -> None:
        if self.incident_id is None:
            return
        reason, ok = QInputDialog.getMultiLineText(
            self, "Reopen incident", "Why is it being reopened (what has not changed in practice)?"
        )
        if not ok or not reason.strip():
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                incidents.reopen_incident(
                    session, self.incident_id, self.ctx.today(), reason, today=self.ctx.today()
                )
        except ServiceError as exc:
            report_problem(self, "Reopen incident", exc)
            return
        self.changed = True
        with self.ctx.db.reading() as session:
            incident = session.get(Incident, self.incident_id)
            assert incident is not None
            self._load(session, incident)
        self.mark_clean()
