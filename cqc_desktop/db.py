"""Opening the database: engine settings, migrations at start, the unit-of-work scope, and the
environments that go wrong (a second copy of the app, a read-only or full disk, a network share,
a damaged file), each turned into a message a care-home manager can act on.

Everything SQLite-specific lives here and in the backup code, so the rest of the app stays
portable to PostgreSQL.
"""

from __future__ import annotations

import errno
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import app_logging
from .config import DataLocation
from .instance import InstanceLock, network_share
from .migrations import HEAD_REVISION, KNOWN_REVISIONS
from .services.errors import ConflictError, ServiceError
from .services.trust import audit_trail
from .services.trust.permissions import SESSION_KEY, Actor

if TYPE_CHECKING:
    from .services.trust.backups import BackupResult

audit_trail.install()
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
DAMAGED = (
    "This file is not a CQC Desktop database, or it is damaged "
    "(restore the latest backup from the File menu)."
)


class DatabaseProblem(Exception):
    """A database that cannot be used, with a message a care-home manager can act on."""


class DatabaseDamaged(DatabaseProblem):
    """The file is not a database any more: offer to restore the latest good backup."""


class DatabaseInUse(DatabaseProblem):
    """Another copy of the app has this database open; ``owner`` says who and where."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        super().__init__(
            f"This database is already open in CQC Desktop by {owner}. Close it there first "
            "(two copies working on one file can overwrite each other's changes)."
        )


class StorageProblem(ServiceError):
    """Saving failed because of the disk or the file, not the data: nothing was saved, and the
    form that was being saved stays open with everything typed in it."""


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the dashboard read while a save is in flight; FULL survives power cuts.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(location: DataLocation) -> Engine:
    """Create the engine. For SQLite the file's folder must exist (it is created if missing)."""
    if location.sqlite_path is not None:
        folder = location.sqlite_path.parent
        if folder.exists() and not folder.is_dir():
            raise DatabaseProblem(f"Cannot open the database: {folder} is a file, not a folder.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseProblem(
                f"Cannot create the folder {folder} for the database ({exc.strerror})."
            ) from exc
        if location.sqlite_path.is_dir():
            raise DatabaseProblem(
                f"Cannot open the database: {location.sqlite_path} is a folder, not a file."
            )
        engine = create_engine(location.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(location.url, pool_pre_ping=True)
    except Exception as exc:  # bad URL or missing driver: say which, in one line
        raise DatabaseProblem(f"Cannot use the database address {location.display}: {exc}") from exc


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).lower()


def stored_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, or None for an empty database."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                if inspect(conn).get_table_names():
                    raise DatabaseProblem(
                        "This file is not a CQC Desktop database (it has other tables in it)."
                    )
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return None if row is None else str(row[0])
    except DatabaseError as exc:
        message = _message(exc)
        if "locked" in message or "busy" in message:
            raise DatabaseProblem(
                "The database is busy: another program is holding it. Try again in a minute."
            ) from exc
        if "readonly" in message or "read-only" in message:
            raise DatabaseProblem(
                "The database file is read-only (it, or its folder, cannot be written to), and "
                "CQC Desktop must be able to save to it. Ask whoever looks after this computer "
                "for write access, or copy the file somewhere you can write to."
            ) from exc
        if isinstance(exc, OperationalError) and "unable to open" in message:
            raise DatabaseProblem(
                "Cannot open the database file (check the path and permissions)."
            ) from exc
        raise DatabaseDamaged(DAMAGED) from exc


def ensure_schema(engine: Engine, location: DataLocation) -> str:
    """Bring the schema up to date. Cheap when it already is: only the stored revision is read.

    Returns what happened: "current", "created" or "upgraded".
    """
    current = stored_revision(engine)
    if current == HEAD_REVISION:
        return "current"
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseProblem(
            "This database was saved by a newer version of CQC Desktop. "
            "Install the latest version to open it; nothing has been changed."
        )
    if current is not None and location.sqlite_path is not None:
        _backup_before_upgrade(location)
    from .migrations.runner import upgrade_to_head

    log.info("Migrating the database schema from %s to %s", current or "empty", HEAD_REVISION)
    upgrade_to_head(engine)
    log.info("Migration to %s finished", HEAD_REVISION)
    return "created" if current is None else "upgraded"


def _backup_before_upgrade(location: DataLocation) -> None:
    from .services.trust.backups import BackupProblem, create_backup

    try:
        create_backup(location, kind="before-upgrade", actor=None)
    except BackupProblem as exc:
        raise DatabaseProblem(
            f"The database needs upgrading, but a backup could not be made first, so nothing "
            f"has been changed. {exc}"
        ) from exc


def storage_problem(exc: BaseException, who: str = "") -> StorageProblem | None:
    """Turn a disk or file failure during a save into a plain-English StorageProblem."""
    unsaved = "Nothing was saved; your form is still open, so you can save again"
    if isinstance(exc, UnicodeEncodeError):
        # Only broken text gets here (half of a character pair, from a damaged file or a
        # command-line argument); Qt never hands such text over.
        return StorageProblem(
            "Some of the text contains a broken character that cannot be stored. "
            f"{unsaved} once it is retyped."
        )
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return StorageProblem(f"The disk is full. {unsaved} once some space is freed.")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageProblem(
                f"A file could not be written ({exc.filename or 'read-only'}). {unsaved} when "
                "the folder can be written to."
            )
        return None
    if not isinstance(exc, DatabaseError) or isinstance(exc, IntegrityError):
        return None
    message = _message(exc)
    if "locked" in message or "busy" in message:
        holder = f"{who} is" if who else "another copy of CQC Desktop or another program is"
        return StorageProblem(
            f"The database is busy: {holder} saving to it. {unsaved} in a moment."
        )
    if "readonly" in message or "read-only" in message:
        return StorageProblem(
            "The database file cannot be written to: it, or its folder, is read-only. "
            f"{unsaved} when whoever looks after this computer has given you write access."
        )
    if "full" in message:
        return StorageProblem(
            f"The disk holding the database is full. {unsaved} once some space is freed."
        )
    if "disk i/o" in message:
        return StorageProblem(
            "The computer could not write to the disk holding the database (a USB stick or "
            f"network drive may have been disconnected). {unsaved} once it is back."
        )
    if "malformed" in message or "not a database" in message:
        return StorageProblem(
            "The database file is damaged, so nothing was saved. Close CQC Desktop and restore "
            "the latest good backup (File ▸ Restore…)."
        )
    return None


_SAVING = "_versions_being_saved"


def _remember_versions(session: Session, _ctx: object, _instances: object) -> None:
    """Before each flush, note the version each changed record was read at: if the flush is
    refused as stale, the session has already forgotten it, and the message names the record."""
    session.info[_SAVING] = [
        (type(o), o.id, o.version)
        for o in (*session.dirty, *session.deleted)
        if getattr(type(o), "__mapper__", None) is not None
        and type(o).__mapper__.version_id_col is not None
    ]


NUL_REFUSED = (
    "Some of the text contains an invisible NUL character (it comes from pasting out of some "
    "programs or damaged files), which the server database cannot store. Nothing was saved; "
    "your form is still open, so you can retype that text and save again."
)


def _refuse_nul(
    _conn: object, _cursor: object, _sql: str, parameters: Any, _context: object, many: bool
) -> None:
    """PostgreSQL refuses text with a NUL character in it, where SQLite stores it: say so in
    plain English before the server does (its error would be a crash, not a message)."""
    for row in parameters if many else [parameters]:
        values = row.values() if isinstance(row, dict) else (row or ())
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise StorageProblem(NUL_REFUSED)


class Database:
    """An open database: engine, session factory and the folders beside it."""

    def __init__(self, location: DataLocation) -> None:
        self.location = location
        self.engine = make_engine(location)
        self.schema_status = ensure_schema(self.engine, location)
        log.info("Opened the database %s (schema %s)", location.display, self.schema_status)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "before_flush", _remember_versions)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "before_cursor_execute", _refuse_nul)
        self.lock: InstanceLock | None = None
        if location.sqlite_path is not None:
            from .services.trust.backups import remove_stale_work_folders

            remove_stale_work_folders(location)
            if self.schema_status == "created":
                from .services.trust.anchors import set_aside

                set_aside(location)
        self.warnings: list[str] = self._environment_warnings()

    def _environment_warnings(self) -> list[str]:
        path = self.location.sqlite_path
        if path is None:
            return []
        warnings = []
        share = network_share(path)
        if share:
            warnings.append(
                f"This database is on {share} ({path}). SQLite databases are not safe on shared "
                "network folders: two PCs saving at once can damage the file. Keep the database "
                "on this PC's own disk, or ask about the server option (a PostgreSQL database "
                "opened with --db postgresql://…) for several PCs."
            )
        return warnings

    @contextmanager
    def unit_of_work(self, actor: Actor | None = None) -> Iterator[Session]:
        """One user action: commit if the block finishes, roll back if it raises.

        ``actor`` is the signed-in user; services check permissions and the audit trail records
        who made each change from it. Disk and file failures become a StorageProblem (a
        ServiceError), so every dialog shows them in plain English and stays open.
        """
        session = self.sessions()
        if actor is not None:
            session.info[SESSION_KEY] = actor
        try:
            yield session
            session.commit()
            app_logging.note_saved()
        except StaleDataError as exc:
            # Another PC saved the same record between this one reading and writing it.
            loaded = session.info.get(_SAVING, [])
            session.rollback()
            raise self._conflict(exc, loaded) from exc
        except BaseException as exc:
            session.rollback()
            problem = storage_problem(exc, self.holder())
            if problem is not None:
                raise problem from exc
            raise
        finally:
            session.close()

    def _conflict(self, exc: StaleDataError, loaded: list[tuple[type, Any, Any]]) -> ConflictError:
        """Name the record and who changed it: SQLAlchemy's message names the table, and the
        record is the one of that table whose version has moved on since this session read it."""
        from .services.trust.conflicts import conflict

        found = re.search(r"table '(\w+)'", str(exc))
        table = found[1] if found else ""
        what = table.replace("_", " ") or "record"
        candidates = [c for c in loaded if getattr(c[0], "__tablename__", None) == table]
        if candidates:
            with self.sessions() as session:
                for cls, record_id, version in candidates:
                    record = session.get(cls, record_id)
                    if record is not None and record.version != version:
                        return conflict(session, record, what)
        return ConflictError(what)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only scope for views and reports."""
        session = self.sessions()
        try:
            yield session
        except DatabaseError as exc:
            problem = storage_problem(exc, self.holder())
            if problem is not None:
                raise problem from exc
            raise
        finally:
            session.rollback()
            session.close()

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(text("SELECT COUNT(*) FROM service")).scalar_one() == 0)

    # --- one copy of the app per database file ---------------------------------------------------
    def acquire_instance_lock(self, signed_in: str = "") -> None:
        """Claim the database for this copy of the app. Raises DatabaseInUse naming who has it."""
        if self.location.sqlite_path is None or self.lock is not None:
            return
        lock = InstanceLock(self.location.sqlite_path)
        owner = lock.acquire(signed_in)
        if owner is not None:
            raise DatabaseInUse(owner)
        self.lock = lock

    def note_signed_in(self, username: str) -> None:
        if self.lock is not None:
            self.lock.update(username)

    def holder(self) -> str:
        """Who else has the file open (from the lock file), for "the database is busy"."""
        if self.location.sqlite_path is None or self.lock is not None:
            return ""  # we hold the app's lock, so whoever is busy is not another copy of it
        return InstanceLock(self.location.sqlite_path).other_owner() or ""

    # --- backups ------------------------------------------------------------------------------
    def daily_backup(self, now: datetime | None = None) -> BackupResult | None:
        """The automatic backup at the first start of each day (None if one exists already)."""
        from .services.trust.backups import run_daily_backup

        if self.location.sqlite_path is None:
            return None
        return run_daily_backup(self.location, now)

    def dispose(self) -> None:
        if self.lock is not None:
            self._optimize()
        self._anchor("was last closed")
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _anchor(self, made_by: str) -> None:
        """Leave an audit-trail anchor beside the database (see services/trust/anchors.py).
        Never stops the close: a read-only folder or a damaged file just leaves none."""
        from .services.trust import anchors

        try:
            with self.sessions() as session:
                anchors.record_anchor(session, self.location, made_by)
        except DatabaseError:
            pass

    def _optimize(self) -> None:
        """Let SQLite refresh the statistics its query planner uses, as it advises on closing.

        A database filled by months of use has none until then, and the lists' queries pick
        their indexes from them. ``analysis_limit`` keeps it to a few milliseconds even on a
        provider's large file; a failure here must never stop the app closing.
        """
        if self.location.sqlite_path is None:
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA analysis_limit=400")
                conn.exec_driver_sql("PRAGMA optimize")
        except DatabaseError:
            pass
