"""What a derived measure's conditions can test, for each source: a tracker's columns, or the
fields of an incident or an observation (some worked out, like "learning within 7 days")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ...models import Incident, Observation, Tracker
from ...models.enums import CqcNotification, IncidentType, ObservationArea, Outcome, Severity, Shift
from ..errors import ValidationError
from .derived_rules import FieldSpec, known
from .incident_status import learning_in_time, reviewed_within

IncidentGetter = Callable[[Incident, date], Any]

INCIDENT_FIELDS: tuple[tuple[FieldSpec, IncidentGetter], ...] = (
    (
        FieldSpec("incident_type", "Type", "choice", tuple(IncidentType)),
        lambda i, t: i.incident_type,
    ),
    (FieldSpec("severity", "Severity", "choice", tuple(Severity)), lambda i, t: i.severity),
    (FieldSpec("person_ref", "Person reference", "text"), lambda i, t: i.person_ref),
    (FieldSpec("location", "Location", "text"), lambda i, t: i.location),
    (
        FieldSpec("cqc_notification", "CQC notification", "choice", tuple(CqcNotification)),
        lambda i, t: i.cqc_notification,
    ),
    (
        FieldSpec("safeguarding_referral", "Safeguarding referral made", "yes/no"),
        lambda i, t: i.safeguarding_referral,
    ),
    (FieldSpec("riddor_required", "RIDDOR reportable", "yes/no"), lambda i, t: i.riddor_required),
    (
        FieldSpec("family_informed", "Family or representative informed", "yes/no"),
        lambda i, t: i.family_informed,
    ),
    (
        FieldSpec("reviewed", "Management review done", "yes/no"),
        lambda i, t: i.reviewed_on is not None,
    ),
    (
        FieldSpec("reviewed_same_day", "Reviewed the same day", "yes/no"),
        lambda i, t: known(reviewed_within(i, 0, t)),
    ),
    (
        FieldSpec("reviewed_within_7_days", "Reviewed within 7 days", "yes/no"),
        lambda i, t: known(reviewed_within(i, 7, t)),
    ),
    (
        FieldSpec(
            "learning_within_7_days", "Reviewed with action and learning within 7 days", "yes/no"
        ),
        lambda i, t: known(learning_in_time(i, t)),
    ),
    (
        FieldSpec("shared_at_handover", "Learning shared at handover", "yes/no"),
        lambda i, t: i.handover_id is not None,
    ),
    (FieldSpec("closed", "Closed", "yes/no"), lambda i, t: i.closed_on is not None),
    (FieldSpec("reopened", "Reopened", "yes/no"), lambda i, t: i.reopened_on is not None),
)

ObservationGetter = Callable[[Observation, date], Any]

OBSERVATION_FIELDS: tuple[tuple[FieldSpec, ObservationGetter], ...] = (
    (FieldSpec("area", "Area", "choice", tuple(ObservationArea)), lambda o, t: o.area),
    (FieldSpec("outcome", "Outcome", "choice", tuple(Outcome)), lambda o, t: o.outcome),
    (FieldSpec("shift", "Shift", "choice", tuple(Shift)), lambda o, t: o.shift or None),
    (FieldSpec("staff_observed", "Staff observed", "text"), lambda o, t: o.staff_observed),
    (
        FieldSpec("linked_to_action", "Linked to an action", "yes/no"),
        lambda o, t: o.action_id is not None,
    ),
)


def fields_for(session: Session, source: str, tracker_id: int | None = None) -> list[FieldSpec]:
    """What a condition can test, for the measure dialog's field list."""
    if source == "incidents":
        return [spec for spec, _ in INCIDENT_FIELDS]
    if source == "observations":
        return [spec for spec, _ in OBSERVATION_FIELDS]
    if source == "tracker":
        tracker = session.get(Tracker, tracker_id) if tracker_id is not None else None
        if tracker is None:
            raise ValidationError.single("tracker_id", "Choose the tracker to count rows from.")
        return [
            FieldSpec(c["key"], c["label"], c["type"], tuple(c.get("choices", ())))
            for c in tracker.columns
        ]
    raise ValidationError.single(
        "source", "Choose what to count: tracker rows, incidents or observations."
    )
