"""Withdrawing a record instead of deleting it: the reason and a copy of the row go to the
withdrawals register (and the audit trail), and the row leaves the lists, measures and gate.

Staff may take back only a row they entered themselves in the last few minutes (the tracker
grid's Undo); anything older needs a manager, because measures and the closure gate rest on it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ...models import AuditLog, Withdrawal, utcnow
from ..errors import NotAllowed, Problems
from .audit_trail import INSERT, value_text
from .permissions import Permission, can, current_actor, require, who

OWN_UNDO_WINDOW = timedelta(minutes=30)


def _entered_just_now_by_me(session: Session, record: Any) -> bool:
    actor = current_actor(session)
    if actor is None or record is None or getattr(record, "id", None) is None:
        return False
    first_insert = session.scalar(
        select(func.min(AuditLog.at)).where(
            AuditLog.record_type == type(record).__name__,
            AuditLog.record_id == record.id,
            AuditLog.operation == INSERT,
            AuditLog.username == actor.username,
        )
    )
    return first_insert is not None and utcnow() - first_insert <= OWN_UNDO_WINDOW


def withdraw(session: Session, record: Any, reason: str) -> Withdrawal:
    """Take ``record`` out of use, keeping its values and the reason. Needs a manager, except a
    row the signed-in user entered themselves within the last 30 minutes."""
    require(session, Permission.RECORD)
    if not can(session, Permission.EDIT_PLANS) and not _entered_just_now_by_me(session, record):
        raise NotAllowed(
            "Only a manager can withdraw a record that measures and the closure gate may rely "
            "on (you can undo only a row you entered in the last 30 minutes). Ask a manager."
        )
    p = Problems()
    p.require("reason", reason, "Say why this record is being withdrawn.")
    p.raise_if_any()
    mapper = inspect(type(record))
    snapshot: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        value = getattr(record, prop.key)
        if prop.key != "search_text":
            snapshot[prop.key] = value if isinstance(value, dict | list) else value_text(value)
    row = Withdrawal(
        record_type=type(record).__name__,
        record_id=record.id,
        reason=reason.strip(),
        withdrawn_by=who(session),
        withdrawn_at=utcnow(),
        snapshot=json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    session.delete(record)
    session.flush()
    return row


def withdrawals(session: Session, record_type: str | None = None) -> list[Withdrawal]:
    """The register, newest first."""
    stmt = select(Withdrawal).order_by(Withdrawal.id.desc())
    if record_type:
        stmt = stmt.where(Withdrawal.record_type == record_type)
    return list(session.scalars(stmt))
