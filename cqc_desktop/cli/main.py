"""Command-line entry points. Each sub-command opens the database, does one thing and exits.

Errors reach the user as one line on stderr and a non-zero exit status, never a traceback.

Starting the desktop app (no sub-command) is the common case and must be quick, so this module
imports the database layer only when it is used, and the sub-commands' modules only when the
command line names a sub-command (or asks for help).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .. import APP_NAME, __version__
from ..services.errors import ServiceError

if TYPE_CHECKING:
    from ..config import DataLocation
    from ..db import Database
    from ..services.trust.permissions import Actor

PROG = "cqc-desktop"


class UsageError(Exception):
    """Bad arguments, worded for the user."""


class NotSetUp(UsageError):
    """The database has nobody to sign in as yet: only ``setup`` (or ``demo``) may use it."""

    def __init__(self, display: str) -> None:
        super().__init__(
            f"{display} has not been set up yet: run  cqc-desktop setup --db {display} "
            "--provider NAME --home NAME --admin USERNAME  (or open it in the app, which walks "
            "you through set-up)"
        )


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from None


# Each area owns its sub-commands in its own module, which provides
# ``register(subparsers, add_db_option)``. Those modules import heavy libraries (ReportLab,
# openpyxl) inside their handlers, not at the top, so parsing stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "cqc_desktop.cli.setup",
    "cqc_desktop.cli.trust",
    "cqc_desktop.cli.reports",
    "cqc_desktop.cli.records",
)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Give a sub-command the --db option (also accepted before the sub-command)."""
    _common(parser, top=False)


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # --db is accepted before or after the sub-command; SUPPRESS keeps the sub-parser's absent
    # value from wiping out one given before it.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help="database file or URL (default: your user data folder; or set CQC_DESKTOP_DB)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help="who is running the command, when the database has users (or set "
        "CQC_DESKTOP_USER); the password is asked for, or read from CQC_DESKTOP_PASSWORD",
    )


class _NotOnlyTopLevel(Exception):
    """The quick parse in ``_app_args`` met something only the full parser understands."""


class _QuickParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotOnlyTopLevel(message)


def _top_level(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of the app itself (no sub-command)."""
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    _common(parser, top=True)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the demo database (created with the worked scenarios if missing)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="DIR",
        type=Path,
        help="save one PNG per tab into DIR and exit (no window is shown)",
    )
    parser.add_argument("--today", type=_iso_date, help=argparse.SUPPRESS)
    parser.add_argument("--size", default="1366x768", help=argparse.SUPPRESS)
    return parser


def _app_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments, when they only start the app: then the sub-commands' modules (which import
    the record listings, the report catalogue, spreadsheets…) need not be loaded. None when the
    command line names a sub-command, asks for help or has a mistake the full parser reports."""
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    quick = _top_level(_QuickParser(prog=PROG, add_help=False))
    try:
        args, rest = quick.parse_known_args(argv)
    except _NotOnlyTopLevel:
        return None
    return None if rest else args


def build_parser() -> argparse.ArgumentParser:
    parser = _top_level(
        argparse.ArgumentParser(
            prog=PROG,
            description=f"{APP_NAME}: care-home improvement plans, evidence and governance.",
        )
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="load the worked scenarios into an empty database")
    add_db_option(demo)
    demo.add_argument(
        "--today",
        type=_iso_date,
        default=argparse.SUPPRESS,
        help="last day of the 12 weeks of demo data (default: today)",
    )
    demo.set_defaults(handler=cmd_demo)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub, add_db_option)
    return parser


def open_database(location: DataLocation) -> Database:
    from ..db import Database

    return Database(location)


def open_for_command(
    args: argparse.Namespace, *, before_set_up: bool = False, reading: bool = False
) -> tuple[Database, Actor | None]:
    """Open the database a sub-command works on, and who is running it. ``reading`` commands
    (check, export, report, backup) still work on a read-only or busy file.

    Every sub-command handler uses this, then ``db.unit_of_work(actor)`` for changes, so the
    services check the user's permissions and the audit trail records them. A database nobody
    can sign in to yet is refused (NotSetUp), unless the command itself is what sets it up
    (``before_set_up``; then the actor is None and the command must allow only that).
    """
    import os

    from ..config import resolve

    location = resolve(getattr(args, "db", None))
    db = open_database(location)
    try:
        username = getattr(args, "user", None) or os.environ.get(ENV_USER, "")
        return db, _sign_in(db, username, before_set_up=before_set_up, reading=reading)
    except BaseException:
        db.dispose()
        raise


ENV_USER = "CQC_DESKTOP_USER"
ENV_PASSWORD = "CQC_DESKTOP_PASSWORD"


def _sign_in(
    db: Database, username: str, *, before_set_up: bool = False, reading: bool = False
) -> Actor | None:
    """The signed-in user for a command. A database nobody can sign in to yet is refused: no
    command runs on it "as system" with full rights (only set-up, which makes the first user),
    and one whose users have vanished stays locked."""
    import getpass
    import os

    from ..db import DatabaseProblem, StorageProblem
    from ..services.trust import anchors, users

    with db.reading() as session:
        if not users.has_users(session):
            if anchors.locked_without_users(session, db.location):
                raise DatabaseProblem(anchors.LOCKED_WITHOUT_USERS)
            if before_set_up:
                return None
            raise NotSetUp(db.location.display)
    if not username:
        raise UsageError(
            f"this database has users: say who you are with --user NAME (or set {ENV_USER})"
        )
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        try:
            password = getpass.getpass(f"Password for {username}: ")
        except EOFError:
            raise UsageError(f"no password given (type it, or set {ENV_PASSWORD})") from None
    try:
        with db.unit_of_work() as session:
            return users.authenticate(session, username, password)
    except StorageProblem:
        if not reading:
            raise
    # A read-only or busy file: check the password without writing the sign-in time.
    with db.reading() as session:
        return users.authenticate(session, username, password, record_sign_in=False)


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.db:
        raise UsageError("say where to create the demo database with --db PATH")
    from ..config import resolve

    location = resolve(args.db)
    from .fresh import discard_on_failure

    # A demo that fails part-way (a missing resource file, a full disk) leaves no half-made
    # database behind for the next attempt to trip over.
    with discard_on_failure(location):
        db = open_database(location)
        from ..services.demo.loader import seed_demo
        from ..services.trust.users import DEMO_USERS, create_demo_users

        try:
            with db.unit_of_work() as session:
                summary = seed_demo(session, args.today or date.today(), location.attachments_dir)
                # The same four sign-in users as --demo (README "Demo sign-in").
                create_demo_users(session)
        finally:
            db.dispose()
    print(summary.describe())
    print("Sign in as " + ", ".join(f"{u} / {p}" for u, p, *_ in DEMO_USERS) + ".")
    print(f"Database: {location.display}")
    return 0


def run_gui(args: argparse.Namespace) -> int:
    from ..config import resolve
    from ..ui.app import launch

    location = resolve(args.db, demo=args.demo)
    return launch(
        location, demo=args.demo, screenshot_dir=args.screenshot, today=args.today, size=args.size
    )


def main(argv: Sequence[str] | None = None) -> int:
    # Starting up makes a few hundred thousand objects that live as long as the process
    # (SQLAlchemy, the models, Qt's wrappers); the cyclic garbage collector would scan them over
    # and over while they are made, for nothing (about a tenth of the start-up time). It is off
    # until the window has been painted (ui.app.settle_memory) or the command has finished.
    gc.disable()
    from ..app_logging import setup as setup_logging

    setup_logging()
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    finally:
        gc.enable()


def _main(argv: list[str]) -> int:
    from ..db import DatabaseProblem

    args = _app_args(argv) or build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", run_gui)
    try:
        return handler(args)
    except (UsageError, DatabaseProblem, ServiceError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{PROG}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: keep the details in the log, show one line
        from ..app_logging import crash_summary, log_crash

        log = log_crash(where=getattr(args, "command", None) or "the app")
        print(
            f"{PROG}: error: unexpected problem ({crash_summary(exc)}); details saved to {log}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
