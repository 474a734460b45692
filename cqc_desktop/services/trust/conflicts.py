"""Saving from a form opened earlier: refuse when the record has been saved since (optimistic
locking), and say who changed it and when, from the audit trail.

Every editable record has a ``version`` (``models.base.VersionMixin``) that goes up at each save.
A form keeps the version it was opened at and hands it back as ``seen_version``; if the record's
version has moved on, the save is refused with a :class:`ConflictError` instead of quietly putting
back what the form showed. Two saves racing each other are caught by SQLAlchemy itself (the UPDATE
names the version it read), and ``db.Database.unit_of_work`` turns that into a ConflictError too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AuditLog, User
from ..errors import ConflictError


def last_change(session: Session, record_type: str, record_id: int) -> tuple[str, Any]:
    """(who, when) of the newest audit-trail entry for a record, or ("", None). ``who`` is the
    user's display name when they have one, else the username the trail recorded."""
    row = session.execute(
        select(AuditLog.username, AuditLog.at, User.display_name)
        .outerjoin(User, User.username == AuditLog.username)
        .where(AuditLog.record_type == record_type, AuditLog.record_id == record_id)
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return "", None
    return (row[2] or row[0]), row[1]


def conflict(session: Session, record: Any, what: str) -> ConflictError:
    """The error for ``record`` (a mapped object with ``id`` and ``version``) changed elsewhere."""
    record_type = type(record).__name__
    who, when = last_change(session, record_type, record.id)
    return ConflictError(
        what,
        who=who,
        when=when,
        record_type=record_type,
        record_id=record.id,
        current_version=record.version,
    )


def check_version(session: Session, record: Any, seen_version: int | None, what: str) -> None:
    """Refuse the save when ``record`` is no longer at the version the user saw.

    ``seen_version`` None means the caller has nothing to compare (a save made straight after
    reading, as the command line does); the database's own version check still applies.
    """
    if seen_version is not None and record.version != seen_version:
        raise conflict(session, record, what)
