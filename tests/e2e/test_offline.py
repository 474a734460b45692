"""The app works with the network cut off: every main path runs in a process where opening any
socket connection fails (and is written down, so even a connection the app tried and then
quietly gave up on fails this test).

Care homes' office PCs often have no internet; the app must never wait for, or need, it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUARD = '''
"""Loaded at start-up (sitecustomize): every socket connection fails and is written down."""
import os
import socket

_LOG = os.environ["CQC_TEST_NETWORK_LOG"]


def _refuse(what, address):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{what} {address!r}\\n")
    raise OSError(f"network use is forbidden in this test: {what} {address!r}")


def _connect(self, address):
    _refuse("connect", address)


def _connect_ex(self, address):
    _refuse("connect_ex", address)


def _create_connection(address, *args, **kwargs):
    _refuse("create_connection", address)


def _getaddrinfo(host, *args, **kwargs):
    _refuse("getaddrinfo", host)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.create_connection = _create_connection
socket.getaddrinfo = _getaddrinfo
'''
HEADER = "Date;Shift;Medicine / round;Time due;Time given;Reason;Recorded by"


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, Path]:
    """(environment with the guard loaded, the guard's log, a working folder)."""
    folder = tmp_path_factory.mktemp("offline")
    guard = folder / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = folder / "network-attempts.txt"
    path = os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "CQC_TEST_NETWORK_LOG": str(log),
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(folder / "home"),
        "XDG_STATE_HOME": str(folder / "home" / "state"),
        "XDG_DATA_HOME": str(folder / "home" / "data"),
        # The demo has the README's sign-in users; commands after it sign in as the administrator.
        "CQC_DESKTOP_USER": "admin",
        "CQC_DESKTOP_PASSWORD": "admin-demo",
    }
    env.pop("CQC_DESKTOP_DB", None)
    return env, log, folder


def run(offline: tuple[dict[str, str], Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env, _log, folder = offline
    result = subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=folder,
    )
    assert result.returncode == 0, (args, result.stderr)
    return result


def test_the_guard_really_cuts_the_network(offline: tuple[dict[str, str], Path, Path]) -> None:
    env, _log, folder = offline
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9), 1)"],
        capture_output=True,
        text=True,
        env={**env, "CQC_TEST_NETWORK_LOG": str(folder / "probe.txt")},
        timeout=60,
    )
    assert probe.returncode != 0
    assert "network use is forbidden" in probe.stderr
    assert "create_connection ('127.0.0.1', 9)" in (folder / "probe.txt").read_text()


def test_every_main_path_runs_without_the_network(
    offline: tuple[dict[str, str], Path, Path],
) -> None:
    _env, log, folder = offline
    db = str(folder / "demo.sqlite3")
    on = ("--db", db, "--today", "2026-11-26")

    assert "Demo data created" in run(offline, "demo", *on).stdout
    run(offline, *on, "--screenshot", str(folder / "shots"))
    assert len(list((folder / "shots").glob("*.png"))) >= 9

    run(offline, *on, "report", "monthly", "--month", "2026-11", "-o", "monthly.pdf")
    run(offline, *on, "report", "inspection-pack", "-o", "pack.pdf")
    run(offline, *on, "form", "medication-audit", "-o", "form.pdf")
    for pdf in ("monthly.pdf", "pack.pdf", "form.pdf"):
        assert (folder / pdf).read_bytes().startswith(b"%PDF")

    source = folder / "meds.csv"
    source.write_text(HEADER + "\n25/11/2026;Late;Evening;18:00;18:45;Agency nurse;Zoë Hart\n")
    imported = run(offline, "--db", db, "import-tracker", "medicines_improvement", str(source))
    assert imported.stdout.startswith("Imported 1 row")
    run(offline, "--db", db, "export", "incidents", "-o", str(folder / "incidents.csv"))

    backup = folder / "backup.zip"
    run(offline, "--db", db, "backup", "-o", str(backup))
    assert backup.is_file()
    run(offline, "--db", db, "check")

    assert not log.exists(), log.read_text()
