"""Duty of candour (Regulation 20) and the GP, NHS 111 or ambulance contact, on an incident.

The question is asked in plain words: did someone suffer moderate harm or worse, or prolonged
psychological harm, that was or may have been caused by the care given? If so, the relevant person
is told (in person or by phone) with an apology, the telling is followed up in writing, and the
outcome of enquiries is shared. When each is due, and whether it was late, comes from
``notifications``. Functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ...models.enums import Severity
from ..errors import NotAllowed, Problems
from ..trust.permissions import Permission, require
from .common import check_person, uk_date
from .incidents import get_incident

QUESTION = (
    "Did someone suffer moderate harm or worse, or prolonged psychological harm, that was or "
    "may have been caused by the care given?"
)
ANSWERS = ("Yes", "No")
METHODS = ("In person", "By phone")
MEDICAL_CONTACTS = ("GP", "NHS 111", "Ambulance (999)", "Out-of-hours doctor", "Not needed")
MODERATE_OR_WORSE = frozenset({Severity.MODERATE, Severity.SEVERE, Severity.DEATH})


@dataclass
class CandourInput:
    notifiable_safety_incident: str = ""
    candour_told_on: date | None = None
    candour_told_who: str = ""
    candour_told_by_id: int | None = None
    candour_method: str = ""
    candour_apology: str = ""
    candour_letter_on: date | None = None
    candour_outcome_shared_on: date | None = None
    medical_contact: str = ""
    medical_contact_at: datetime | None = None


def decision_needed(severity: str, answer: str) -> bool:
    """Moderate harm or worse and nobody has yet said whether the duty of candour applies."""
    return severity in MODERATE_OR_WORSE and not answer


def record_candour(
    session: Session, incident_id: int, data: CandourInput, *, today: date | None = None
) -> None:
    """Record the candour decision and steps, and the medical contact, on an incident."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    if incident.closed_on is not None:
        raise NotAllowed(
            f"This incident was closed on {uk_date(incident.closed_on)}. "
            "Reopen it before changing the duty of candour."
        )
    today = today or date.today()
    occurred = incident.occurred_at.date()
    p = Problems()
    answer = data.notifiable_safety_incident
    if answer and answer not in ANSWERS:
        p.add("notifiable_safety_incident", "Answer Yes or No, or leave it until you know.")
    if answer != "Yes" and any(
        (data.candour_told_on, data.candour_letter_on, data.candour_outcome_shared_on)
    ):
        p.add(
            "notifiable_safety_incident",
            "Dates for the duty of candour are given: answer Yes to the question first.",
        )
    for name, on, what in (
        ("candour_told_on", data.candour_told_on, "the person was told"),
        ("candour_letter_on", data.candour_letter_on, "the letter was sent"),
        ("candour_outcome_shared_on", data.candour_outcome_shared_on, "the outcome was shared"),
    ):
        if on is None:
            continue
        if on < occurred:
            p.add(name, f"The date {what} cannot be before the incident ({uk_date(occurred)}).")
        elif on > today:
            p.add(name, f"The date {what} cannot be in the future.")
    if data.candour_told_on is not None:
        p.require("candour_told_who", data.candour_told_who, "Say who was told (by reference).")
        if data.candour_method not in METHODS:
            p.add("candour_method", "Say whether they were told in person or by phone.")
        p.require("candour_apology", data.candour_apology, "Record the apology given.")
        check_person(
            p,
            session,
            "candour_told_by_id",
            data.candour_told_by_id,
            "Choose who told them from the staff list.",
        )
    for name, later in (
        ("candour_letter_on", data.candour_letter_on),
        ("candour_outcome_shared_on", data.candour_outcome_shared_on),
    ):
        if later is not None and (data.candour_told_on is None or later < data.candour_told_on):
            p.add(name, "Record when the person was told first: this follows the telling.")
    if data.medical_contact and data.medical_contact not in MEDICAL_CONTACTS:
        p.add("medical_contact", f"Choose one of: {', '.join(MEDICAL_CONTACTS)}.")
    if data.medical_contact_at is not None:
        if not data.medical_contact or data.medical_contact == "Not needed":
            p.add("medical_contact", "Say who was contacted (GP, NHS 111 or ambulance).")
        elif data.medical_contact_at < incident.occurred_at:
            p.add("medical_contact_at", "The contact cannot be before the incident.")
    p.raise_if_any()
    for name, value in vars(data).items():
        setattr(incident, name, value.strip() if isinstance(value, str) else value)
    if data.candour_told_on is not None:
        # The older "family told" tick on the review says the same thing; keep them agreeing.
        incident.family_informed = True
        incident.family_informed_on = incident.family_informed_on or data.candour_told_on
    session.flush()
