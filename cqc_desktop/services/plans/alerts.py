"""Triggers: the early warnings that an action is slipping, raised once and kept when acknowledged.

``scan`` looks for every trigger and stores an ``Alert`` for each one not seen before. Each alert has
a stable ``source_key`` naming exactly what fired (a measure point, a review date, an observation, an
incident), so running the scan again, or on another PC sharing the database, never raises it twice.

Only recent records are scanned (``LOOKBACK_DAYS``): opening an existing database for the first time
should show what needs attention now, not years of history that was dealt with on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Action, Alert, Person, Service, utcnow
from ..errors import NotAllowed, NotFound, Problems
from ..trust.permissions import Permission, require
from . import alert_triggers
from .alert_triggers import LOOKBACK_DAYS, REPEAT_WINDOW_DAYS

__all__ = [
    "LOOKBACK_DAYS",
    "REPEAT_WINDOW_DAYS",
    "AlertRow",
    "acknowledge",
    "acknowledged_alerts",
    "open_alert_count",
    "open_alerts",
    "scan",
]


def scan(session: Session, today: date) -> int:
    """Raise an alert for every trigger that has fired and not been raised before.

    Returns how many new alerts were raised. Alerts are derived facts, not a user's edit, so the
    scan runs for whoever opens the dashboard (a viewer included); acknowledging needs a manager.
    """
    candidates = alert_triggers.candidates(session, today)
    if not candidates:
        return 0
    keys = [c.source_key for c in candidates]
    known: set[str] = set()
    # Chunked so a large first scan stays under SQLite's bound-parameter limit.
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        known.update(session.scalars(select(Alert.source_key).where(Alert.source_key.in_(chunk))))
    new = 0
    for c in candidates:
        if c.source_key in known:
            continue
        known.add(c.source_key)
        session.add(
            Alert(
                service_id=c.service_id,
                kind=c.kind.value,
                source_key=c.source_key,
                action_id=c.action_id,
                message=c.message,
                raised_on=c.raised_on,
            )
        )
        new += 1
    session.flush()
    return new


# --- reading and acknowledging ------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    alert_id: int
    kind: str
    message: str
    raised_on: date
    action_id: int | None
    action: str  # "A1 Stop late evening medicines…", or "" when no action is linked
    service: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    note: str = ""


AlertSelect = Select[*tuple[Any, ...]]


def _alert_rows(session: Session, stmt: AlertSelect) -> list[AlertRow]:
    return [
        AlertRow(
            alert_id=alert_id,
            kind=kind,
            message=message,
            raised_on=raised_on,
            action_id=action_id,
            action=f"{ref} {title}" if ref is not None else "",
            service=service or "",
            acknowledged_at=acknowledged_at,
            acknowledged_by=by or "",
            note=note,
        )
        for (
            alert_id,
            kind,
            message,
            raised_on,
            action_id,
            acknowledged_at,
            note,
            ref,
            title,
            service,
            by,
        ) in session.execute(stmt)
    ]


def _alerts_stmt(service_id: int | None) -> AlertSelect:
    # Plain columns, not ``Alert`` objects: a provider can have hundreds of open alerts, and the
    # rows are only read.
    stmt: AlertSelect = (
        select(
            Alert.id,
            Alert.kind,
            Alert.message,
            Alert.raised_on,
            Alert.action_id,
            Alert.acknowledged_at,
            Alert.acknowledgement_note,
            Action.reference,
            Action.title,
            Service.name,
            Person.name,
        )
        .outerjoin(Action, Alert.action_id == Action.id)
        .outerjoin(Service, Alert.service_id == Service.id)
        .outerjoin(Person, Alert.acknowledged_by_id == Person.id)
    )
    if service_id is not None:
        stmt = stmt.where(Alert.service_id == service_id)
    return stmt


def open_alerts(session: Session, service_id: int | None = None) -> list[AlertRow]:
    """Alerts not yet acknowledged, newest first."""
    stmt = (
        _alerts_stmt(service_id)
        .where(Alert.acknowledged_at.is_(None))
        .order_by(Alert.raised_on.desc(), Alert.id.desc())
    )
    return _alert_rows(session, stmt)


def open_alert_count(session: Session, service_id: int | None = None) -> int:
    """How many alerts are waiting to be acknowledged."""
    stmt = select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))
    if service_id is not None:
        stmt = stmt.where(Alert.service_id == service_id)
    return int(session.scalar(stmt) or 0)


def acknowledged_alerts(
    session: Session, service_id: int | None = None, limit: int = 200
) -> list[AlertRow]:
    """The most recently acknowledged alerts, with who acknowledged them and their note."""
    stmt = (
        _alerts_stmt(service_id)
        .where(Alert.acknowledged_at.is_not(None))
        .order_by(Alert.acknowledged_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return _alert_rows(session, stmt)


def acknowledge(session: Session, alert_id: int, note: str, by_person_id: int | None) -> Alert:
    """Acknowledge with a note saying what is being done. The alert and the note are kept."""
    require(session, Permission.EDIT_PLANS)
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("That alert no longer exists.")
    if alert.acknowledged_at is not None:
        raise NotAllowed(
            f"This alert was already acknowledged on {uk_date(alert.acknowledged_at)}."
        )
    p = Problems()
    p.require("note", note, "Write what is being done about this alert.")
    if by_person_id is None or session.get(Person, by_person_id) is None:
        p.add("by", "Choose who is acknowledging the alert.")
    p.raise_if_any()
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = by_person_id
    alert.acknowledgement_note = note.strip()
    session.flush()
    return alert
