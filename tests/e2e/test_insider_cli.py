"""Attacks from the command line by someone with the office PC and the database file: each test
is named for the attack, and each failed before these defences."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

PASSWORD = "willow court 2026"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    for name in ("CQC_DESKTOP_USER", "CQC_DESKTOP_PASSWORD", "CQC_DESKTOP_RECOVERY_CODE"):
        if name not in env:
            full_env.pop(name, None)
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


@pytest.fixture
def protected(tmp_path: Path) -> tuple[Path, str]:
    """A new database set up from the command line (its first administrator "office"); returns
    the file and the recovery code printed then."""
    path = tmp_path / "care.sqlite3"
    first = run(
        "setup",
        "--db",
        str(path),
        "--provider",
        "Willow Care Ltd",
        "--home",
        "Willow Court",
        "--admin",
        "office",
        CQC_DESKTOP_NEW_PASSWORD=PASSWORD,
    )
    assert first.returncode == 0, first.stderr
    found = re.search(r"Recovery code: ([0-9A-F-]{23})", first.stdout)
    assert found, first.stdout
    assert "shown only now" in first.stdout
    return path, found[1]


def as_office(path: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return run(*args, "--db", str(path), "--user", "office", CQC_DESKTOP_PASSWORD=password)


def test_attack_delete_every_user_so_nothing_needs_a_sign_in(protected: tuple[Path, str]) -> None:
    path, _code = protected
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM app_user")
    one_line_error(run("check", "--db", str(path)), "none are left")
    one_line_error(
        run(
            "users",
            "add",
            "me",
            "--role",
            "administrator",
            "--db",
            str(path),
            CQC_DESKTOP_NEW_PASSWORD="my own database now",
        ),
        "none are left",
    )


def test_attack_guess_the_administrator_password_from_the_command_line(
    protected: tuple[Path, str],
) -> None:
    path, code = protected
    for _ in range(4):
        one_line_error(as_office(path, "check", password="wrong guess 1"), "do not match")
    line = one_line_error(as_office(path, "check", password="wrong guess 5"), "Try again after")
    assert "in 30 seconds" in line
    one_line_error(as_office(path, "check"), "Too many wrong passwords")  # even the right one
    # The one-time recovery code lets the administrator back in, and prints a new code.
    recovered = run(
        "users",
        "recover",
        "office",
        "--db",
        str(path),
        CQC_DESKTOP_RECOVERY_CODE=code,
        CQC_DESKTOP_NEW_PASSWORD="a fresh start 2026",
    )
    assert recovered.returncode == 0, recovered.stderr
    assert "Password changed for office" in recovered.stdout
    assert "Recovery code:" in recovered.stdout and code not in recovered.stdout
    checked = as_office(path, "check", password="a fresh start 2026")
    assert checked.returncode == 0, checked.stderr
    again = run(
        "users",
        "recover",
        "office",
        "--db",
        str(path),
        CQC_DESKTOP_RECOVERY_CODE=code,
        CQC_DESKTOP_NEW_PASSWORD="another go 2026",
    )
    one_line_error(again, "do not match")


def test_attack_damage_the_database_then_restore_without_signing_in(
    protected: tuple[Path, str], tmp_path: Path
) -> None:
    path, _code = protected
    backup = tmp_path / "friday.zip"
    made = as_office(path, "backup", "-o", str(backup))
    assert made.returncode == 0, made.stderr
    path.write_bytes(b"\x00not a database any more" * 1000)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    one_line_error(run("restore", str(backup), "--db", str(path)), "Only an administrator")
    one_line_error(
        as_office(path, "restore", str(backup), password="not the password"),
        "not the username and password of an administrator in this backup",
    )
    restored = as_office(path, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup made" in restored.stdout
    checked = as_office(path, "check")
    assert checked.returncode == 0, checked.stderr


def test_attack_cut_the_trail_and_its_head_in_the_file(protected: tuple[Path, str]) -> None:
    path, _code = protected
    made = as_office(path, "backup")
    assert made.returncode == 0
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM audit_log")
        conn.execute("DELETE FROM audit_chain_head")
    line = one_line_error(as_office(path, "check"), "chain head is missing")
    assert "Traceback" not in line


def test_check_works_while_another_program_holds_the_database(
    protected: tuple[Path, str],
) -> None:
    """A read-only command signs in without needing to write the sign-in time."""
    path, _code = protected
    holder = sqlite3.connect(path, timeout=1)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program is in the middle of writing
        holder.execute("UPDATE app_user SET display_name = display_name")
        checked = as_office(path, "check")
    finally:
        holder.rollback()
        holder.close()
    assert checked.returncode == 0, checked.stderr
    assert "Audit trail verified" in checked.stdout
    with closing(sqlite3.connect(path)) as conn:
        (seen,) = conn.execute("SELECT last_login FROM app_user").fetchone()
    assert seen is None  # it could not be written, and that did not stop the check
