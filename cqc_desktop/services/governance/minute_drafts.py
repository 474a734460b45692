"""Auto-saved drafts of long minute text, so a crash or a closed laptop loses nothing.

A draft is not the minute: it sits in its own table until the minute is saved (which deletes it)
or the minute-taker discards it. The editor saves a draft when typing pauses, never on every
keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...models import MinuteDraft, utcnow
from ..trust.permissions import Permission, require
from .meetings import get_meeting


def item_key(item_id: int, field: str) -> str:
    return f"item:{item_id}:{field}"


def meeting_key(meeting_id: int, field: str) -> str:
    return f"meeting:{meeting_id}:{field}"


@dataclass(frozen=True)
class Draft:
    key: str
    text: str
    saved_at: datetime  # UTC, naive (as stored)


def save_draft(session: Session, meeting_id: int, key: str, text: str) -> None:
    """Keep the latest typed text for one field; an empty field clears its draft."""
    require(session, Permission.RECORD)
    get_meeting(session, meeting_id)
    row = session.get(MinuteDraft, key)
    if not text.strip():
        if row is not None:
            session.delete(row)
            session.flush()
        return
    if row is None:
        session.add(MinuteDraft(key=key, meeting_id=meeting_id, text=text, saved_at=utcnow()))
    else:
        row.text = text
        row.saved_at = utcnow()
    session.flush()


def drafts_for(session: Session, meeting_id: int) -> dict[str, Draft]:
    rows = session.scalars(select(MinuteDraft).where(MinuteDraft.meeting_id == meeting_id))
    return {r.key: Draft(r.key, r.text, r.saved_at) for r in rows}


def discard_drafts(session: Session, prefix: str) -> int:
    """Throw away drafts whose key starts with ``prefix`` (e.g. "item:12:"); returns how many."""
    require(session, Permission.RECORD)
    result = session.execute(
        delete(MinuteDraft).where(MinuteDraft.key.startswith(prefix, autoescape=True))
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
