"""Incidents: logging, the same-day management review, sharing the learning, and closing the loop.

Scenario 3's measure is the share of incidents showing review, action and learning within 7 days,
so the dates recorded here are checked carefully: nothing may be dated before the incident, and the
actions cannot be completed before the review. Functions add and flush but never commit.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import HandoverRecord, Incident
from ..models.enums import CqcNotification, IncidentType, Severity
from .errors import NotAllowed, NotFound, Problems, ValidationError
from .records import check_person, require_service, uk_date

_REFERENCE = re.compile(r"INC-(\d{4})-(\d+)")


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
    require_service(session, service_id)
    today = today or date.today()
    p = Problems()
    p.choice("incident_type", incident_type, IncidentType, "type of incident")
    p.choice("severity", severity, Severity, "severity")
    p.require("person_ref", person_ref, "Enter the person's initials or room number.")
    if occurred_at.date() > today:
        p.add("occurred_at", "The incident cannot be dated in the future.")
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
        occurred_at=occurred_at,
        incident_type=incident_type,
        severity=severity,
        person_ref=person_ref.strip(),
        location=location.strip(),
        description=description.strip(),
        immediate_action=immediate_action.strip(),
        reported_by=reported_by.strip(),
        action_id=action_id,
    )
    session.add(incident)
    session.flush()
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
) -> Incident:
    """Record the management review. It can be saved again to add the learning point later."""
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
    session.flush()
    return incident


def share_incident_at_handover(session: Session, incident_id: int, handover_id: int) -> Incident:
    """Link the incident to the handover where its learning was shared.

    The learning point is added to the handover's own learning points (if not already there) so
    the handover record, signed by the staff present, shows what they heard.
    """
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
    session.flush()
    return incident


def complete_incident_actions(
    session: Session, incident_id: int, on: date, closure_evidence: str
) -> Incident:
    """Mark the incident's actions done and close it, with the evidence that they were done."""
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
    p.require(
        "closure_evidence",
        closure_evidence,
        "Describe the evidence that the actions are done and practice has changed.",
    )
    p.raise_if_any()
    incident.actions_completed_on = on
    incident.closed_on = on
    incident.closure_evidence = closure_evidence.strip()
    session.flush()
    return incident


def reopen_incident(session: Session, incident_id: int, on: date) -> Incident:
    """Reopen where practice has not changed. The completion date is cleared, so the incident no
    longer counts as learning within 7 days until its actions are completed again."""
    incident = get_incident(session, incident_id)
    if incident.closed_on is None:
        raise ValidationError.single("reopened_on", "Only a closed incident can be reopened.")
    if on < incident.closed_on:
        closed = uk_date(incident.closed_on)
        raise ValidationError.single(
            "reopened_on", f"It cannot be reopened before it was closed ({closed})."
        )
    incident.reopened_on = on
    incident.closed_on = None
    incident.actions_completed_on = None
    session.flush()
    return incident


def learning_within_days(incident: Incident, days: int = 7) -> bool:
    """Scenario 3's test: reviewed, a learning point recorded, and actions done within ``days``
    of the incident (counting calendar days from the day it happened)."""
    if incident.reviewed_on is None or not incident.learning_point.strip():
        return False
    if incident.actions_completed_on is None:
        return False
    return (incident.actions_completed_on - incident.occurred_at.date()).days <= days
