"""Opening the database: engine settings, migrations at start, and the unit-of-work scope.

Everything SQLite-specific lives here (and in the backup code) so the rest of the app stays
portable to PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .config import DataLocation
from .migrations import HEAD_REVISION, KNOWN_REVISIONS
from .services.permissions import SESSION_KEY, Actor

BUSY_TIMEOUT_MS = 10_000


class DatabaseProblem(Exception):
    """A database that cannot be used, with a message a care-home manager can act on."""


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
        if isinstance(exc, OperationalError) and "unable to open" in str(exc).lower():
            raise DatabaseProblem(
                "Cannot open the database file (check the path and permissions)."
            ) from exc
        raise DatabaseProblem(
            "This file is not a CQC Desktop database, or it is damaged "
            "(restore the latest backup from the File menu)."
        ) from exc


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
        _copy_aside(location.sqlite_path, location.backups_dir, current)
    from .migrations.runner import upgrade_to_head

    upgrade_to_head(engine)
    return "created" if current is None else "upgraded"


def _copy_aside(path: Path, backups_dir: Path, revision: str) -> Path:
    """Keep a consistent copy of the file before an upgrade (SQLite online backup, not a file copy)."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups_dir / f"before-upgrade-{revision}-{stamp}.sqlite3"
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


class Database:
    """An open database: engine, session factory and the folders beside it."""

    def __init__(self, location: DataLocation) -> None:
        self.location = location
        self.engine = make_engine(location)
        self.schema_status = ensure_schema(self.engine, location)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self, actor: Actor | None = None) -> Iterator[Session]:
        """One user action: commit if the block finishes, roll back if it raises.

        ``actor`` is the signed-in user; services check permissions and the audit trail records
        who made each change from it.
        """
        session = self.sessions()
        if actor is not None:
            session.info[SESSION_KEY] = actor
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only scope for views and reports."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM service")).scalar_one() == 0

    def dispose(self) -> None:
        self.engine.dispose()
