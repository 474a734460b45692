"""Where data lives: the database, attachments and backups folders.

By default everything sits in the platform's per-user data folder (on Windows,
%LOCALAPPDATA%\\CQC Desktop). ``--db`` or ``CQC_DESKTOP_DB`` point elsewhere: a file path or a
database URL (for example a PostgreSQL server shared by several homes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from . import APP_NAME

ENV_DB = "CQC_DESKTOP_DB"
DB_FILENAME = "cqc-desktop.sqlite3"
DEMO_FILENAME = "cqc-desktop-demo.sqlite3"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


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
