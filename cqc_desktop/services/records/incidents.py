"""Incidents: logging, the same-day management review, sharing the learning, and closing the loop.

Scenario 3's measure is the share of incidents showing review, action and learning within 7 days,
so the dates recorded here are checked carefully: nothing may be dated before the incident, and the
actions cannot be completed before the review. Functions add and flush but never commit; after each
change the incident's stored "learning met" flag and the measures counted from incidents are
brought up to date in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Evidence, HandoverRecord, Incident
from ...models.enums import CqcNotification, IncidentType, Severity, Supports
from ..errors import NotAllowed, NotFound, Problems, ValidationError
from ..plans.evidence import EvidenceInput, add_evidence
from ..trust import settings
from ..trust.permissions import Permission, require
from . import derived_measures
from .common import check_action, check_person, require_service, uk_date
from .incident_status import REPEAT_DAYS, learning_within_days, person_key

__all__ = [
    "IncidentDetails",
    "add_incident_as_evidence",
    "complete_incident_actions",
    "get_incident",
    "learning_within_days",
    "log_incident",
    "next_reference",
    "possible_repeats",
    "reopen_incident",
    "review_incident",
    "share_incident_at_handover",
    "update_incident",
]

_REFERENCE = re.compile(r"INC-(\d{4})-(\d+)")
_ROOM = re.compile(r"(?:room|rm|bedroom)\s*\.?\s*(\w+)", re.IGNORECASE)
# Words that often start a room or place reference rather than a name.
_PLACE_WORDS = frozenset(
    {"room", "rm", "bedroom", "flat", "bed", "lounge", "dining", "garden", "bathroom", "unit"}
)
_NAME_WORD = re.compile(r"[A-Z][a-z'’-]{2,}")


def tidy_person_ref(text: str) -> str:
    """One spelling per person so repeats are found: "room 12" and "RM12" become "Rm 12"."""
    text = " ".join(text.split())
    if m := _ROOM.fullmatch(text):
        return f"Rm {m[1].upper() if m[1].isalpha() else m[1]}"
    return text


def looks_like_full_name(text: str) -> bool:
    """Two or more capitalised words that are not a place: "Margaret Ellis" but not "Rm 4 MS"."""
    words = text.split()
    if any(w.lower().strip(".") in _PLACE_WORDS for w in words):
        return False
    return sum(1 for w in words if _NAME_WORD.fullmatch(w)) >= 2


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("That incident no longer exists.")
    return incident


def next_reference(session: Session, service_id: int, year: int) -> str:
    """The home's next "INC-YYYY-NNNN" for the year the incident happened."""
    references = session.scalars(
        select(Incident.reference).where(
            Incident.service_id == service_id, Incident.reference.like(f"INC-{year}-%")
        )
    )
    numbers = [int(m[2]) for r in references if (m := _REFERENCE.fullmatch(r))]
    return f"INC-{year}-{max(numbers, default=0) + 1:04d}"


def _changed(session: Session, incident: Incident, today: date | None) -> None:
    incident.learning_met = learning_within_days(incident)
    session.flush()
    derived_measures.records_changed(session, "incidents", incident.service_id, today)


@dataclass
class IncidentDetails:
    """What is recorded when an incident is logged (the review comes later)."""

    occurred_at: datetime
    incident_type: str
    severity: str
    person_ref: str
    location: str = ""
    description: str = ""
    immediate_action: str = ""
    reported_by: str = ""
    action_id: int | None = None


def _check_details(
    p: Problems, session: Session, service_id: int, data: IncidentDetails, today: date
) -> None:
    p.choice("incident_type", data.incident_type, IncidentType, "type of incident")
    p.choice("severity", data.severity, Severity, "severity")
    p.require("person_ref", data.person_ref, "Enter the person's initials or room number.")
    if looks_like_full_name(data.person_ref) and not settings.get(session, "privacy.allow_names"):
        p.add(
            "person_ref",
            "Use the person's initials or room number, not their full name "
            "(names are turned off in the privacy settings).",
        )
    if data.occurred_at.date() > today:
        p.add("occurred_at", "The incident cannot be dated in the future.")
    check_action(p, session, "action_id", data.action_id, service_id)


def _apply_details(incident: Incident, data: IncidentDetails) -> None:
    incident.occurred_at = data.occurred_at
    incident.incident_type = data.incident_type
    incident.severity = data.severity
    incident.person_ref = tidy_person_ref(data.person_ref)
    incident.location = " ".join(data.location.split())
    incident.description = data.description.strip()
    incident.immediate_action = data.immediate_action.strip()
    incident.reported_by = data.reported_by.strip()
    incident.action_id = data.action_id


def log_incident(
    session: Session,
    service_id: int,
    *,
    occurred_at: datetime,
    incident_type: str,
    severity: str,
    person_ref: str,
    location: str = "",
    description: str = "",
    immediate_action: str = "",
    reported_by: str = "",
    reference: str = "",
    action_id: int | None = None,
    today: date | None = None,
) -> Incident:
    """Log an incident. ``today`` defaults to the computer's date; tests and imports pass it."""
    require(session, Permission.RECORD)
    require_service(session, service_id)
    data = IncidentDetails(
        occurred_at,
        incident_type,
        severity,
        person_ref,
        location,
        description,
        immediate_action,
        reported_by,
        action_id,
    )
    p = Problems()
    _check_details(p, session, service_id, data, today or date.today())
    reference = reference.strip()
    if reference and session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.service_id == service_id,
            func.lower(Incident.reference) == reference.lower(),
        )
    ):
        p.add("reference", f"Another incident at this home already has the reference {reference}.")
    p.raise_if_any()
    incident = Incident(
        service_id=service_id,
        reference=reference or next_reference(session, service_id, occurred_at.year),
    )
    _apply_details(incident, data)
    session.add(incident)
    _changed(session, incident, today)
    return incident


def update_incident(
    session: Session, incident_id: int, data: IncidentDetails, *, today: date | None = None
) -> Incident:
    """Correct what was logged. The review already recorded must still come after the incident."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    p = Problems()
    _check_details(p, session, incident.service_id, data, today or date.today())
    occurred = data.occurred_at.date()
    for field, on, what in (
        ("occurred_at", incident.reviewed_on, "the management review"),
        ("occurred_at", incident.actions_completed_on, "the actions were completed"),
    ):
        if on is not None and on < occurred:
            p.add(field, f"The incident cannot be after {what} ({uk_date(on)}).")
    p.raise_if_any()
    _apply_details(incident, data)
    _changed(session, incident, today)
    return incident


def _check_dated_flag(
    p: Problems, field: str, flag: bool, on: date | None, what: str, occurred: date
) -> None:
    if on is not None and not flag:
        p.add(field, f"A date is given but {what} is not ticked: tick it or clear the date.")
    if on is not None and on < occurred:
        p.add(field, f"The date {what} cannot be before the incident ({uk_date(occurred)}).")


def review_incident(
    session: Session,
    incident_id: int,
    reviewer_id: int | None,
    reviewed_on: date,
    immediate_controls: str,
    cqc_notification: str,
    *,
    cqc_notified_on: date | None = None,
    safeguarding_referral: bool = False,
    safeguarding_referred_on: date | None = None,
    riddor_required: bool = False,
    riddor_reported_on: date | None = None,
    family_informed: bool = False,
    family_informed_on: date | None = None,
    learning_point: str = "",
    today: date | None = None,
) -> Incident:
    """Record the management review. It can be saved again to add the learning point later."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    if incident.closed_on is not None:
        raise NotAllowed(
            f"This incident was closed on {uk_date(incident.closed_on)}. "
            "Reopen it before changing the review."
        )
    occurred = incident.occurred_at.date()
    p = Problems()
    check_person(p, session, "reviewer_id", reviewer_id, "Choose the reviewer from the staff list.")
    if reviewed_on < occurred:
        p.add("reviewed_on", f"The review cannot be before the incident ({uk_date(occurred)}).")
    elif today is not None and reviewed_on > today:
        p.add("reviewed_on", "The review cannot be dated in the future.")
    p.require(
        "immediate_controls",
        immediate_controls,
        "Record the immediate controls put in place to keep people safe.",
    )
    p.choice("cqc_notification", cqc_notification, CqcNotification, "CQC notification")
    if incident.severity == Severity.DEATH and cqc_notification != CqcNotification.REG16:
        p.add(
            "cqc_notification",
            "The death of someone using the service must be notified to CQC under Regulation 16.",
        )
    _check_dated_flag(
        p,
        "cqc_notified_on",
        cqc_notification != CqcNotification.NONE,
        cqc_notified_on,
        "CQC was notified",
        occurred,
    )
    _check_dated_flag(
        p,
        "safeguarding_referred_on",
        safeguarding_referral,
        safeguarding_referred_on,
        "the safeguarding referral",
        occurred,
    )
    _check_dated_flag(
        p, "riddor_reported_on", riddor_required, riddor_reported_on, "the RIDDOR report", occurred
    )
    _check_dated_flag(
        p,
        "family_informed_on",
        family_informed,
        family_informed_on,
        "the family was informed",
        occurred,
    )
    p.raise_if_any()
    incident.reviewer_id = reviewer_id
    incident.reviewed_on = reviewed_on
    incident.immediate_controls = immediate_controls.strip()
    incident.cqc_notification = cqc_notification
    incident.cqc_notified_on = cqc_notified_on
    incident.safeguarding_referral = safeguarding_referral
    incident.safeguarding_referred_on = safeguarding_referred_on
    incident.riddor_required = riddor_required
    incident.riddor_reported_on = riddor_reported_on
    incident.family_informed = family_informed
    incident.family_informed_on = family_informed_on
    incident.learning_point = learning_point.strip()
    _changed(session, incident, today)
    return incident


def share_incident_at_handover(
    session: Session, incident_id: int, handover_id: int, *, today: date | None = None
) -> Incident:
    """Link the incident to the handover where its learning was shared.

    The learning point is added to the handover's own learning points (if not already there) so
    the handover record, signed by the staff present, shows what they heard.
    """
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    handover = session.get(HandoverRecord, handover_id)
    if handover is None:
        raise NotFound("That handover record no longer exists.")
    p = Problems()
    if handover.service_id != incident.service_id:
        p.add("handover_id", "Choose a handover at the same home as the incident.")
    if not incident.learning_point.strip():
        p.add("learning_point", "Record the learning point in the review before sharing it.")
    if handover.handover_date < incident.occurred_at.date():
        p.add("handover_id", "The handover was before the incident happened.")
    p.raise_if_any()
    incident.handover_id = handover.id
    line = f"{incident.reference}: {incident.learning_point}"
    if incident.learning_point not in handover.learning_points:
        handover.learning_points = "\n".join(filter(None, [handover.learning_points, line]))
    _changed(session, incident, today)
    return incident


def complete_incident_actions(
    session: Session,
    incident_id: int,
    on: date,
    closure_evidence: str,
    *,
    today: date | None = None,
) -> Incident:
    """Mark the incident's actions done and close it, with the evidence that they were done."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    p = Problems()
    if incident.closed_on is not None:
        p.add(
            "actions_completed_on",
            f"This incident's actions were completed on {uk_date(incident.closed_on)}.",
        )
    if incident.reviewed_on is None:
        p.add("reviewed_on", "Complete the management review before completing the actions.")
    elif on < incident.reviewed_on:
        p.add(
            "actions_completed_on",
            f"The actions cannot be completed before the review ({uk_date(incident.reviewed_on)}).",
        )
    if today is not None and on > today:
        p.add("actions_completed_on", "The actions cannot be completed in the future.")
    p.require(
        "closure_evidence",
        closure_evidence,
        "Describe the evidence that the actions are done and practice has changed.",
    )
    p.raise_if_any()
    incident.actions_completed_on = on
    incident.closed_on = on
    incident.closure_evidence = closure_evidence.strip()
    _changed(session, incident, today)
    return incident


def reopen_incident(
    session: Session,
    incident_id: int,
    on: date,
    reason: str = "",
    *,
    today: date | None = None,
) -> Incident:
    """Reopen where practice has not changed. The completion date is cleared, so the incident no
    longer counts as learning within 7 days until its actions are completed again."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    if incident.closed_on is None:
        raise ValidationError.single("reopened_on", "Only a closed incident can be reopened.")
    if on < incident.closed_on:
        closed = uk_date(incident.closed_on)
        raise ValidationError.single(
            "reopened_on", f"It cannot be reopened before it was closed ({closed})."
        )
    incident.reopened_on = on
    incident.reopen_reason = reason.strip()
    incident.closed_on = None
    incident.actions_completed_on = None
    _changed(session, incident, today)
    return incident


def add_incident_as_evidence(
    session: Session,
    incident_id: int,
    action_id: int,
    *,
    supports: str = Supports.YES.value,
    note: str = "",
    tested_by_id: int | None = None,
    tested_on: date | None = None,
    today: date | None = None,
) -> Evidence:
    """Use an incident as evidence for an action (source: incident review), once per action."""
    require(session, Permission.RECORD)
    incident = get_incident(session, incident_id)
    p = Problems()
    check_action(p, session, "action_id", action_id, incident.service_id)
    if session.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.action_id == action_id, Evidence.incident_id == incident.id)
    ):
        p.add("action_id", f"{incident.reference} is already evidence for that action.")
    p.raise_if_any()
    summary = [
        f"{incident.incident_type} ({incident.severity.lower()}) on "
        f"{uk_date(incident.occurred_at.date())}, {incident.person_ref}.",
        incident.learning_point and f"Learning: {incident.learning_point}",
        incident.closure_evidence and f"Closure evidence: {incident.closure_evidence}",
        note.strip(),
    ]
    return add_evidence(
        session,
        action_id,
        EvidenceInput(
            title=f"Incident {incident.reference}: {incident.incident_type.lower()} review",
            source_type="incident_review",
            collected_on=incident.reviewed_on or incident.occurred_at.date(),
            supports=supports,
            description="\n".join(line for line in summary if line),
            tested_by_id=tested_by_id,
            tested_on=tested_on,
            incident_id=incident.id,
        ),
        today=today,
    )


@dataclass(frozen=True)
class RepeatMatch:
    incident_id: int
    reference: str
    occurred_at: datetime
    why: str  # "same person" or "same location"


def possible_repeats(session: Session, incident_id: int) -> list[RepeatMatch]:
    """Incidents of the same type for the same person or place within 30 days either side."""
    incident = get_incident(session, incident_id)
    window = timedelta(days=REPEAT_DAYS)
    others = session.scalars(
        select(Incident)
        .where(
            Incident.service_id == incident.service_id,
            Incident.incident_type == incident.incident_type,
            Incident.id != incident.id,
            Incident.occurred_at >= incident.occurred_at - window,
            Incident.occurred_at <= incident.occurred_at + window,
        )
        .order_by(Incident.occurred_at)
    )
    me = person_key(incident.person_ref)
    place = incident.location.strip().lower()
    out = []
    for other in others:
        if me and person_key(other.person_ref) == me:
            out.append(RepeatMatch(other.id, other.reference, other.occurred_at, "same person"))
        elif place and other.location.strip().lower() == place:
            out.append(RepeatMatch(other.id, other.reference, other.occurred_at, "same location"))
    return out
