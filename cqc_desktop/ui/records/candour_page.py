"""The incident dialog's "Candour and notifications" page: the duty-of-candour question in plain
words, who was told, when, by whom and how, the apology, the letter and the outcome shared; the
GP, NHS 111 or ambulance contact; and every notification the incident needs, with its due date and
whether it was made on time (late and missing ones in red)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ...models import Incident
from ...services.records import candour
from ...services.records.notifications import Facts, checks
from ..context import AppContext
from ..widgets.forms import Form, OptionalDateEdit, combo_of, select_data, text_box
from ..widgets.signed_in import fill_people

LATE_STYLE = "color: #b3261e; font-weight: 600;"


class CandourPage(QScrollArea):
    """Fields named as ``candour.CandourInput``'s, so the service's messages land beside them."""

    FIELDS = (
        "notifiable_safety_incident",
        "candour_told_on",
        "candour_told_who",
        "candour_told_by_id",
        "candour_method",
        "candour_apology",
        "candour_letter_on",
        "candour_outcome_shared_on",
        "medical_contact",
        "medical_contact_at",
    )

    def __init__(self, ctx: AppContext, facts: Callable[[], Facts]) -> None:
        super().__init__()
        self.ctx = ctx
        self._facts = facts
        today = ctx.today()
        self.form = Form()
        self.answer_group = QButtonGroup(self)
        self.answers: dict[str, QRadioButton] = {}
        answer_row = QWidget()
        al = QHBoxLayout(answer_row)
        al.setContentsMargins(0, 0, 0, 0)
        for value, text in (("Yes", "Yes"), ("No", "No"), ("", "Not decided yet")):
            radio = QRadioButton(text)
            self.answer_group.addButton(radio)
            self.answers[value] = radio
            al.addWidget(radio)
        al.addStretch(1)
        self.answers[""].setChecked(True)
        self.question = QLabel(candour.QUESTION)
        self.question.setWordWrap(True)
        self.decision_note = QLabel()
        self.decision_note.setWordWrap(True)
        self.decision_note.setStyleSheet(LATE_STYLE)
        self.told_on = OptionalDateEdit("Told on", today)
        self.told_who = QLineEdit()
        self.told_who.setPlaceholderText('Who, by reference, e.g. "daughter (next of kin)"')
        self.told_by = QComboBox()
        self.method = combo_of([(m, m) for m in candour.METHODS], blank="(choose)")
        self.apology = text_box(2, "The apology, in the words used")
        self.letter_on = OptionalDateEdit("Letter sent on", today)
        self.outcome_on = OptionalDateEdit("Outcome shared on", today)
        self.medical = combo_of([(m, m) for m in candour.MEDICAL_CONTACTS], blank="(none)")
        self.medical_set = QCheckBox("Contacted at")
        now = datetime.now().time().replace(second=0, microsecond=0)
        self.medical_at = QDateTimeEdit(QDateTime(datetime.combine(today, now)))
        self.medical_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.medical_at.setCalendarPopup(True)
        self.medical_at.setAccessibleName("Medical contact time")
        self.medical_at.setEnabled(False)
        self.medical_set.toggled.connect(self.medical_at.setEnabled)
        medical_row = QWidget()
        ml = QHBoxLayout(medical_row)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.medical)
        ml.addWidget(self.medical_set)
        ml.addWidget(self.medical_at)
        ml.addStretch(1)
        self.checks = QLabel()
        self.checks.setWordWrap(True)
        self.checks.setTextFormat(self.checks.textFormat().RichText)
        f = self.form
        f.addRow(QLabel("<b>Duty of candour</b> (Regulation 20)"))
        f.addRow(self.question)
        f.add_field("notifiable_safety_incident", "&Notifiable?", answer_row)
        f.addRow("", self.decision_note)
        f.add_field("candour_told_on", "&Told:", self.told_on)
        f.add_field("candour_told_who", "&Who was told:", self.told_who)
        f.add_field("candour_told_by_id", "Told &by:", self.told_by)
        f.add_field("candour_method", "&How:", self.method)
        f.add_field("candour_apology", "A&pology:", self.apology)
        f.add_field("candour_letter_on", "&Letter:", self.letter_on)
        f.add_field("candour_outcome_shared_on", "&Outcome shared:", self.outcome_on)
        f.add_field(
            "medical_contact",
            "G&P / 111 / ambulance:",
            medical_row,
            aliases=("medical_contact_at",),
        )
        f.addRow(QLabel("<b>Notifications this incident needs</b>"))
        f.addRow(self.checks)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(f)
        column.addStretch(1)
        self.setWidgetResizable(True)
        self.setWidget(body)

    def fill(self, session: Session, service_id: int | None, selected: int | None) -> None:
        fill_people(self.told_by, session, service_id, blank="(choose)", selected=selected)

    def load(self, session: Session, incident: Incident) -> None:
        self.fill(session, incident.service_id, incident.candour_told_by_id)
        self.answers[incident.notifiable_safety_incident or ""].setChecked(True)
        self.told_on.set_value(incident.candour_told_on)
        self.told_who.setText(incident.candour_told_who)
        select_data(self.method, incident.candour_method or None)
        self.apology.setPlainText(incident.candour_apology)
        self.letter_on.set_value(incident.candour_letter_on)
        self.outcome_on.set_value(incident.candour_outcome_shared_on)
        select_data(self.medical, incident.medical_contact or None)
        self.medical_set.setChecked(incident.medical_contact_at is not None)
        if incident.medical_contact_at is not None:
            self.medical_at.setDateTime(QDateTime(incident.medical_contact_at))
        self.refresh()

    def answer(self) -> str:
        return next((v for v, r in self.answers.items() if r.isChecked()), "")

    def data(self) -> candour.CandourInput:
        at: datetime | None = None
        if self.medical_set.isChecked():
            at = self.medical_at.dateTime().toPython().replace(second=0, microsecond=0)  # type: ignore[union-attr]
        return candour.CandourInput(
            notifiable_safety_incident=self.answer(),
            candour_told_on=self.told_on.value(),
            candour_told_who=self.told_who.text(),
            candour_told_by_id=self.told_by.currentData(),
            candour_method=self.method.currentData() or "",
            candour_apology=self.apology.toPlainText(),
            candour_letter_on=self.letter_on.value(),
            candour_outcome_shared_on=self.outcome_on.value(),
            medical_contact=self.medical.currentData() or "",
            medical_contact_at=at,
        )

    def given(self) -> bool:
        """Whether anything is recorded here (an untouched page saves nothing)."""
        return self.data() != candour.CandourInput()

    def state(self) -> Hashable:
        return tuple(vars(self.data()).values())

    def refresh(self) -> None:
        """Show where each notification stands, from the form as it is now."""
        facts = self._facts()
        self.decision_note.setText(
            "This incident is recorded as moderate harm or worse: decide whether the duty of "
            "candour applies."
            if candour.decision_needed(facts.severity, facts.notifiable_safety_incident)
            else ""
        )
        self.decision_note.setVisible(bool(self.decision_note.text()))
        found = checks(facts, self.ctx.today())
        if not found:
            self.checks.setText("None: no notification rule applies to this incident as recorded.")
            return
        lines = []
        for check in found:
            text = check.text.replace("&", "&amp;").replace("<", "&lt;")
            bad = check.late or check.overdue
            mark = "✘" if bad else ("✔" if check.done_on is not None else "•")
            style = LATE_STYLE if bad else ""
            lines.append(f"<span style='{style}'>{mark} {text}</span>")
        self.checks.setText("<br>".join(lines))
