"""Shared fixtures: a fresh database per test, and Qt kept offscreen and away from real settings."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt reads the settings location once per process, so a per-test HOME is not enough: point every
# QSettings at a throw-away folder for the whole run, and empty it before each test (below).
_SETTINGS_DIR = tempfile.mkdtemp(prefix="cqc-qsettings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS_DIR

from cqc_desktop.config import resolve  # noqa: E402 (the environment must be set first)
from cqc_desktop.db import Database  # noqa: E402

TODAY = date(2026, 11, 26)

# On CI every hypothesis test draws the same examples each run, so a failure there is reproducible
# (the examples are printed); on a developer's machine they vary and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep QSettings, the default data folder and crash logs out of the real user profile."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))  # the log folder
    monkeypatch.delenv("CQC_DESKTOP_DB", raising=False)
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        QSettings("CQC Desktop", "CQC Desktop").clear()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(resolve(str(tmp_path / "test.sqlite3")))
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database):  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        yield s


# --- process exit -------------------------------------------------------------------------------
# PySide6 can crash while the interpreter tears down (Qt objects finalised in an arbitrary order
# after the QApplication): "pure virtual method called" or a segfault *after* every test has passed
# and the summary is printed. Leave straight away with pytest's own exit status once everything,
# including the summary, is done, so CI sees the real result rather than a teardown crash.
_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


def _qt_application_alive() -> bool:
    # pytest-qt imports PySide6 at load, so only a QApplication built by a test is a sign that
    # Qt will tear down badly; a run of Qt-free tests (or one driven in-process, as the mutation
    # tester does) ends normally.
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets is not None and widgets.QApplication.instance() is not None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _exit_status and _qt_application_alive():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
