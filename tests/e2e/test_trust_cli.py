"""The trust commands as a user runs them: users, backup, restore and check, with --user and the
password from CQC_DESKTOP_PASSWORD; every problem is one line and a non-zero exit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ADMIN_PASSWORD = "willow court 2026"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    full_env.pop("CQC_DESKTOP_USER", None)
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=full_env,
        stdin=subprocess.DEVNULL,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cqc-desktop: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data, with an administrator added from the command line (the first user) and a
    viewer added in-process (quicker; the command line's `users add` is tested by the first)."""
    from datetime import date

    from sqlalchemy import delete

    from cqc_desktop.config import resolve
    from cqc_desktop.db import Database
    from cqc_desktop.models import User
    from cqc_desktop.services.demo.loader import seed_demo
    from cqc_desktop.services.trust import users

    path = tmp_path_factory.mktemp("trust") / "home.sqlite3"
    db = Database(resolve(str(path)))
    with db.unit_of_work() as s:
        seed_demo(s, date(2026, 11, 26), db.location.attachments_dir)
        s.execute(delete(User))  # the demo's own users: this test starts with nobody
    db.dispose()
    first = run(
        "users",
        "add",
        "office",
        "--role",
        "administrator",
        "--name",
        "Office",
        "--db",
        str(path),
        CQC_DESKTOP_NEW_PASSWORD=ADMIN_PASSWORD,
    )
    assert first.returncode == 0, first.stderr
    assert "Added office (administrator)" in first.stdout
    db = Database(resolve(str(path)))
    with db.unit_of_work() as s:
        admin = users.authenticate(s, "office", ADMIN_PASSWORD)
    with db.unit_of_work(admin) as s:
        data = users.UserInput("inspector", "Visiting inspector", "viewer")
        users.create_user(s, data, "inspection visit 1", "inspection visit 1")
    db.dispose()
    return path


def as_admin(*args: str) -> subprocess.CompletedProcess[str]:
    return run(*args, "--user", "office", CQC_DESKTOP_PASSWORD=ADMIN_PASSWORD)


def test_commands_need_to_know_who_is_running_them(home: Path) -> None:
    one_line_error(run("check", "--db", str(home)), "--user")
    one_line_error(
        run("check", "--db", str(home), "--user", "office", CQC_DESKTOP_PASSWORD="guess"),
        "do not match",
    )
    listing = as_admin("users", "list", "--db", str(home))
    assert listing.returncode == 0
    assert "office" in listing.stdout and "inspector" in listing.stdout
    refused = run(
        "backup",
        "--db",
        str(home),
        "--user",
        "inspector",
        CQC_DESKTOP_PASSWORD="inspection visit 1",
    )
    one_line_error(refused, "viewer", "does not allow")


def test_check_then_a_tampered_audit_entry_is_found(home: Path, tmp_path: Path) -> None:
    ok = as_admin("check", "--db", str(home))
    assert ok.returncode == 0, ok.stderr
    assert "Database integrity: ok" in ok.stdout and "Audit trail verified" in ok.stdout

    copy = tmp_path / "tampered.sqlite3"
    with closing(sqlite3.connect(home)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("UPDATE audit_log SET new_value = 'Somebody else' WHERE id = 42")
    line = one_line_error(as_admin("check", "--db", str(copy)), "tampered", "entry 42")
    assert "altered" in line

    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("DELETE FROM audit_log WHERE id = 10")
    one_line_error(as_admin("check", "--db", str(copy)), "entry 10 is missing")


def test_backup_and_restore_round_trip(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "friday.zip"
    made = as_admin("backup", "--db", str(home), "-o", str(target))
    assert made.returncode == 0, made.stderr
    assert target.exists() and "2 attached file(s)" in made.stdout

    with closing(sqlite3.connect(home)) as conn, conn:
        before = conn.execute("SELECT COUNT(*) FROM incident").fetchone()[0]
        logs = conn.execute("SELECT COUNT(*) FROM log_entry").fetchone()[0]
        assert logs > 0
        conn.execute("DELETE FROM log_entry")  # an accident outside the app
    restored = as_admin("restore", str(target), "--db", str(home))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup made" in restored.stdout
    assert "Audit trail verified" in restored.stdout
    with closing(sqlite3.connect(home)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM incident").fetchone()[0] == before
        assert conn.execute("SELECT COUNT(*) FROM log_entry").fetchone()[0] == logs
    assert as_admin("check", "--db", str(home)).returncode == 0

    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a backup at all")
    one_line_error(as_admin("restore", str(garbage), "--db", str(home)), "not a CQC Desktop backup")
    one_line_error(
        as_admin("restore", str(tmp_path / "nope.zip"), "--db", str(home)), "no backup file"
    )
