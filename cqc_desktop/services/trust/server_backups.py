"""Backing up and restoring a PostgreSQL server database with PostgreSQL's own tools.

``pg_dump`` writes one file in its custom format (compressed, restorable table by table), and
``pg_restore`` puts it back. They are found in the folder named by ``CQC_PG_BIN``, on the PATH, or
where PostgreSQL's installers put them; when they cannot be found the message says exactly what to
install or set. The password is handed over in the environment, never on the command line (where
other users of the PC could read it). Attached files live on each PC (``DataLocation``), not on the
server, so the result says which folder to back up alongside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from glob import glob
from pathlib import Path

from sqlalchemy.engine import make_url

from ...config import DataLocation
from .backups import BackupProblem

ENV_PG_BIN = "CQC_PG_BIN"
TIMEOUT_SECONDS = 3600  # a provider's database dumps in seconds; an hour means something is stuck
_INSTALL_FOLDERS = (
    "/usr/lib/postgresql/*/bin",  # Debian and Ubuntu
    "/usr/pgsql-*/bin",  # Red Hat family
    "/opt/homebrew/opt/postgresql@*/bin",
    "/Applications/Postgres.app/Contents/Versions/*/bin",
    "C:/Program Files/PostgreSQL/*/bin",
)


@dataclass(frozen=True)
class ServerBackupResult:
    path: Path
    made_at: datetime
    attachments_dir: Path

    def describe(self) -> str:
        return "\n".join(
            [
                f"Backed up the server database to {self.path} (pg_dump, custom format)",
                f"  Attached files are kept on this PC in {self.attachments_dir}: back that "
                "folder up too.",
            ]
        )


def find_tool(name: str) -> Path | None:
    """``pg_dump`` or ``pg_restore``: CQC_PG_BIN first, then the PATH, then the usual folders
    (the newest version there, as a newer pg_dump can dump an older server)."""
    configured = os.environ.get(ENV_PG_BIN, "").strip()
    exe = name + (".exe" if os.name == "nt" else "")
    if configured:
        candidate = Path(configured).expanduser() / exe
        return candidate if candidate.is_file() else None
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    found = [Path(folder) / exe for pattern in _INSTALL_FOLDERS for folder in glob(pattern)]
    found = [p for p in found if p.is_file()]
    return max(found, key=lambda p: _version_key(p.parent.parent.name), default=None)


def _version_key(text: str) -> tuple[int, ...]:
    digits = "".join(c if c.isdigit() else " " for c in text).split()
    return tuple(int(d) for d in digits)


def _missing(name: str) -> BackupProblem:
    configured = os.environ.get(ENV_PG_BIN, "").strip()
    where = (
        f"{ENV_PG_BIN} is set to {configured}, but there is no {name} in that folder. "
        if configured
        else f"{name} was not found on this PC. "
    )
    return BackupProblem(
        f"{where}Install PostgreSQL's client tools (the same version as the server, or newer: "
        "on Windows the PostgreSQL installer's 'Command Line Tools', on Debian or Ubuntu the "
        f"postgresql-client package), or set {ENV_PG_BIN} to the folder that holds {name} "
        "(for example C:\\Program Files\\PostgreSQL\\16\\bin), then run this again. Nothing has "
        "been changed."
    )


def _command_env(location: DataLocation) -> tuple[str, dict[str, str]]:
    """The libpq address without its password, and an environment carrying the password."""
    url = make_url(location.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: Path, args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(
            [str(tool), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupProblem(f"{what} could not run {tool.name}: {exc}") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        said = lines[-1] if lines else f"it stopped with code {done.returncode}"
        raise BackupProblem(f"{what} failed: {tool.name} says: {said}")


def server_backup(
    location: DataLocation, output: Path | None = None, now: datetime | None = None
) -> ServerBackupResult:
    """Dump the server database to ``output`` (default: the backups folder, named by time)."""
    tool = find_tool("pg_dump")
    if tool is None:
        raise _missing("pg_dump")
    made_at = now or datetime.now()
    target = output or location.backups_dir / f"cqc-desktop-{made_at:%Y-%m-%d-%H%M%S}.dump"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupProblem(f"Cannot create the folder {target.parent} ({exc.strerror}).") from exc
    address, env = _command_env(location)
    partial = target.with_name(target.name + ".part")
    _run(tool, ["--format=custom", "--no-owner", f"--file={partial}", address], env, "The backup")
    partial.replace(target)  # a half-written dump never carries the backup's name
    return ServerBackupResult(target, made_at, location.attachments_dir)


def server_restore(location: DataLocation, backup: Path) -> Path:
    """Put a pg_dump backup back in place of the server database, in one transaction (all or
    nothing). A backup of the database as it is now is made first; its path is returned."""
    tool = find_tool("pg_restore")
    if tool is None:
        raise _missing("pg_restore")
    before = server_backup(location, location.backups_dir / _before_restore_name())
    address, env = _command_env(location)
    options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run(tool, [*options, f"--dbname={address}", str(backup)], env, "The restore")
    return before.path


def _before_restore_name() -> str:
    return f"cqc-desktop-{datetime.now():%Y-%m-%d-%H%M%S}-before-restore.dump"
