"""Audit-trail anchors kept outside the database: the trail's length and newest hash, when, and
what took them ("made the daily backup", "printed the monthly QA report", "closed CQC Desktop").

They are appended to a file in the data folder beside the database, written into every backup's
manifest and printed in the footer of the QA report and the packs. Someone with the database file
can cut or rewrite the trail and recompute every hash, but cannot reach back into copies already
made: ``check`` compares the trail with every anchor it can find, so truncation, a rewrite or an
older copy of the database put in place shows. An anchor also records whether the database was
protected by sign-in, so deleting every user never turns it back into one that needs none.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...config import DataLocation
from ...models import AuditLog, User

ANCHOR_FILE = "audit-anchors.jsonl"
RESTORED = "restored a backup"


@dataclass(frozen=True)
class Anchor:
    entries: int
    head: str
    at: str  # local time, ISO format
    made_by: str  # a phrase: "made a backup", "printed the monthly QA report"
    protected: bool = False

    def footer(self) -> str:
        """The line printed on reports: "Audit trail: 4,161 entries, head 3f2a…91c0"."""
        if not self.entries:
            return "Audit trail: no entries yet"
        return f"Audit trail: {self.entries:,} entries, head {self.head[:4]}…{self.head[-4:]}"

    @property
    def day(self) -> str:
        try:
            return f"{datetime.fromisoformat(self.at):%d/%m/%Y}"
        except ValueError:
            return "an unknown date"


def anchor_file(location: DataLocation) -> Path:
    return location.data_dir / ANCHOR_FILE


def take_anchor(session: Session, made_by: str, *, now: datetime | None = None) -> Anchor:
    """The trail as it stands in this session (the newest entry's id and hash)."""
    last = session.execute(
        select(AuditLog.id, AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)
    ).first()
    protected = session.scalar(select(User.id).limit(1)) is not None
    at = (now or datetime.now()).isoformat(timespec="seconds")
    if last is None:
        return Anchor(0, "", at, made_by, protected)
    return Anchor(int(last[0]), str(last[1]), at, made_by, protected)


def anchor_of_file(db_file: Path, made_by: str, *, now: datetime | None = None) -> Anchor:
    """The same, read from a database file with plain sqlite3 (a backup's copy)."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        protected = conn.execute("SELECT id FROM app_user LIMIT 1").fetchone() is not None
    finally:
        conn.close()
    at = (now or datetime.now()).isoformat(timespec="seconds")
    if last is None:
        return Anchor(0, "", at, made_by, protected)
    return Anchor(int(last[0]), str(last[1]), at, made_by, protected)


def set_aside(location: DataLocation, now: datetime | None = None) -> Path | None:
    """A brand-new, empty database was just created at this path (the old file was deleted to
    start again): the anchors describe a database that no longer exists, so they are kept under
    another name rather than compared with the new one. Returns where they went."""
    path = anchor_file(location)
    if not path.is_file():
        return None
    aside = path.with_name(f"audit-anchors-before-{(now or datetime.now()):%Y%m%d-%H%M%S}.jsonl")
    try:
        path.rename(aside)
    except OSError:
        return None
    return aside


def append(location: DataLocation, anchor: Anchor) -> bool:
    """Add an anchor to the file beside the database. False (never an exception) if the folder
    cannot be written: an anchor is extra proof, and must not stop a backup or a close."""
    path = anchor_file(location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(anchor), ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        return False
    return True


def record_anchor(
    session: Session, location: DataLocation, made_by: str, *, now: datetime | None = None
) -> Anchor:
    """Take an anchor and add it to the file; returns it (to print, or put in a manifest)."""
    anchor = take_anchor(session, made_by, now=now)
    append(location, anchor)
    return anchor


def read_anchors(location: DataLocation) -> list[Anchor]:
    """Every anchor in the file, oldest first. Lines that are not anchors are skipped."""
    path = anchor_file(location)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            raw = json.loads(line)
            out.append(
                Anchor(
                    int(raw["entries"]),
                    str(raw["head"]),
                    str(raw["at"]),
                    str(raw["made_by"]),
                    bool(raw.get("protected", False)),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return out


def ever_protected(location: DataLocation) -> bool:
    """Whether any anchor saw users in this database (then it always needs a sign-in)."""
    return any(a.protected for a in read_anchors(location))


LOCKED_WITHOUT_USERS = (
    "This database has had users, but none are left: someone has removed them outside "
    "CQC Desktop. It stays locked: restore a backup (signing in as an administrator of the "
    "backup), and run check."
)


def locked_without_users(session: Session, location: DataLocation) -> bool:
    """A database that was once protected by sign-in and has no users now: it must stay locked
    (never offer to make a new administrator, never run commands without a sign-in)."""
    from .users import ever_had_users, has_users

    return not has_users(session) and (ever_had_users(session) or ever_protected(location))


def anchored_today(location: DataLocation, now: datetime | None = None) -> bool:
    today = (now or datetime.now()).date().isoformat()
    return any(a.at.startswith(today) for a in read_anchors(location))


def compare_with_anchors(session: Session, anchors: list[tuple[str, Anchor]]) -> list[str]:
    """Plain-English problems where the trail does not match an anchor. ``anchors`` pairs each
    with where it was found ("" for the anchor file, or the backup's file name). Only anchors
    taken since the latest restore count (a restore puts an older trail back on purpose)."""
    last_restore = max((a.at for _, a in anchors if a.made_by == RESTORED), default="")
    count = int(session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) or 0)
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for where, a in sorted(anchors, key=lambda p: p[1].at):
        superseded = a.at < last_restore or (a.at == last_restore and a.made_by != RESTORED)
        if superseded or (a.entries, a.head) in seen:
            continue
        seen.add((a.entries, a.head))
        found = f" (anchor in {where})" if where else ""
        if a.entries > count:
            problems.append(
                f"The database is older than the copy that {a.made_by} on {a.day}: the audit "
                f"trail had {a.entries:,} entries then and has {count:,} now, so entries have "
                f"been cut from it or an older copy of the database put in its place{found}."
            )
        elif a.entries:
            stored = session.scalar(select(AuditLog.hash).where(AuditLog.id == a.entries))
            if stored != a.head:
                problems.append(
                    f"The audit trail has been rewritten since the copy that {a.made_by} on "
                    f"{a.day}: entry {a.entries:,} no longer matches what was recorded then"
                    f"{found}."
                )
    return problems
