"""Shared fixtures: a fresh database per test, and Qt kept offscreen and away from real settings."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt reads the settings location once per process, so a per-test HOME is not enough: point every
# QSettings at a throw-away folder for the whole run, and empty it before each test (below).
_SETTINGS_DIR = tempfile.mkdtemp(prefix="cqc-qsettings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS_DIR

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from cqc_desktop.config import DataLocation, resolve  # noqa: E402 (the environment must be set first)
from cqc_desktop.db import Database  # noqa: E402
from cqc_desktop.migrations import HEAD_REVISION  # noqa: E402

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


# --- which database the tests run on -------------------------------------------------------------
# Without CQC_TEST_DATABASE_URL every test database is an SQLite file in the test's own folder.
# With it (a PostgreSQL server URL whose user may create databases), the database tests run on
# that server instead, each on an empty, migrated database of its own (see _TestServer); tests about
# the SQLite file itself (marked ``sqlite_only``) are skipped there.
TEST_SERVER_URL = os.environ.get("CQC_TEST_DATABASE_URL", "")


class _TestServer:
    """Makes, empties and drops throw-away databases on the test server.

    Making a database costs about half a second, so each test's first database is one kept for
    the whole run and emptied after each test (a few milliseconds); further databases in a test,
    and empty ones for the migration tests, are made new from a migrated template.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"cqc_test_{os.getpid()}_"
        self.template = ""
        self.reused = ""
        self.reused_busy = False
        self.emptying = ""

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _create(self, *, migrated: bool) -> str:
        if migrated and not self.template:
            self.template = self.prefix + "template"
            self._execute(f'CREATE DATABASE "{self.template}"')
            Database(self._location(self.template, Path(_SETTINGS_DIR))).dispose()
        name = self.prefix + uuid.uuid4().hex[:12]
        source = f' TEMPLATE "{self.template}"' if migrated else ""
        self._execute(f'CREATE DATABASE "{name}"{source}')
        return name

    def _location(self, name: str, folder: Path) -> DataLocation:
        return DataLocation(url=self.url_for(name), sqlite_path=None, data_dir=folder)

    def location(self, folder: Path, *, migrated: bool = True, reuse: bool = False) -> DataLocation:
        if reuse and migrated and not self.reused_busy:
            if not self.reused:
                self.reused = self._create(migrated=True)
                self.emptying = self._emptying_sql(self.reused)
            self.reused_busy = True
            return self._location(self.reused, folder)
        return self._location(self._create(migrated=migrated), folder)

    def _emptying_sql(self, name: str) -> str:
        engine = create_engine(self.url_for(name))
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            deletes = [f'DELETE FROM "{t}"' for t in tables]
            sequences = conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            restarts = [f"SELECT setval('\"{q}\"', 1, false)" for q in sequences]
        engine.dispose()
        # Foreign keys are not checked while emptying (session_replication_role), so any order works.
        reset = f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'"  # a test may age it
        return "; ".join(
            ["SET LOCAL session_replication_role = replica", *deletes, *restarts, reset]
        )

    def drop(self, location: DataLocation) -> None:
        name = make_url(location.url).database
        if name != self.reused:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        # Close whatever a test left open, then empty the kept database for the next test.
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        engine = create_engine(self.url_for(name))
        with engine.begin() as conn:
            conn.exec_driver_sql(self.emptying)
        engine.dispose()
        self.reused_busy = False

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": self.prefix + "%"},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


_server: _TestServer | None = None


def _test_server() -> _TestServer | None:
    global _server
    if TEST_SERVER_URL and _server is None:
        _server = _TestServer(TEST_SERVER_URL)
    return _server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself; skipped on a server database"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not TEST_SERVER_URL:
        return
    skip = pytest.mark.skip(reason="about the SQLite file; CQC_TEST_DATABASE_URL is a server")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


def new_location(
    folder: Path, name: str = "test", *, migrated: bool = True, reuse: bool = False
) -> DataLocation:
    """A fresh database for a test: an SQLite file in ``folder``, or a database on the test
    server (with no tables when ``migrated`` is False, for the migration tests)."""
    server = _test_server()
    if server is None:
        return resolve(str(folder / f"{name}.sqlite3"))
    return server.location(folder / f"{name}-files", migrated=migrated, reuse=reuse)


def drop_location(location: DataLocation) -> None:
    server = _test_server()
    if server is not None and location.sqlite_path is None:
        server.drop(location)


@pytest.fixture
def make_location(tmp_path: Path) -> Iterator[Callable[..., DataLocation]]:
    """``make_location(name)``: another fresh database for this test (dropped afterwards)."""
    made: list[DataLocation] = []

    def make(name: str = "test", *, migrated: bool = True) -> DataLocation:
        made.append(new_location(tmp_path, name, migrated=migrated, reuse=True))
        return made[-1]

    yield make
    for location in made:
        drop_location(location)


@pytest.fixture(scope="session")
def make_shared_location(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., DataLocation]]:
    """Like ``make_location``, for module-scoped fixtures (dropped at the end of the run)."""
    made: list[DataLocation] = []

    def make(name: str = "test", *, migrated: bool = True) -> DataLocation:
        made.append(new_location(tmp_path_factory.mktemp(name), name, migrated=migrated))
        return made[-1]

    yield make
    for location in made:
        drop_location(location)


@pytest.fixture
def db(make_location: Callable[..., DataLocation]) -> Iterator[Database]:
    database = Database(make_location())
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
    if _server is not None:
        _server.drop_all()


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
