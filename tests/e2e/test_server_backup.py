"""Backups of a PostgreSQL server database through the command line: pg_dump and pg_restore when
they can be found, and exactly what to do when they cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.models import Service
from cqc_desktop.services.trust.backups import BackupProblem
from cqc_desktop.services.trust.server_backups import server_backup, server_restore


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_without_pg_dump_the_backup_says_what_to_install_or_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("CQC_PG_BIN", str(empty))
    server = DataLocation("postgresql+psycopg://care:secret@db.example/cqc", None, tmp_path)
    for attempt, tool in ((lambda: server_backup(server), "pg_dump"),
                          (lambda: server_restore(server, tmp_path / "x.dump"), "pg_restore")):  # fmt: skip
        with pytest.raises(BackupProblem) as refused:
            attempt()
        message = str(refused.value)
        assert f"CQC_PG_BIN is set to {empty}, but there is no {tool} in that folder" in message
        assert (
            "Install PostgreSQL's client tools" in message and "Nothing has been changed" in message
        )
        assert "secret" not in message
    assert not (tmp_path / "backups").exists()


def test_server_backup_and_restore_round_trip(db: Database, tmp_path: Path) -> None:
    if db.location.sqlite_path is not None:
        pytest.skip("a server database (CQC_TEST_DATABASE_URL) is backed up with pg_dump")
    with db.unit_of_work() as s:
        s.add(Service(name="Willow Court"))
    db.dispose()
    url, dump = db.location.url, tmp_path / "provider.dump"
    made = run("--db", url, "backup", "-o", str(dump))
    assert made.returncode == 0, made.stderr
    assert f"Backed up the server database to {dump}" in made.stdout
    assert dump.is_file() and dump.read_bytes()[:5] == b"PGDMP"
    with db.unit_of_work() as s:
        home = s.scalars(select(Service)).one()
        home.name = "Renamed by mistake"
    db.dispose()
    restored = run("--db", url, "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    assert "before-restore.dump" in restored.stdout
    with db.reading() as s:
        assert s.scalars(select(Service.name)).all() == ["Willow Court"]
    checked = run("--db", url, "check")
    assert checked.returncode == 0, checked.stderr
