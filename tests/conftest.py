"""Shared fixtures: a fresh database per test, and Qt kept offscreen and away from real settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cqc_desktop.config import resolve
from cqc_desktop.db import Database

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep QSettings, the default data folder and crash logs out of the real user profile."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("CQC_DESKTOP_DB", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(resolve(str(tmp_path / "test.sqlite3")))
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database):  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        yield s
