"""Restoring a backup, and checking a database, a backup or the attachments for damage.

A restore first proves the backup is sound (SQLite integrity check, a schema this version can
open, an unbroken audit trail, every attached file matching its SHA-256), then keeps a copy of the
current database, and only then replaces it. Nothing is changed if any check fails.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from ...config import DataLocation
from ...migrations import KNOWN_REVISIONS
from ..errors import NotAllowed
from . import anchors
from .audit_replay import StateReport, verify_state
from .audit_verify import ChainReport, verify_chain
from .backups import (
    ATTACHMENTS,
    BUSY_SECONDS,
    DB_MEMBER,
    SQLITE_HEADER,
    BackupFile,
    BackupProblem,
    _read_facts,
    create_backup,
    list_backups,
    read_manifest,
    safe_relative,
    sha256_file,
    sqlite_file,
    summarise_counts,
)
from .permissions import Actor, Permission
from .users import ever_had_users, has_users, password_matches

log = logging.getLogger(__name__)


@dataclass
class CheckedBackup:
    """A backup unpacked into a work folder and proven sound."""

    source: Path
    db_file: Path
    manifest: dict[str, Any]
    revision: str | None
    counts: dict[str, int]
    chain: ChainReport
    attachments: list[tuple[str, Path]]  # stored name → verified file
    missing: list[str]


@dataclass
class RestoreReport:
    source: Path
    made_at: str
    counts: dict[str, int]
    attachments_restored: int
    attachments_missing: list[str]
    audit_entries: int
    kept_copy: Path | None
    current_was_damaged: bool = False
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"Restored the backup made {self.made_at} ({self.source.name})."]
        lines.append(f"It holds {summarise_counts(self.counts)}.")
        lines.append(
            f"{self.attachments_restored:,} attached file(s) restored and checked against their "
            "SHA-256."
        )
        if self.attachments_missing:
            lines.append(
                f"{len(self.attachments_missing)} attached file(s) were not in the backup: "
                f"{', '.join(self.attachments_missing[:5])}."
            )
        lines.append(f"Audit trail verified: {self.audit_entries:,} entries, unbroken.")
        if self.kept_copy is not None:
            state = "damaged database" if self.current_was_damaged else "database as it was"
            lines.append(f"The {state} has been kept in {self.kept_copy}.")
        return "\n".join(lines)


# --- proving a backup sound ----------------------------------------------------------------------


def unpack_and_check(source: Path, workdir: Path) -> CheckedBackup:
    """Unpack ``source`` (a backup .zip, or a plain SQLite copy) into ``workdir`` and check it.

    Raises BackupProblem naming the first thing wrong.
    """
    if not source.is_file():
        raise BackupProblem(f"There is no backup file at {source}.")
    db_file = workdir / DB_MEMBER
    manifest: dict[str, Any] = {}
    members: set[str] = set()
    try:
        with source.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        if header == SQLITE_HEADER:
            shutil.copyfile(source, db_file)  # a copy set aside earlier; nobody has it open
        elif zipfile.is_zipfile(source):
            manifest = read_manifest(source)
            with zipfile.ZipFile(source) as zf:
                members = set(zf.namelist())
                if DB_MEMBER not in members:
                    raise BackupProblem(f"{source.name} has no database in it.")
                with zf.open(DB_MEMBER) as src, db_file.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        else:
            raise BackupProblem(f"{source.name} is not a CQC Desktop backup.")
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupProblem(f"{source.name} cannot be read ({exc}).") from exc
    try:
        facts = _read_facts(db_file, full_check=True)
    except BackupProblem as exc:
        raise BackupProblem(f"{source.name} cannot be restored: {exc}") from exc
    if facts.revision is None:
        raise BackupProblem(f"{source.name} is not a CQC Desktop database.")
    if facts.revision not in KNOWN_REVISIONS:
        raise BackupProblem(
            f"{source.name} was made by a newer version of CQC Desktop; install the latest "
            "version to restore it."
        )
    chain = _verify_file_chain(db_file)
    if not chain.ok:
        raise BackupProblem(f"{source.name} cannot be restored: {chain.problem}")
    attachments, missing = _unpack_attachments(source, facts.attachments, members, workdir)
    return CheckedBackup(
        source, db_file, manifest, facts.revision, facts.counts, chain, attachments, missing
    )


def _verify_file_chain(path: Path) -> ChainReport:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            return verify_chain(session)
    finally:
        engine.dispose()


def _unpack_attachments(
    source: Path, listed: list[tuple[str, str, int]], members: set[str], workdir: Path
) -> tuple[list[tuple[str, Path]], list[str]]:
    shared = source.parent / ATTACHMENTS
    out, missing = [], []
    zf = zipfile.ZipFile(source) if members else None
    try:
        for name, sha, _size in listed:
            rel = safe_relative(name)
            if rel is None:
                raise BackupProblem(
                    f"{source.name} names an attached file outside the attachments folder "
                    f"({name!r}); it will not be restored."
                )
            member = f"{ATTACHMENTS}/{rel.as_posix()}"
            target = workdir / ATTACHMENTS / rel
            if zf is not None and member in members:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            elif (shared / rel).is_file():
                target = shared / rel
            else:
                missing.append(name)
                continue
            if sha256_file(target) != sha:
                raise BackupProblem(
                    f"The attached file {rel.name} in {source.name} is damaged (its SHA-256 does "
                    "not match); the backup will not be restored."
                )
            out.append((name, target))
    finally:
        if zf is not None:
            zf.close()
    return out, missing


def latest_good_backup(location: DataLocation) -> BackupFile | None:
    """The newest backup in the backups folder that passes every check, for "offer to restore"."""
    for backup in list_backups(location.backups_dir):
        with tempfile.TemporaryDirectory(prefix="cqc-check-") as tmp:
            try:
                unpack_and_check(backup.path, Path(tmp))
            except BackupProblem:
                continue
        return backup
    return None


# --- restoring -------------------------------------------------------------------------------------


ONLY_ADMIN = "Only an administrator can restore a backup."


def restore(
    location: DataLocation,
    source: Path,
    *,
    actor: Actor | None,
    backup_sign_in: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> RestoreReport:
    """Replace the database (and fill in attachments) from a backup. An administrator's act:

    - ``actor`` is the administrator signed in to the current database; or
    - when the current database is too damaged to sign in to, ``backup_sign_in`` (username,
      password) must match an active administrator *inside the backup* being restored;
    - with neither, only a database that has never had users may be restored over.

    The caller must have closed its own connections (``Database.dispose``) and hold the instance
    lock, so no copy of the app is working on the file meanwhile.
    """
    if actor is not None and not actor.can(Permission.MANAGE):
        raise NotAllowed(ONLY_ADMIN)
    live = sqlite_file(location)
    live.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=live.parent, prefix=".restore-") as tmp:
        checked = unpack_and_check(source, Path(tmp))
        if actor is None:
            _check_restorer(location, checked.db_file, backup_sign_in)
        kept, damaged = _keep_current(location, now or datetime.now())
        anchor = anchors.anchor_of_file(checked.db_file, anchors.RESTORED, now=now)
        _replace(checked.db_file, live, fresh=damaged or not live.exists())
        restored = _put_attachments(checked.attachments, location.attachments_dir)
    # Anchors taken before this moment describe the trail that has just been replaced on purpose.
    anchors.append(location, anchor)
    log.info("Restored %s from the backup %s (%d attached files)", live, source.name, restored)
    made_at = str(checked.manifest.get("made_at") or "")
    try:
        made_text = datetime.fromisoformat(made_at).strftime("%d/%m/%Y at %H:%M")
    except ValueError:
        made_text = datetime.fromtimestamp(source.stat().st_mtime).strftime("%d/%m/%Y at %H:%M")
    return RestoreReport(
        source=source,
        made_at=made_text,
        counts=checked.counts,
        attachments_restored=restored,
        attachments_missing=checked.missing,
        audit_entries=checked.chain.entries,
        kept_copy=kept,
        current_was_damaged=damaged,
    )


def _check_restorer(
    location: DataLocation, backup_db: Path, sign_in: tuple[str, str] | None
) -> None:
    """No signed-in administrator: the person must be an administrator of the backup, unless
    neither the backup nor the current database was ever protected by a sign-in."""
    admins = _administrators(backup_db)
    if sign_in is not None:
        username, password = sign_in
        stored = admins.get(username.strip().lower())
        if stored is None or not password_matches(password, stored):
            raise NotAllowed(
                "That is not the username and password of an administrator in this backup, so "
                "it has not been restored."
            )
        return
    live = sqlite_file(location)
    if admins or _administrators(live) or anchors.ever_protected(location):
        raise NotAllowed(
            f"{ONLY_ADMIN} Sign in as an administrator (of this backup, if the current database "
            "is too damaged to sign in to)."
        )


def _administrators(path: Path) -> dict[str, str]:
    """Active administrators in a database file, username (lower case) → password hash."""
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_SECONDS)
        try:
            rows = conn.execute(
                "SELECT username, password_hash FROM app_user "
                "WHERE role = 'administrator' AND active"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return {str(u).lower(): str(h) for u, h in rows}


def _keep_current(location: DataLocation, now: datetime) -> tuple[Path | None, bool]:
    """Back up the current database first; a damaged one is moved aside whole instead."""
    live = sqlite_file(location)
    if not live.exists():
        return None, False
    try:
        return create_backup(location, kind="before-restore", now=now, actor=None).path, False
    except BackupProblem:
        if _readable(live):
            raise  # healthy but could not be copied (full disk...): do not touch it
    aside = location.backups_dir / f"damaged-{now:%Y%m%d-%H%M%S}-{live.name}"
    aside.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        part = live.with_name(live.name + suffix)
        if part.exists():
            shutil.move(str(part), str(aside.with_name(aside.name + suffix)))
    return aside, True


def _readable(path: Path) -> bool:
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_SECONDS)
        try:
            return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] == ["ok"]
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _replace(new_file: Path, live: Path, *, fresh: bool) -> None:
    if not fresh:
        # Write the restored pages into the live file under SQLite's locking, so any other
        # connection sees either the old database or the restored one, never a mixture.
        try:
            src = sqlite3.connect(str(new_file))
            try:
                dst = sqlite3.connect(str(live), timeout=BUSY_SECONDS)
                try:
                    src.backup(dst)
                    return
                finally:
                    dst.close()
            finally:
                src.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise BackupProblem(
                    "The database is in use by another program or another copy of CQC Desktop; "
                    "close it there and restore again. Nothing has been changed."
                ) from exc
            # A different page size in WAL mode cannot be copied into: replace the file instead
            # (nobody else has it open, or the copy above would have been refused as busy).
        for suffix in ("-wal", "-shm"):
            live.with_name(live.name + suffix).unlink(missing_ok=True)
    os.replace(new_file, live)


def _put_attachments(files: list[tuple[str, Path]], folder: Path) -> int:
    for name, path in files:
        rel = safe_relative(name)
        assert rel is not None  # checked in unpack_and_check
        target = folder / rel
        if target.is_file() and sha256_file(target) == sha256_file(path):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    return len(files)


# --- checking the open database ----------------------------------------------------------------------


@dataclass
class CheckReport:
    integrity: str
    chain: ChainReport
    attachments_checked: int
    problems: list[str]
    state: StateReport | None = None
    anchors_compared: int = 0
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            state = f" {self.state.describe()}" if self.state is not None else ""
            return (
                f"Database integrity: ok. {self.chain.describe()}{state} "
                f"It matches the {self.anchors_compared:,} anchor(s) kept outside the database. "
                f"{self.attachments_checked:,} attached file(s) present and unaltered."
            ) + self.describe_orphans()
        return " ".join(self.problems)

    def describe_orphans(self) -> str:
        if not self.orphans:
            return ""
        listed = ", ".join(self.orphans[:5]) + (" …" if len(self.orphans) > 5 else "")
        return (
            f"\n{len(self.orphans):,} file(s) in the attachments folder belong to no record "
            f"(left by a save that failed, or added by hand): {listed}. An administrator can "
            "move them to the quarantine folder with check --tidy."
        )


QUARANTINE = "quarantine"


def orphan_attachments(location: DataLocation, stored_names: set[str]) -> list[str]:
    """Files in the attachments folder that no attachment record names (relative, sorted)."""
    folder = location.attachments_dir
    if not folder.is_dir():
        return []
    out = []
    for path in folder.rglob("*"):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            if rel not in stored_names:
                out.append(rel)
    return sorted(out)


def tidy_orphans(
    location: DataLocation, orphans: list[str], *, actor: Actor | None, now: datetime | None = None
) -> Path | None:
    """Move files no record refers to into ``quarantine/<when>/`` beside the attachments (an
    administrator's act; nothing is deleted). Returns the folder, or None if there was nothing."""
    if actor is not None and not actor.can(Permission.MANAGE):
        raise NotAllowed("Only an administrator can tidy the attachments folder.")
    if not orphans:
        return None
    target = location.data_dir / QUARANTINE / f"{(now or datetime.now()):%Y%m%d-%H%M%S}"
    for rel in orphans:
        safe = safe_relative(rel)
        if safe is None:
            continue
        destination = target / safe
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(location.attachments_dir / safe), str(destination))
    return target


def _backup_anchors(location: DataLocation) -> list[tuple[str, anchors.Anchor]]:
    """The anchor in each backup's manifest (backups made by older versions have none)."""
    out = []
    for backup in list_backups(location.backups_dir):
        try:
            raw = read_manifest(backup.path).get("audit_anchor")
            if isinstance(raw, dict):
                out.append((backup.path.name, anchors.Anchor(**raw)))
        except (BackupProblem, TypeError, ValueError):
            continue
    return out


def check_database(session: Session, location: DataLocation) -> CheckReport:
    """Integrity check, audit-chain verification and every attachment's SHA-256."""
    from ...models import Attachment

    problems: list[str] = []
    integrity = "ok"
    if location.sqlite_path is not None:
        rows = session.connection().exec_driver_sql("PRAGMA integrity_check").all()
        integrity = "; ".join(str(r[0]) for r in rows[:3])
        if integrity != "ok":
            problems.append(
                f"The database file is damaged ({integrity}); restore the latest good backup."
            )
    chain = verify_chain(session)
    if not chain.ok:
        problems.append(chain.problem)
    state = verify_state(session)
    if not state.ok:
        problems.append(state.describe())
    found = [("", a) for a in anchors.read_anchors(location)] + _backup_anchors(location)
    problems += anchors.compare_with_anchors(session, found)
    if not has_users(session) and (ever_had_users(session) or any(a.protected for _, a in found)):
        problems.append(anchors.LOCKED_WITHOUT_USERS)
    checked = 0
    rows = session.execute(
        select(Attachment.id, Attachment.original_name, Attachment.stored_name, Attachment.sha256)
    ).all()
    orphans = orphan_attachments(location, {str(r[2]) for r in rows})
    for _id, original, stored, sha in rows:
        rel = safe_relative(stored)
        path = location.attachments_dir / rel if rel is not None else None
        if path is None or not path.is_file():
            problems.append(f"The attached file {original} is missing from the attachments folder.")
        elif sha256_file(path) != sha:
            problems.append(
                f"The attached file {original} has been changed since it was added "
                "(its SHA-256 no longer matches)."
            )
        else:
            checked += 1
    return CheckReport(integrity, chain, checked, problems, state, len(found), orphans)
