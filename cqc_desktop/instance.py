"""Where the database file lives and who else has it open.

* ``InstanceLock``: a lock file beside the database (``<name>.lock``) holding the Windows user,
  the computer's name and who signed in, kept locked by the operating system while the app runs.
  The OS drops the lock when the process ends, even if it crashed, so a stale file never blocks
  anyone; a second copy of the app reads the file and says who has the database open.
* ``network_share``: SQLite's locking is not reliable on network file systems, so a database on
  a shared drive gets a warning (by path form, Windows drive type, or the Linux mount table).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any

PROC_MOUNTS = Path("/proc/mounts")
NETWORK_FILESYSTEMS = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "afs",
        "ncpfs",
        "9p",
        "sshfs",
        "fuse.sshfs",
        "davfs",
        "fuse.davfs2",
        "glusterfs",
        "ceph",
        "fuse.rclone",
    }
)
_LOCK_OFFSET = 1 << 20  # Windows locks byte ranges: lock one far past the text so it stays readable


def _lock_file(fh: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            fh.seek(0)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock_file(fh: IO[bytes]) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass


def describe_owner(info: dict[str, Any]) -> str:
    """ "zoe (Zoë Hart's login sarah) on OFFICE-PC since 09:12" in plain words."""
    who = str(info.get("user") or "someone")
    machine = str(info.get("machine") or "another computer")
    signed_in = str(info.get("signed_in") or "")
    since = ""
    try:
        started = datetime.fromisoformat(str(info.get("since")))
        since = f" since {started:%H:%M on %d/%m/%Y}"
    except (TypeError, ValueError):
        pass
    app_user = f", signed in as {signed_in}" if signed_in and signed_in != who else ""
    return f"{who} on {machine}{app_user}{since}"


class InstanceLock:
    """One running copy of the app per database file."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh: IO[bytes] | None = None
        self._info: dict[str, Any] = {}

    def acquire(self, signed_in: str = "") -> str | None:
        """Take the lock. Returns None on success, or a description of who holds it."""
        try:
            fh = self.path.open("a+b")
        except OSError:
            return None  # a read-only folder: nothing can be saved anyway, say so elsewhere
        if not _lock_file(fh):
            fh.close()
            return self.other_owner() or "another copy of CQC Desktop"
        self._fh = fh
        self._info = {
            "user": _os_user(),
            "machine": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now().isoformat(timespec="seconds"),
            "signed_in": signed_in,
        }
        self._write()
        return None

    def update(self, signed_in: str) -> None:
        if self._fh is not None:
            self._info["signed_in"] = signed_in
            self._write()

    def _write(self) -> None:
        assert self._fh is not None
        try:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.write(json.dumps(self._info).encode("utf-8"))
            self._fh.flush()
        except OSError:
            pass  # the lock still holds; only the description is missing

    def other_owner(self) -> str | None:
        """Who holds the lock, if someone other than this process does."""
        if self._fh is not None:
            return None
        try:
            with self.path.open("rb") as fh:
                if _lock_file(fh):
                    _unlock_file(fh)
                    return None  # nobody holds it: an old file from a copy that has closed
                fh.seek(0)
                raw = fh.read(4096)
        except OSError:
            return None
        try:
            info = json.loads(raw.decode("utf-8"))
        except ValueError:
            return "another copy of CQC Desktop"
        return describe_owner(info) if isinstance(info, dict) else "another copy of CQC Desktop"

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            # The file stays (deleting it could race a copy that is just opening it); an empty,
            # unlocked lock file means nobody has the database open.
            self._fh.seek(0)
            self._fh.truncate()
        except OSError:
            pass
        _unlock_file(self._fh)
        self._fh.close()
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or password database
        return "someone"


def network_share(path: Path | str, mounts: Path | None = None) -> str | None:
    """A description such as "a network share" if ``path`` is on a network file system."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "a network share"
    if sys.platform == "win32":
        return _windows_remote_drive(text)
    return _mounted_network_fs(Path(text), mounts or PROC_MOUNTS)


def _windows_remote_drive(text: str) -> str | None:  # pragma: no cover - Windows only
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(text))[0]
    if not drive:
        return None
    drive_remote = 4
    kind = ctypes.windll.kernel32.GetDriveTypeW(drive + "\\")  # type: ignore[attr-defined]
    return f"the network drive {drive}" if kind == drive_remote else None


def _mounted_network_fs(path: Path, mounts: Path) -> str | None:
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = os.path.abspath(path)
    best, best_type = "", ""
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        # /proc/mounts escapes spaces in mount points as \040.
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, parts[2]
    if best_type in NETWORK_FILESYSTEMS:
        return f"a network drive ({best_type}, mounted at {best})"
    return None
