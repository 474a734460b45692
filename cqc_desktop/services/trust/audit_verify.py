"""Verifying the audit trail's hash chain: finds an edited, deleted, inserted or reordered entry,
and the newest entries being removed (the chain head no longer matches)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit_trail import _HEAD, _LOG, GENESIS, entry_hash


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole trail; ``problem`` names the first broken entry."""

    ok: bool
    entries: int
    first_broken_id: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"Audit trail verified: {self.entries:,} entries, none altered or removed."
        return self.problem


def verify_chain(session: Session) -> ChainReport:
    """Recompute every entry's hash in order. Finds an edited entry, a deleted or inserted entry,
    and the newest entries being removed (the chain head no longer matches)."""
    conn = session.connection()
    stmt = select(
        _LOG.c.id,
        _LOG.c.at,
        _LOG.c.username,
        _LOG.c.record_type,
        _LOG.c.record_id,
        _LOG.c.operation,
        _LOG.c.field,
        _LOG.c.old_value,
        _LOG.c.new_value,
        _LOG.c.prev_hash,
        _LOG.c.hash,
    ).order_by(_LOG.c.id)
    prev, expected, count = GENESIS, 1, 0
    for row in conn.execution_options(yield_per=5000).execute(stmt):
        entry_id = int(row[0])
        if entry_id != expected:
            if entry_id > expected:
                what = (
                    f"entry {expected:,} is missing"
                    if entry_id == expected + 1
                    else (f"entries {expected:,} to {entry_id - 1:,} are missing")
                )
                problem = f"The audit trail has been tampered with: {what} (deleted from the log)."
            else:
                problem = (
                    f"The audit trail has been tampered with: entry {entry_id:,} is out of order."
                )
            return ChainReport(False, count, expected, problem)
        if row[9] != prev:
            return ChainReport(
                False,
                count,
                entry_id,
                f"The audit trail has been tampered with: entry {entry_id:,} does not follow "
                f"entry {entry_id - 1:,} (the chain is broken).",
            )
        digest = entry_hash(prev, entry_id, *row[1:9])
        if digest != row[10]:
            return ChainReport(
                False,
                count,
                entry_id,
                f"The audit trail has been tampered with: entry {entry_id:,} "
                f"({row[3]} {row[4] or ''} {row[6]}, by {row[2]}) has been altered.".replace(
                    "  ", " "
                ),
            )
        prev, expected, count = row[10], expected + 1, count + 1
    head = conn.execute(select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).first()
    if head is None:
        return ChainReport(
            False,
            count,
            None,
            "The audit trail has been tampered with: its chain head is missing (the newest "
            "entries, or the whole trail, may have been removed with it).",
        )
    if int(head[0]) != count or head[1] != prev:
        if int(head[0]) > count:
            return ChainReport(
                False,
                count,
                count + 1,
                f"The audit trail has been tampered with: the newest entries after {count:,} "
                "have been removed.",
            )
        return ChainReport(
            False,
            count,
            int(head[0]) + 1,
            "The audit trail has been tampered with: its chain head does not match the last entry.",
        )
    return ChainReport(True, count)
