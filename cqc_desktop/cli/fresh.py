"""A database file made by one command, removed again if that command fails part-way."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..config import DataLocation

# SQLite's companions and the app's own lock file, kept beside the database file.
SIDE_FILES = ("-wal", "-shm", "-journal", ".lock")


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


@contextmanager
def discard_on_failure(location: DataLocation) -> Iterator[None]:
    """Run the block; if it raises and the database file did not exist before it, delete the
    file, its SQLite companions and the attachments/backups folder the block created.

    A file or folder that was there before is never touched. Server databases are left to
    their transaction (nothing is committed when the block fails).
    """
    path = location.sqlite_path
    if path is None or path.exists():
        yield
        return
    existed = {
        p for p in (location.data_dir, *(_beside(path, s) for s in SIDE_FILES)) if p.exists()
    }
    try:
        yield
    except BaseException:
        for leftover in (path, *(_beside(path, s) for s in SIDE_FILES)):
            if leftover not in existed:
                # OSError: e.g. the "folder" is a file, so nothing was made there.
                with suppress(OSError):
                    leftover.unlink(missing_ok=True)
        if location.data_dir not in existed and location.data_dir.is_dir():
            shutil.rmtree(location.data_dir, ignore_errors=True)
        raise
