"""Opening databases: creating the schema, refusing newer ones, and what a user is told."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from cqc_desktop.config import DataLocation, resolve
from cqc_desktop.db import Database, DatabaseProblem
from cqc_desktop.migrations import HEAD_REVISION, KNOWN_REVISIONS
from cqc_desktop.migrations.runner import script_revisions
from cqc_desktop.models import Base

# Every record a manager edits from a form, a grid or a review (append-only logs, child rows
# saved with their parent, and audit templates, which keep their own template version, are not).
EDITABLE = {
    "action", "action_step", "alert", "app_user", "audit_run", "audit_schedule", "evidence",
    "finding", "handover_record", "incident", "log_entry", "measure", "meeting", "meeting_item",
    "observation", "person", "plan", "review", "service", "tracker", "tracker_entry",
}  # fmt: skip


def test_constants_match_the_migration_scripts() -> None:
    head, revisions = script_revisions()
    assert head == HEAD_REVISION
    assert sorted(revisions) == sorted(KNOWN_REVISIONS)


def test_empty_database_is_migrated_to_head_with_every_table(
    make_location: Callable[..., DataLocation],
) -> None:
    location = make_location("new", migrated=False)
    db = Database(location)
    assert db.schema_status == "created"
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    db.dispose()
    again = Database(location)
    assert again.schema_status == "current"
    again.dispose()


def test_every_editable_record_has_a_version_column(db: Database) -> None:
    """Optimistic locking (migration 0003): the column is there on both databases, and SQLAlchemy
    checks it on every UPDATE and DELETE of those records."""
    inspector = inspect(db.engine)
    for name in EDITABLE:
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        assert "version" in columns and not columns["version"]["nullable"], name
    versioned = {m.local_table.name for m in Base.registry.mappers if m.version_id_col is not None}
    assert versioned == EDITABLE


@pytest.mark.sqlite_only
def test_sqlite_is_opened_safely(db: Database) -> None:
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_schema_matches_the_models(db: Database) -> None:
    """Autogenerate finds nothing to do: the migration scripts describe the models exactly."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cqc_desktop.migrations import include_name

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_database_from_a_newer_version_is_refused(
    make_location: Callable[..., DataLocation],
) -> None:
    location = make_location("newer")
    Database(location).dispose()
    engine = create_engine(location.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseProblem, match="newer version of CQC Desktop"):
        Database(location)
    with engine.connect() as conn:  # nothing was changed
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    engine.dispose()


@pytest.mark.sqlite_only
def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"This is a shopping list, not a database." * 100)
    with pytest.raises(DatabaseProblem, match="not a CQC Desktop database, or it is damaged"):
        Database(resolve(str(path)))


def test_someone_elses_database(make_location: Callable[..., DataLocation]) -> None:
    location = make_location("other", migrated=False)
    engine = create_engine(location.url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (id INTEGER)"))
    engine.dispose()
    with pytest.raises(DatabaseProblem, match="not a CQC Desktop database"):
        Database(location)


def test_environment_variable_and_url_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env.sqlite3"
    monkeypatch.setenv("CQC_DESKTOP_DB", str(target))
    assert resolve(None).sqlite_path == target
    assert resolve(f"sqlite:///{target}").sqlite_path == target
    server = resolve("postgresql://care:secret@server/cqc")
    assert server.sqlite_path is None and "secret" not in server.display
    # The demo keeps away from the live database named in the environment.
    demo = resolve(None, demo=True).sqlite_path
    assert demo is not None and demo != target and demo.name == "cqc-desktop-demo.sqlite3"


def test_upgrading_from_0002_keeps_incident_search_and_adds_the_new_records(
    tmp_path: Path,
) -> None:
    """0003 rebuilds the incident table to add the candour columns: the triggers that keep its
    search index in step must be made again, and every new table must be there."""
    from alembic import command
    from sqlalchemy import create_engine

    from cqc_desktop.migrations.runner import alembic_config

    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0002")
    engine.dispose()
    db = Database(resolve(str(path)))
    assert {"complaint", "feedback", "supervision"} <= set(inspect(db.engine).get_table_names())
    db.dispose()
    with sqlite3.connect(path) as conn:
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert {
        "incident_search_insert",
        "incident_search_update",
        "incident_search_delete",
    } <= triggers
