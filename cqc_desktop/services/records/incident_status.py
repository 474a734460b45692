"""Scenario 3's rules for one incident: was it reviewed, and were action and learning done in time?

Pure functions over anything shaped like an incident (the ORM row or a listing row), so the incidents
list, the derived measures and the alerts all read the same answer. ``None`` from a yes/no rule
means "not known yet": the incident's window is still open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

LEARNING_DAYS = 7
REPEAT_DAYS = 30


class IncidentLike(Protocol):
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def reviewed_on(self) -> date | None: ...
    @property
    def learning_point(self) -> str: ...
    @property
    def actions_completed_on(self) -> date | None: ...


def learning_due(incident: IncidentLike, days: int = LEARNING_DAYS) -> date:
    return incident.occurred_at.date() + timedelta(days=days)


def learning_within_days(incident: IncidentLike, days: int = LEARNING_DAYS) -> bool:
    """Scenario 3's test: reviewed, a learning point recorded, and actions done within ``days``
    of the incident (counting calendar days from the day it happened)."""
    if incident.reviewed_on is None or not incident.learning_point.strip():
        return False
    if incident.actions_completed_on is None:
        return False
    return incident.actions_completed_on <= learning_due(incident, days)


@dataclass(frozen=True)
class LearningStatus:
    state: str  # "met", "late" or "due"
    text: str

    @property
    def late(self) -> bool:
        return self.state == "late"


def learning_status(incident: IncidentLike, today: date) -> LearningStatus:
    """What the incidents list shows in its "7-day learning" column."""
    due = learning_due(incident)
    if learning_within_days(incident):
        assert incident.actions_completed_on is not None
        days = (incident.actions_completed_on - incident.occurred_at.date()).days
        if days == 0:
            return LearningStatus("met", "Met the same day")
        return LearningStatus("met", f"Met in {days} day{'s' if days != 1 else ''}")
    if today > due:
        missing = _missing(incident)
        return LearningStatus("late", f"Late ({missing})" if missing else "Late")
    if today == due:
        return LearningStatus("due", "Due today")
    return LearningStatus("due", f"Due {due:%d/%m/%Y}")


def _missing(incident: IncidentLike) -> str:
    if incident.reviewed_on is None:
        return "no review"
    if not incident.learning_point.strip():
        return "no learning point"
    if incident.actions_completed_on is None:
        return "actions open"
    return "actions done after 7 days"


def reviewed_within(incident: IncidentLike, days: int, today: date) -> bool | None:
    """True/False once known; None while the window is open and the review not yet done."""
    occurred = incident.occurred_at.date()
    if incident.reviewed_on is not None:
        return (incident.reviewed_on - occurred).days <= days
    return False if (today - occurred).days > days else None


def learning_in_time(incident: IncidentLike, today: date) -> bool | None:
    if learning_within_days(incident):
        return True
    return False if today > learning_due(incident) else None


_ROOM = re.compile(r"\b(room|rm|bedroom|bed)\b", re.IGNORECASE)


def person_key(person_ref: str) -> str:
    """ "Rm 12", "room 12" and "RM12" are the same person reference for repeat detection."""
    text = _ROOM.sub("rm", person_ref.lower())
    return re.sub(r"[^a-z0-9]+", "", text)
