"""Where things live: the shipped resources, and the database, attachments and backups folders.

By default everything sits in the platform's per-user data folder (on Windows,
%LOCALAPPDATA%\\CQC Desktop). ``--db`` or ``CQC_DESKTOP_DB`` point elsewhere: a file path or a
database URL (for example a PostgreSQL server shared by several homes).

The resources (reference data, form and tracker definitions, demo scenarios, fonts) are kept at
the top of the source tree in ``resources/`` and shipped inside the installed package as
``cqc_desktop/resources`` (see setup.py); ``RESOURCES`` is the one way to reach them, whether the
app is installed from a wheel, run from the source tree or frozen by PyInstaller.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources as _resources
from pathlib import Path

from platformdirs import user_data_path

from . import APP_NAME

ENV_DB = "CQC_DESKTOP_DB"
DB_FILENAME = "cqc-desktop.sqlite3"
DEMO_FILENAME = "cqc-desktop-demo.sqlite3"


def _resource_root() -> Path:
    """The folder holding the shipped resources.

    Installed (wheel or PyInstaller bundle): ``cqc_desktop/resources`` inside the package, found
    through ``importlib.resources``. From the source tree (``pip install -e .`` or PYTHONPATH),
    where the package has no copy: ``resources/`` beside the package.
    """
    shipped = _resources.files(__package__ or "cqc_desktop").joinpath("resources")
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "resources"


RESOURCES: Path = _resource_root()


@contextmanager
def resource_file(*parts: str) -> Iterator[Path]:
    """A real file path for one resource (ReportLab's fonts need one), for as long as the block
    runs. Raises FileNotFoundError naming the file when it is missing."""
    with _resources.as_file(RESOURCES.joinpath(*parts)) as path:
        if not path.is_file():
            raise FileNotFoundError(2, "Missing resource file", str(path))
        yield path


@dataclass(frozen=True)
class DataLocation:
    """A database plus the folders kept beside it."""

    url: str
    sqlite_path: Path | None  # None for a server database
    data_dir: Path

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def display(self) -> str:
        """What the status bar shows: the file path, or the URL without its password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def default_data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def resolve(db: str | None = None, *, demo: bool = False) -> DataLocation:
    """Turn ``--db``, the environment or the default into a location. Does not touch the disk."""
    # The demo never opens the live database named in the environment; only an explicit --db.
    value = db or ("" if demo else os.environ.get(ENV_DB, ""))
    if "://" in value:
        if value.startswith("sqlite:///"):
            return _sqlite_location(Path(value.removeprefix("sqlite:///")))
        # A server database keeps attachments and backups in the local data folder.
        return DataLocation(url=value, sqlite_path=None, data_dir=default_data_dir())
    if value:
        return _sqlite_location(Path(value))
    name = DEMO_FILENAME if demo else DB_FILENAME
    return _sqlite_location(default_data_dir() / name)


def _sqlite_location(path: Path) -> DataLocation:
    path = path.expanduser().resolve()
    stem = path.stem if path.suffix else path.name
    # Each database gets its own attachments and backups so a demo never mixes with live data.
    data_dir = path.parent / f"{stem}-files"
    return DataLocation(url=f"sqlite:///{path}", sqlite_path=path, data_dir=data_dir)
