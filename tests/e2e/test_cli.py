"""The command line, run as a user would run it (a separate process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqc_desktop import __version__
from cqc_desktop.ui.main_window import TABS


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=full_env,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cqc-desktop: error: ")
    for word in words:
        assert word in lines[0]


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"CQC Desktop {__version__}"


def test_demo_twice_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    first = run("demo", "--db", str(db), "--today", "2026-11-26")
    assert first.returncode == 0, first.stderr
    assert "Demo data created" in first.stdout
    assert str(db) in first.stdout
    # --db before the sub-command works the same.
    second = run("--db", str(db), "demo", "--today", "2026-11-26")
    assert_one_line_error(second, "already has data")


def test_demo_needs_a_database_path() -> None:
    assert_one_line_error(run("demo"), "--db")


@pytest.mark.parametrize("make_bad", ["file_as_folder", "folder_as_file", "garbage"])
def test_bad_db_path_gives_one_line(tmp_path: Path, make_bad: str) -> None:
    if make_bad == "file_as_folder":
        (tmp_path / "afile").write_text("x")
        target, words = tmp_path / "afile" / "sub" / "x.sqlite3", ("Cannot create the folder",)
    elif make_bad == "folder_as_file":
        target, words = tmp_path, ("is a folder, not a file",)
    else:
        target = tmp_path / "garbage.sqlite3"
        target.write_bytes(b"\x00garbage" * 1000)
        words = ("damaged",)
    assert_one_line_error(run("demo", "--db", str(target)), *words)


def test_bad_date_is_explained(tmp_path: Path) -> None:
    result = run("demo", "--db", str(tmp_path / "x.sqlite3"), "--today", "26/11/2026")
    assert result.returncode == 2
    assert "use YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_screenshot_saves_one_png_per_tab(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    result = run(
        "--demo",
        "--db",
        str(tmp_path / "d.sqlite3"),
        "--today",
        "2026-11-26",
        "--screenshot",
        str(shots),
    )
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in shots.glob("*.png"))
    tabs = [title.replace("&", "").lower() + ".png" for title, _module, _cls in TABS]
    assert files == sorted(tabs)
    for name in files:  # a real picture of a filled window, not an empty or black file
        assert (shots / name).stat().st_size > 10_000, name


def test_newer_database_refused_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "n.sqlite3"
    assert run("demo", "--db", str(db), "--today", "2026-11-26").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    assert_one_line_error(
        run("--db", str(db), "--screenshot", str(tmp_path / "s")), "newer version"
    )
