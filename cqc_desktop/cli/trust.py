"""Command-line trust tools: ``backup``, ``restore``, ``check`` and ``users``.

Each prints a short plain-English result; any problem is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import resolve
from ..db import Database, DatabaseDamaged, DatabaseInUse, DatabaseProblem
from ..instance import InstanceLock
from ..services.trust.permissions import SESSION_KEY, Actor, Permission, require
from .main import ENV_PASSWORD, UsageError, open_for_command

ENV_NEW_PASSWORD = "CQC_DESKTOP_NEW_PASSWORD"
ENV_RECOVERY_CODE = "CQC_DESKTOP_RECOVERY_CODE"


def register(sub: Any, add_db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    backup = sub.add_parser("backup", help="back up the database and its attached files")
    add_db_option(backup)
    backup.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="where to save the backup (.zip)"
    )
    backup.set_defaults(handler=cmd_backup)

    restore = sub.add_parser(
        "restore", help="restore a backup (the current database is kept as a backup first)"
    )
    add_db_option(restore)
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.set_defaults(handler=cmd_restore)

    check = sub.add_parser(
        "check", help="check the database, the audit trail and the attached files for damage"
    )
    add_db_option(check)
    check.add_argument(
        "--tidy",
        action="store_true",
        help="move attachment files no record refers to into the quarantine folder (administrator)",
    )
    check.set_defaults(handler=cmd_check)

    users = sub.add_parser("users", help="list, add or change the people who sign in")
    add_db_option(users)
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    listing = users_sub.add_parser("list", help="list users and their roles")
    add_db_option(listing)
    listing.set_defaults(handler=cmd_users_list)
    add = users_sub.add_parser(
        "add", help=f"add a user (password typed twice, or read from {ENV_NEW_PASSWORD})"
    )
    add_db_option(add)
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, choices=["administrator", "manager", "staff", "viewer"]
    )
    add.add_argument("--name", default="", help="the person's full name, as shown in the app")
    add.add_argument(
        "--person",
        default="",
        metavar="NAME",
        help="who this is on the staff list (their actions become 'My actions')",
    )
    add.set_defaults(handler=cmd_users_add)
    reset = users_sub.add_parser("set-password", help="set a new password for a user")
    add_db_option(reset)
    reset.add_argument("username")
    reset.set_defaults(handler=cmd_users_set_password)
    for name, active in (("disable", False), ("enable", True)):
        toggle = users_sub.add_parser(name, help=f"{name} a user's sign-in")
        add_db_option(toggle)
        toggle.add_argument("username")
        toggle.set_defaults(handler=cmd_users_toggle, active=active)
    unlock = users_sub.add_parser(
        "unlock", help="let a username that is waiting after wrong passwords sign in now"
    )
    add_db_option(unlock)
    unlock.add_argument("username")
    unlock.set_defaults(handler=cmd_users_unlock)
    recover = users_sub.add_parser(
        "recover",
        help="set a new password for an administrator with the one-time recovery code "
        f"(or read it from {ENV_RECOVERY_CODE})",
    )
    add_db_option(recover)
    recover.add_argument("username")
    recover.set_defaults(handler=cmd_users_recover)
    new_code = users_sub.add_parser(
        "new-recovery-code", help="print a new recovery code (the old one stops working)"
    )
    add_db_option(new_code)
    new_code.set_defaults(handler=cmd_users_new_code)


# --- backup / restore / check ----------------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from ..services.trust.backups import create_backup

    db, actor = open_for_command(args, reading=True)
    try:
        with db.reading() as session:
            _as(session, actor)
            require(session, Permission.BACKUP)
        output = args.output
        if output is not None and output.is_dir():
            raise UsageError(f"{output} is a folder; give a file name, e.g. {output / 'care.zip'}")
        if db.location.sqlite_path is None:
            from ..services.trust.server_backups import server_backup

            print(server_backup(db.location, output).describe())
            return 0
        result = create_backup(db.location, output, actor=actor)
    finally:
        db.dispose()
    print(result.describe())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..services.trust.restore import restore

    location = resolve(getattr(args, "db", None))
    if not args.file.is_file():
        raise UsageError(f"there is no backup file at {args.file}")
    backup_sign_in: tuple[str, str] | None = None
    try:
        # A database nobody can sign in to yet may be restored over: that is how a new PC
        # gets its data back.
        db, actor = open_for_command(args, before_set_up=True)
    except DatabaseDamaged:
        # Too damaged to sign in to: the credentials are checked against the users inside the
        # backup being restored instead (restoring is always an administrator's act).
        db, actor = None, None
        backup_sign_in = _backup_credentials(args)
    lock = None
    try:
        if db is not None:
            with db.reading() as session:
                _as(session, actor)
                require(session, Permission.MANAGE)
            db.dispose()
        if location.sqlite_path is None:
            from ..services.trust.server_backups import server_restore

            before = server_restore(location, args.file)
            print(f"Restored {args.file} to the server database.")
            print(f"  The database as it was before is kept in {before}")
            Database(location).dispose()  # applies any schema upgrade now
            return 0
        if location.sqlite_path is not None:
            lock = InstanceLock(location.sqlite_path)
            owner = lock.acquire(actor.username if actor else "")
            if owner is not None:
                raise DatabaseInUse(owner)
        report = restore(location, args.file, actor=actor, backup_sign_in=backup_sign_in)
    finally:
        if lock is not None:
            lock.release()
    print(report.describe())
    # Opening it once applies any schema upgrade now rather than at the next start.
    Database(location).dispose()
    return 0


def _backup_credentials(args: argparse.Namespace) -> tuple[str, str] | None:
    import getpass

    from .main import ENV_USER

    username = getattr(args, "user", None) or os.environ.get(ENV_USER, "")
    if not username:
        return None  # the restore then refuses unless nobody ever had to sign in
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        try:
            password = getpass.getpass(
                f"Password for {username} (an administrator in the backup): "
            )
        except EOFError:
            raise UsageError(f"no password given (type it, or set {ENV_PASSWORD})") from None
    return username, password


def cmd_check(args: argparse.Namespace) -> int:
    from ..services.trust.restore import check_database, tidy_orphans

    db, actor = open_for_command(args, reading=True)
    try:
        with db.reading() as session:
            _as(session, actor)
            if args.tidy:
                require(session, Permission.MANAGE)
            report = check_database(session, db.location)
    finally:
        db.dispose()
    if not report.ok:
        raise DatabaseProblem(report.problems[0])
    print(report.describe())
    if args.tidy:
        moved = tidy_orphans(db.location, report.orphans, actor=actor)
        if moved is not None:
            print(f"Moved {len(report.orphans):,} file(s) that no record refers to into {moved}.")
    return 0


# --- users -----------------------------------------------------------------------------------------


def cmd_users_list(args: argparse.Namespace) -> int:
    from ..formatting import uk_date
    from ..services.trust import users

    db, actor = open_for_command(args)
    try:
        with db.reading() as session:
            _as(session, actor)
            require(session, Permission.MANAGE)
            rows = users.list_users(session)
            for user in rows:
                seen = uk_date(user.last_login.date()) if user.last_login else "never"
                state = "" if user.active else "  (switched off)"
                print(
                    f"{user.username:<20} {user.role:<14} {user.display_name:<30} "
                    f"last signed in {seen}{state}"
                )
            if not rows:
                print("No users yet: the first one added must be an administrator.")
    finally:
        db.dispose()
    return 0


def _new_password(username: str) -> tuple[str, str]:
    import getpass

    given = os.environ.get(ENV_NEW_PASSWORD)
    if given is not None:
        return given, given
    try:
        first = getpass.getpass(f"New password for {username}: ")
        second = getpass.getpass("Type it again: ")
    except EOFError:
        raise UsageError(f"no password given (type it, or set {ENV_NEW_PASSWORD})") from None
    return first, second


def cmd_users_add(args: argparse.Namespace) -> int:
    from ..services.setup.first_run import has_data
    from ..services.setup.people import find_person
    from ..services.trust import users
    from .main import NotSetUp

    # A database from before sign-in existed (data, but no users) gets its first administrator
    # here; a new, empty one is set up with `setup` instead.
    db, actor = open_for_command(args, before_set_up=True)
    try:
        if actor is None:
            with db.reading() as session:
                if not has_data(session):
                    raise NotSetUp(db.location.display)
        person_id, person_name = None, ""
        if args.person:
            with db.reading() as session:
                person = find_person(session, args.person)
                if person is None:
                    raise UsageError(f"there is nobody called {args.person} on the staff list")
                person_id, person_name = person.id, person.name
        password, confirm = _new_password(args.username)
        with db.unit_of_work(actor) as session:
            if actor is None:
                if args.role != "administrator":
                    raise UsageError("the first user of a database must be an administrator")
                user = users.create_first_administrator(
                    session, args.username, args.name, password, confirm
                )
                user.person_id = person_id
                print_recovery_code(users.issue_recovery_code(session))
            else:
                data = users.UserInput(
                    args.username, args.name or person_name, args.role, person_id
                )
                user = users.create_user(session, data, password, confirm)
            print(f"Added {user.username} ({user.role}).")
    finally:
        db.dispose()
    return 0


def print_recovery_code(code: str) -> None:
    print(
        f"Recovery code: {code}\n"
        "Print or write this down and keep it locked away. It is shown only now. With it, a "
        "forgotten administrator password can be replaced (cqc-desktop users recover); each code "
        "works once."
    )


def cmd_users_recover(args: argparse.Namespace) -> int:
    from ..services.trust import users

    location = resolve(getattr(args, "db", None))
    db = Database(location)
    try:
        code = os.environ.get(ENV_RECOVERY_CODE)
        if code is None:
            import getpass

            try:
                code = getpass.getpass("Recovery code: ")
            except EOFError:
                raise UsageError(
                    f"no recovery code given (type it, or set {ENV_RECOVERY_CODE})"
                ) from None
        password, confirm = _new_password(args.username)
        with db.unit_of_work() as session:
            user, new_code = users.recover_administrator(
                session, args.username, code, password, confirm
            )
            print(f"Password changed for {user.username}. The old recovery code no longer works.")
            print_recovery_code(new_code)
    finally:
        db.dispose()
    return 0


def cmd_users_new_code(args: argparse.Namespace) -> int:
    from ..services.trust import users

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            print_recovery_code(users.issue_recovery_code(session))
    finally:
        db.dispose()
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    from ..services.trust import users

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            unlocked = users.unlock_sign_in(session, args.username)
    finally:
        db.dispose()
    print(
        f"{args.username} can sign in again now."
        if unlocked
        else f"{args.username} was not locked out."
    )
    return 0


def cmd_users_set_password(args: argparse.Namespace) -> int:
    from ..services.trust import users

    db, actor = open_for_command(args)
    try:
        password, confirm = _new_password(args.username)
        with db.unit_of_work(actor) as session:
            user = _find(session, args.username)
            if actor is not None and actor.user_id == user.id and not actor.can(Permission.MANAGE):
                current = os.environ.get(ENV_PASSWORD, "")
                users.change_own_password(session, current, password, confirm)
            else:
                users.reset_password(session, user.id, password, confirm)
            print(f"Password changed for {user.username}.")
    finally:
        db.dispose()
    return 0


def cmd_users_toggle(args: argparse.Namespace) -> int:
    from ..services.trust import users

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            user = _find(session, args.username)
            data = users.UserInput(
                user.username, user.display_name, user.role, user.person_id, args.active
            )
            users.update_user(session, user.id, data)
            print(f"{user.username} can {'now' if args.active else 'no longer'} sign in.")
    finally:
        db.dispose()
    return 0


def _find(session: Any, username: str) -> Any:
    from ..services.trust import users

    user = users.find_user(session, username)
    if user is None:
        raise UsageError(f"there is no user called {username}")
    return user


def _as(session: Any, actor: Actor | None) -> None:
    if actor is not None:
        session.info[SESSION_KEY] = actor
