"""Which notifications an incident needs, when each is due, and whether it was made on time.

The rules are versioned data (``resources/reference/notification_rules.json``): which incidents
each notification applies to (by severity, type, or what the review ticked), how long after the
incident it is due (calendar or working days), and which recorded date says it was done. An
incident's facts are read into a plain :class:`Facts` so the dialog can check what is on screen
before it is saved, and the dashboard can check what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...models import Incident, Service
from ..reference import REFERENCE
from .common import load_json, uk_date
from .working_days import add_working_days

RULES_FILE = "notification_rules.json"
LOOK_BACK_DAYS = 180
"""The dashboard looks for missing notifications on incidents of the last six months."""


@dataclass(frozen=True)
class Rule:
    key: str
    name: str
    applies_if_any: tuple[tuple[str, tuple[Any, ...]], ...]
    unless_any: tuple[tuple[str, tuple[Any, ...]], ...]
    days: int
    working: bool
    done_field: str


@dataclass(frozen=True)
class Rules:
    version: str
    source: str
    rules: tuple[Rule, ...]


def _conditions(items: list[dict[str, Any]]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    return tuple((c["field"], tuple(c["in"])) for c in items)


@cache
def rules() -> Rules:
    data = load_json(REFERENCE / RULES_FILE)
    out = []
    for r in data["rules"]:
        due = r["due"]
        out.append(
            Rule(
                key=r["key"],
                name=r["name"],
                applies_if_any=_conditions(r["applies_if_any"]),
                unless_any=_conditions(r.get("unless_any", [])),
                days=int(due.get("working_days", due.get("days", 0))),
                working="working_days" in due,
                done_field=r["done_field"],
            )
        )
    return Rules(str(data["version"]), data["source"], tuple(out))


@dataclass(frozen=True)
class Facts:
    """What the rules look at, as recorded (or as typed into the incident form)."""

    occurred_at: datetime
    incident_type: str
    severity: str
    cqc_notification: str = ""
    safeguarding_referral: bool = False
    riddor_required: bool = False
    notifiable_safety_incident: str = ""
    cqc_notified_on: date | None = None
    safeguarding_referred_on: date | None = None
    riddor_reported_on: date | None = None
    candour_told_on: date | None = None
    candour_letter_on: date | None = None


FACT_FIELDS = tuple(f.name for f in fields(Facts))


def facts_of(incident: Incident) -> Facts:
    return Facts(**{name: getattr(incident, name) for name in FACT_FIELDS})


@dataclass(frozen=True)
class Check:
    """One notification an incident needs, and where it stands."""

    key: str
    name: str
    due: date
    done_on: date | None
    overdue: bool  # not made, and its day has passed
    late: bool  # made after its day

    @property
    def text(self) -> str:
        if self.done_on is None:
            return (
                f"{self.name}: overdue, was due by {uk_date(self.due)}"
                if self.overdue
                else (f"{self.name}: due by {uk_date(self.due)}")
            )
        when = f"made {uk_date(self.done_on)}"
        return (
            f"{self.name}: {when}, late (due by {uk_date(self.due)})"
            if self.late
            else (f"{self.name}: {when}, on time")
        )


def _matches(facts: Facts, conditions: tuple[tuple[str, tuple[Any, ...]], ...]) -> bool:
    return any(getattr(facts, name) in values for name, values in conditions)


def due_date(rule: Rule, occurred: date) -> date:
    if rule.working:
        return add_working_days(occurred, rule.days)
    return occurred + timedelta(days=rule.days)


def checks(facts: Facts, today: date) -> list[Check]:
    """The notifications these facts need, each with its due date and whether it is on time.
    Due on a day means by the end of it: overdue from the day after."""
    out: list[Check] = []
    occurred = facts.occurred_at.date()
    for rule in rules().rules:
        if not _matches(facts, rule.applies_if_any) or _matches(facts, rule.unless_any):
            continue
        due = due_date(rule, occurred)
        done: date | None = getattr(facts, rule.done_field)
        out.append(
            Check(
                rule.key,
                rule.name,
                due,
                done,
                overdue=done is None and today > due,
                late=done is not None and done > due,
            )
        )
    return out


@dataclass(frozen=True)
class MissingNotification:
    incident_id: int
    reference: str
    service: str
    name: str
    due: date
    days_overdue: int


def overdue(
    session: Session, today: date, service_id: int | None = None
) -> list[MissingNotification]:
    """Notifications not made by their date, for incidents of the last six months, oldest first."""
    stmt = (
        select(Incident, Service.name)
        .join(Service, Service.id == Incident.service_id)
        .where(
            Incident.occurred_at
            >= datetime.combine(today - timedelta(days=LOOK_BACK_DAYS), datetime.min.time()),
            # Only incidents some rule applies to (the same conditions, asked in SQL).
            or_(
                *(
                    getattr(Incident, name).in_(values)
                    for rule in rules().rules
                    for name, values in rule.applies_if_any
                )
            ),
        )
    )
    if service_id is not None:
        stmt = stmt.where(Incident.service_id == service_id)
    out: list[MissingNotification] = []
    for incident, home in session.execute(stmt):
        for check in checks(facts_of(incident), today):
            if check.overdue:
                out.append(
                    MissingNotification(
                        incident.id,
                        incident.reference,
                        home,
                        check.name,
                        check.due,
                        (today - check.due).days,
                    )
                )
    out.sort(key=lambda m: (m.due, m.reference, m.name))
    return out
