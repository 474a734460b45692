"""The log file a support person reads: what the app did (opens, migrations, backups, imports,
sign-ins) and every unexpected error's traceback, but never a password or a person's name."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from cqc_desktop import app_logging
from cqc_desktop.cli import main as cli_main
from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.models import Person, Service
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.services.trust.users import UserInput, create_user

PASSWORD = "Tulip-garden-42"
HEADER = "Date;Shift;Medicine / round;Time due;Time given;Reason;Recorded by"


def run(*args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CQC_DESKTOP_PASSWORD": password}
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )


@pytest.fixture
def home_db(tmp_path: Path) -> str:
    path = str(tmp_path / "home.sqlite3")
    db = Database(resolve(path))
    with db.unit_of_work() as session:
        service = Service(name="Willow Court")
        session.add(service)
        session.flush()
        session.add(Person(name="Zoë Hartley", role="Registered manager", service_id=service.id))
        install_builtin_trackers(session, service.id)
        create_user(session, UserInput("zhartley", "Zoë Hartley", "manager"), PASSWORD, PASSWORD)
    db.dispose()
    return path


def log_text() -> str:
    return (app_logging.log_dir() / app_logging.LOG_FILENAME).read_text(encoding="utf-8")


def test_the_log_follows_what_happened_without_names_or_passwords(
    home_db: str, tmp_path: Path
) -> None:
    source = tmp_path / "Zoë Hartley meds.csv"
    source.write_text(HEADER + "\n24/11/2026;Late;Evening;18:00;18:40;Handover;Zoë Hartley\n")
    common = ("--db", home_db, "--user", "zhartley")

    imported = run(*common, "import-tracker", "medicines_improvement", str(source))
    assert imported.returncode == 0, imported.stderr
    backup = run(*common, "backup", "-o", str(tmp_path / "copy.zip"))
    assert backup.returncode == 0, backup.stderr
    refused = run(*common, "backup", "-o", str(tmp_path / "no.zip"), password="not-my-password")
    assert refused.returncode == 1

    text = log_text()
    assert "Opened the database" in text and "(schema current)" in text
    assert "Signed in: user #1 (manager)" in text
    assert "Imported 1 rows into tracker #" in text
    assert "Backup made (manual)" in text and "copy.zip" in text
    assert "Sign-in refused for user #1: wrong password" in text
    for secret in (PASSWORD, "not-my-password", "Zoë", "Hartley", "zhartley"):
        assert secret not in text, secret


def test_a_new_database_logs_its_migration(tmp_path: Path) -> None:
    made = run("demo", "--db", str(tmp_path / "new.sqlite3"), "--today", "2026-11-26")
    assert made.returncode == 0, made.stderr
    text = log_text()
    assert "Migrating the database schema from empty to" in text
    assert "(schema created)" in text


def test_an_unexpected_error_is_one_line_with_its_traceback_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_args: object) -> int:
        raise RuntimeError("the widget fell over")

    monkeypatch.setattr(cli_main, "cmd_demo", broken)
    code = cli_main.main(["demo", "--db", str(tmp_path / "x.sqlite3")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    log_path = app_logging.log_dir() / app_logging.LOG_FILENAME
    assert err[0] == (
        "cqc-desktop: error: unexpected problem (RuntimeError: the widget fell over); "
        f"details saved to {log_path}"
    )
    text = log_text()
    assert "ERROR" in text and "Unexpected problem in demo" in text
    assert "Traceback (most recent call last)" in text
    assert 'raise RuntimeError("the widget fell over")' in text


def test_uncaught_exceptions_in_any_thread_reach_the_log_and_the_dialog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    shown: list[tuple[str, Path]] = []
    app_logging.install_excepthook(lambda info, path: shown.append((str(info[1]), path)))
    try:
        raise ValueError("bad date in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert shown == [("bad date in a slot", app_logging.log_file())]

    worker = threading.Thread(target=lambda: 1 / 0, name="daily-backup")
    worker.start()
    worker.join()
    text = log_text()
    assert "ValueError: bad date in a slot" in text
    assert "Unexpected problem in daily-backup" in text and "ZeroDivisionError" in text
    assert len(shown) == 1  # a background thread's error is logged; the dialog is for the UI


def test_the_log_rotates_and_survives_an_unwritable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = app_logging.setup()
    assert path == app_logging.log_dir() / app_logging.LOG_FILENAME
    handler = next(h for h in app_logging.log.handlers if hasattr(h, "maxBytes"))
    assert handler.maxBytes == app_logging.MAX_BYTES  # type: ignore[attr-defined]
    assert handler.backupCount == app_logging.BACKUP_COUNT  # type: ignore[attr-defined]

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the log folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    fallback = app_logging.setup()
    assert fallback == tmp_path / "temp" / app_logging.LOG_FILENAME
    app_logging.log.info("still logging")
    assert "still logging" in fallback.read_text(encoding="utf-8")
