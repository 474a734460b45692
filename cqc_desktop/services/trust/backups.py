"""Backups and restore: consistent copies made with SQLite's online backup API, never a file copy
of a live database, kept together with the attached files.

A backup is one ``.zip`` holding ``database.sqlite3``, ``manifest.json`` (what was backed up, and
each attachment's SHA-256) and, for a backup the user makes, the attachments themselves. Automatic
backups (daily, before an upgrade, before a restore) share one copy of each attached file in
``backups/attachments`` instead: attachments never change once added, so keeping 26 full copies
of them would only fill the disk. Automatic backups are kept 14 daily + 12 monthly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ... import __version__
from ...config import DataLocation
from ..errors import NotAllowed, ServiceError
from . import anchors
from .permissions import Actor, Permission

log = logging.getLogger(__name__)

PREFIX = "cqc-desktop-backup-"
SUFFIX = ".zip"
AUTO_KINDS = ("daily", "before-upgrade", "before-restore")
DB_MEMBER = "database.sqlite3"
MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"  # folder name inside a backup, and the shared copy in backups/
KEEP_DAILY, KEEP_MONTHLY = 14, 12
_NAME = re.compile(rf"{PREFIX}(\d{{8}})-(\d{{6}})-([a-z-]+)(?:-\d+)?\{SUFFIX}$")
SQLITE_HEADER = b"SQLite format 3\0"
BUSY_SECONDS = 10.0


class BackupProblem(ServiceError):
    """A backup that cannot be made, read or restored; the message says why in plain English."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    kind: str


@dataclass
class BackupResult:
    path: Path
    made_at: datetime
    kind: str
    counts: dict[str, int]
    attachments: int
    missing: list[str] = field(default_factory=list)
    audit_entries: int = 0

    def describe(self) -> str:
        lines = [f"Backed up to {self.path}", f"  {summarise_counts(self.counts)}"]
        lines.append(f"  {self.attachments:,} attached file(s)")
        if self.missing:
            lines.append(
                f"  {len(self.missing)} attached file(s) were already missing and could not be "
                f"included: {', '.join(self.missing[:5])}"
            )
        return "\n".join(lines)


# --- making backups ------------------------------------------------------------------------------


def sqlite_file(location: DataLocation) -> Path:
    if location.sqlite_path is None:
        raise BackupProblem(
            "This database is on a server; back it up with the server's own tools (for "
            "PostgreSQL, pg_dump), which your IT provider will have set up."
        )
    return location.sqlite_path


def online_copy(source: Path, target: Path) -> None:
    """Copy a live database page by page under SQLite's own locking (the online backup API)."""
    src = sqlite3.connect(str(source), timeout=BUSY_SECONDS)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
            # The copy is one self-contained file, not a WAL database needing -wal/-shm files.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


@dataclass
class _Facts:
    revision: str | None
    counts: dict[str, int]
    attachments: list[tuple[str, str, int]]  # stored name, sha256, size
    audit_entries: int


def _read_facts(path: Path, *, full_check: bool = False) -> _Facts:
    conn = sqlite3.connect(str(path))
    try:
        pragma = "integrity_check" if full_check else "quick_check"
        result = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        if result != ["ok"]:
            raise BackupProblem(f"The database is damaged ({result[0]}).")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = None if row is None else str(row[0])
        counts = {
            t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0])
            for t in sorted(tables)
            if not t.startswith("sqlite_") and t != "alembic_version"
        }
        attachments = []
        if "attachment" in tables:
            attachments = [
                (str(a), str(b), int(c or 0))
                for a, b, c in conn.execute(
                    "SELECT stored_name, sha256, size_bytes FROM attachment ORDER BY id"
                )
            ]
        entries = counts.get("audit_log", 0)
        return _Facts(revision, counts, attachments, entries)
    except sqlite3.DatabaseError as exc:
        raise BackupProblem(f"The database cannot be read ({exc}).") from exc
    finally:
        conn.close()


def safe_relative(name: str) -> PurePosixPath | None:
    """A stored attachment name as a path inside the attachments folder, or None if it would
    point outside it (a tampered backup must never write to ``../../anywhere``)."""
    if not name or "\\" in name or ":" in name or "\0" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path


def _backup_name(folder: Path, made_at: datetime, kind: str) -> Path:
    base = f"{PREFIX}{made_at:%Y%m%d-%H%M%S}-{kind}"
    path, n = folder / f"{base}{SUFFIX}", 2
    while path.exists():
        path, n = folder / f"{base}-{n}{SUFFIX}", n + 1
    return path


_MADE_BY = {
    "daily": "made the daily backup",
    "before-upgrade": "made the backup kept before an upgrade",
    "before-restore": "made the backup kept before a restore",
}


STALE_AFTER = 3600  # seconds: no backup or restore takes an hour, so older work folders are litter


def remove_stale_work_folders(location: DataLocation, *, now: float | None = None) -> list[Path]:
    """Remove what a backup or restore killed part-way left behind: its ``.backup-*`` or
    ``.restore-*`` work folder and ``*.partial`` files, once they are an hour old (a younger one
    may belong to a command running now). Run at start; returns what was removed."""
    import time

    if location.sqlite_path is None:
        return []
    cutoff = (now if now is not None else time.time()) - STALE_AFTER
    removed = []
    for folder in {location.sqlite_path.parent, location.backups_dir}:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            litter = path.name.startswith((".backup-", ".restore-")) and path.is_dir()
            partial = path.name.endswith(".partial") and path.is_file()
            try:
                if not (litter or partial) or path.stat().st_mtime > cutoff:
                    continue
                if litter:
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def create_backup(
    location: DataLocation,
    target: Path | None = None,
    *,
    actor: Actor | None,
    kind: str = "manual",
    include_attachments: bool | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Back up the database (and its attachments) into one file; returns what went in.

    ``actor`` is who asked for it (their role must allow backups); None is the app itself (the
    daily backup, the copy kept before an upgrade or a restore, a database with no users yet).
    Writes to a temporary name first and renames at the end, so a full disk or a crash never
    leaves something that looks like a backup but is not one.
    """
    if actor is not None and not actor.can(Permission.BACKUP):
        raise NotAllowed(
            f"Your role ({actor.role.value}) does not allow you to {Permission.BACKUP.value}. "
            "Ask a manager."
        )
    source = sqlite_file(location)
    if not source.is_file():
        raise BackupProblem(f"There is no database at {source} to back up.")
    made_at = now or datetime.now()
    include = (kind not in AUTO_KINDS) if include_attachments is None else include_attachments
    target = target or _backup_name(location.backups_dir, made_at, kind)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
            copy = Path(tmp) / DB_MEMBER
            online_copy(source, copy)
            facts = _read_facts(copy)
            anchor = anchors.anchor_of_file(copy, _MADE_BY.get(kind, "made a backup"), now=now)
            present, missing = _attachment_files(location.attachments_dir, facts.attachments)
            if not include:
                _mirror(present, location.backups_dir / ATTACHMENTS)
            manifest = {
                "format": 1,
                "app_version": __version__,
                "schema_revision": facts.revision,
                "made_at": made_at.isoformat(timespec="seconds"),
                "kind": kind,
                "source": str(source),
                "counts": facts.counts,
                "audit_anchor": asdict(anchor),
                "attachments_included": include,
                "attachments": [
                    {"stored_name": n, "sha256": h, "size": s} for n, h, s in facts.attachments
                ],
            }
            partial = target.with_name(target.name + ".partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                zf.write(copy, DB_MEMBER)
                if include:
                    for name, path in present:
                        zf.write(path, f"{ATTACHMENTS}/{name}", compress_type=zipfile.ZIP_STORED)
                zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
            _fsync(partial)
            os.replace(partial, target)
        anchors.append(location, anchor)
    except OSError as exc:
        raise BackupProblem(_os_message("make the backup", target.parent, exc)) from exc
    except sqlite3.Error as exc:
        raise BackupProblem(f"The database could not be backed up ({exc}).") from exc
    log.info(
        "Backup made (%s): %s, %d attached files, %d missing",
        kind,
        target,
        len(present),
        len(missing),
    )
    return BackupResult(
        target, made_at, kind, facts.counts, len(present), [n for n in missing], facts.audit_entries
    )


def _attachment_files(
    folder: Path, listed: Iterable[tuple[str, str, int]]
) -> tuple[list[tuple[str, Path]], list[str]]:
    present, missing = [], []
    for name, _sha, _size in listed:
        rel = safe_relative(name)
        path = folder / rel if rel is not None else None
        if path is not None and path.is_file():
            present.append((name, path))
        else:
            missing.append(name)
    return present, missing


def _mirror(files: Iterable[tuple[str, Path]], mirror: Path) -> None:
    """Keep one shared copy of each attached file for the automatic backups (only new ones are
    copied: attachments never change once added)."""
    for name, path in files:
        target = mirror / name
        if target.is_file() and target.stat().st_size == path.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(path, partial)
        os.replace(partial, target)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _os_message(what: str, where: Path, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return f"Could not {what}: the disk at {where} is full. Free some space and try again."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Could not {what}: {where} cannot be written to (it is read-only or protected)."
    return f"Could not {what} in {where} ({exc.strerror or exc})."


def summarise_counts(counts: dict[str, int]) -> str:
    labels = (
        ("plan", "plan", "plans"),
        ("action", "action", "actions"),
        ("evidence", "evidence item", "evidence items"),
        ("incident", "incident", "incidents"),
        ("tracker_entry", "tracker row", "tracker rows"),
        ("observation", "observation", "observations"),
        ("meeting", "meeting", "meetings"),
        ("app_user", "user", "users"),
        ("audit_log", "audit entry", "audit entries"),
    )
    parts = []
    for table, one, many in labels:
        n = counts.get(table, 0)
        parts.append(f"{n:,} {one if n == 1 else many}")
    return ", ".join(parts)


# --- finding and pruning backups -----------------------------------------------------------------


def list_backups(folder: Path) -> list[BackupFile]:
    """The app's backups in a folder, newest first."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _NAME.fullmatch(path.name)
            if m and path.is_file():
                try:
                    made = datetime.strptime(m[1] + m[2], "%Y%m%d%H%M%S")
                except ValueError:
                    continue
                found.append(BackupFile(path, made, m[3]))
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def prune(
    folder: Path, *, keep_daily: int = KEEP_DAILY, keep_monthly: int = KEEP_MONTHLY
) -> list[Path]:
    """Keep the newest automatic backup of each of the last ``keep_daily`` days and the first of
    each of the last ``keep_monthly`` months; delete the other automatic ones. Backups the user
    made are never deleted. Shared attachment copies no kept backup needs are removed too."""
    auto = [b for b in list_backups(folder) if b.kind in AUTO_KINDS]
    keep: set[Path] = set()
    days: dict[date, BackupFile] = {}
    months: dict[tuple[int, int], BackupFile] = {}
    for b in auto:  # newest first: the first seen per day is the newest that day
        days.setdefault(b.made_at.date(), b)
    for b in reversed(auto):  # oldest first: the first seen per month is that month's first
        months.setdefault((b.made_at.year, b.made_at.month), b)
    keep |= {days[d].path for d in sorted(days, reverse=True)[:keep_daily]}
    keep |= {months[m].path for m in sorted(months, reverse=True)[:keep_monthly]}
    removed = []
    for b in auto:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    if removed:
        _prune_mirror(folder, [p for p in keep])
    return removed


def _prune_mirror(folder: Path, kept: list[Path]) -> None:
    mirror = folder / ATTACHMENTS
    if not mirror.is_dir():
        return
    needed: set[str] = set()
    for path in kept:
        try:
            needed |= {a["stored_name"] for a in read_manifest(path).get("attachments", [])}
        except BackupProblem:
            return  # an unreadable backup: keep every shared file rather than guess
    for file in mirror.rglob("*"):
        if file.is_file() and file.relative_to(mirror).as_posix() not in needed:
            file.unlink(missing_ok=True)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            data = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise BackupProblem(f"{path.name} is not a CQC Desktop backup (or it is damaged).") from exc
    if not isinstance(data, dict):
        raise BackupProblem(f"{path.name} is not a CQC Desktop backup.")
    return data


def daily_backup_due(location: DataLocation, today: date) -> bool:
    if location.sqlite_path is None or not location.sqlite_path.is_file():
        return False
    return not any(
        b.kind in AUTO_KINDS and b.made_at.date() == today
        for b in list_backups(location.backups_dir)
    )


def run_daily_backup(location: DataLocation, now: datetime | None = None) -> BackupResult | None:
    """The first start of each day backs up (and prunes); later starts that day do nothing."""
    now = now or datetime.now()
    if not daily_backup_due(location, now.date()):
        return None
    result = create_backup(location, kind="daily", now=now, actor=None)
    prune(location.backups_dir)
    return result


def last_backup(location: DataLocation) -> BackupFile | None:
    found = list_backups(location.backups_dir)
    return found[0] if found else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
