"""The app's log file and crash reports (standard ``logging``; no Qt here).

One rotating log file, ``cqc-desktop.log`` in the platform's per-user log folder (on Windows
``%LOCALAPPDATA%\\CQC Desktop\\Logs``), kept to a few megabytes. It records at INFO what a
support person needs to follow what happened: databases opened, migrations, backups, imports,
sign-ins (by user number and role) and every unexpected error with its traceback. It never
records passwords or people's names: log calls across the app pass ids, counts and roles only.

``setup()`` is called once at start by the command line; ``log_crash()`` writes a traceback and
says where; ``install_excepthook()`` sends every uncaught exception there (and, in the desktop
app, on to the crash dialog in ``ui/crash_dialog.py``).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_path

from . import APP_NAME, __version__

LOG_FILENAME = "cqc-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 4
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LOGGER = "cqc_desktop"

log = logging.getLogger(LOGGER)
_lock = threading.Lock()
_handler: logging.Handler | None = None
_file: Path | None = None
_started_at = datetime.now()
_last_saved: datetime | None = None

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_dir() -> Path:
    """The per-user folder the log is kept in (not created here)."""
    return user_log_path(APP_NAME, appauthor=False)


def log_file() -> Path:
    """Where the log is being written (where it would be, before ``setup``)."""
    return _file if _file is not None else log_dir() / LOG_FILENAME


def setup(level: int = logging.INFO) -> Path:
    """Send the app's log records to the rotating file; returns its path. Safe to call again
    (the file follows a change of user folder, as in tests). If the log folder cannot be made
    (a locked-down profile), the log goes to the temporary folder instead; if that fails too,
    logging stays quiet rather than stopping the app."""
    global _handler, _file
    with _lock:
        wanted = log_dir() / LOG_FILENAME
        if _handler is not None and _file == wanted:
            return wanted
        handler: logging.Handler | None = None
        for path in (wanted, Path(tempfile.gettempdir()) / LOG_FILENAME):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handler = logging.handlers.RotatingFileHandler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
                )
                break
            except OSError:
                continue
        if _handler is not None:
            log.removeHandler(_handler)
            _handler.close()
        if handler is None:
            _handler, _file = None, None
            return wanted
        handler.setFormatter(logging.Formatter(FORMAT))
        log.addHandler(handler)
        log.setLevel(level)
        _handler, _file = handler, Path(handler.baseFilename)
    log.info(
        "%s %s started (Python %s, %s)",
        APP_NAME,
        __version__,
        sys.version.split()[0],
        sys.platform,
    )
    return _file


def note_saved(when: datetime | None = None) -> None:
    """A change has been committed to the database (called by ``Database.unit_of_work``)."""
    global _last_saved
    _last_saved = when or datetime.now()


def saved_up_to() -> str:
    """For the crash dialog: how far the user's work is known to be saved, in plain words."""
    if _last_saved is not None:
        return f"{_last_saved:%H:%M on %d/%m/%Y} (the last time something was saved)"
    return f"{_started_at:%H:%M on %d/%m/%Y}, when {APP_NAME} was started (nothing new since)"


def log_crash(exc_info: ExcInfo | None = None, where: str = "") -> Path:
    """Write an unexpected error and its traceback to the log; returns the log file's path."""
    setup()
    info = exc_info if exc_info is not None else sys.exc_info()
    log.error("Unexpected problem%s", f" in {where}" if where else "", exc_info=info)
    if _handler is not None:
        _handler.flush()
    return log_file()


def crash_summary(exc: BaseException) -> str:
    """One line naming the error (type and message), for the command line and the dialog."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


CrashShower = Callable[[ExcInfo, Path], None]


def install_excepthook(show: CrashShower | None = None) -> None:
    """Log every uncaught exception (main thread and other threads); then call ``show`` with it
    and the log file's path (the desktop app shows its crash dialog). Ctrl+C is left alone."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        path = log_crash((kind, exc, tb))
        if show is not None:
            try:
                show((kind, exc, tb), path)
            except Exception:  # the dialog itself failed: the log still has the details
                log.exception("The crash dialog could not be shown")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            where = args.thread.name if args.thread is not None else "a background task"
            log_crash((args.exc_type, args.exc_value, args.exc_traceback), where)

    sys.excepthook = hook
    threading.excepthook = thread_hook
