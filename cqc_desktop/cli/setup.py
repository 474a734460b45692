"""Command-line set-up: ``setup`` (a new database's provider, first home and administrator),
``homes`` and ``staff`` (add, list, import a staff list).

Each prints a short plain-English result; any problem is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .main import UsageError, open_database, open_for_command
from .trust import ENV_NEW_PASSWORD, _as, _new_password


def _beds(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of beds") from None


def _uk_date(text: str) -> Any:
    from ..services.setup.staff_import import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use dd/mm/yyyy") from None


def _home_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cqc-location-id", default="", metavar="ID", help="e.g. 1-123456789")
    parser.add_argument("--registered-manager", default="", metavar="NAME")
    parser.add_argument("--beds", type=_beds, default=None, metavar="N")
    parser.add_argument("--service-type", default="", metavar="TYPE")


def register(sub: Any, add_db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    setup = sub.add_parser(
        "setup",
        help="set up a new database: the provider, the first care home and the administrator "
        f"(password typed twice, or read from {ENV_NEW_PASSWORD})",
    )
    add_db_option(setup)
    setup.add_argument("--provider", required=True, metavar="NAME", help="the provider's name")
    setup.add_argument("--home", required=True, metavar="NAME", help="the first care home")
    _home_options(setup)
    setup.add_argument("--admin", required=True, metavar="USERNAME", help="e.g. zoe.hart")
    setup.add_argument("--admin-name", default="", metavar="NAME", help="the administrator's name")
    setup.set_defaults(handler=cmd_setup)

    homes = sub.add_parser("homes", help="list or add care homes (administrators)")
    add_db_option(homes)
    homes_sub = homes.add_subparsers(dest="homes_command", metavar="ACTION", required=True)
    listing = homes_sub.add_parser("list", help="list the care homes")
    add_db_option(listing)
    listing.add_argument("--all", action="store_true", help="include archived homes")
    listing.set_defaults(handler=cmd_homes_list)
    add = homes_sub.add_parser("add", help="add a care home")
    add_db_option(add)
    add.add_argument("name")
    _home_options(add)
    add.set_defaults(handler=cmd_homes_add)

    staff = sub.add_parser("staff", help="list, add or import the staff list")
    add_db_option(staff)
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    listing = staff_sub.add_parser("list", help="list staff, for one home or all")
    add_db_option(listing)
    listing.add_argument("--home", metavar="NAME")
    listing.add_argument("--current", action="store_true", help="leave out people who have left")
    listing.set_defaults(handler=cmd_staff_list)
    add = staff_sub.add_parser("add", help="add a member of staff")
    add_db_option(add)
    add.add_argument("name")
    add.add_argument("--job-title", required=True, metavar="TITLE")
    add.add_argument("--home", required=True, metavar="NAME")
    add.add_argument("--start-date", type=_uk_date, metavar="DD/MM/YYYY")
    add.add_argument("--email", default="")
    add.set_defaults(handler=cmd_staff_add)
    left = staff_sub.add_parser("left", help="mark a member of staff as left (kept on records)")
    add_db_option(left)
    left.add_argument("name")
    left.add_argument("--date", type=_uk_date, required=True, metavar="DD/MM/YYYY")
    left.set_defaults(handler=cmd_staff_left)
    imp = staff_sub.add_parser(
        "import",
        help="import a staff list (.xlsx, .xls, .ods or .csv with headings such as Name, Job "
        "title, Start date, Leaving date, Email); all rows or none",
    )
    add_db_option(imp)
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--home", required=True, metavar="NAME")
    imp.add_argument("--check", action="store_true", help="only check the file; add nobody")
    imp.set_defaults(handler=cmd_staff_import)


def _home_input(name: str, args: argparse.Namespace) -> Any:
    from ..services.setup.homes import HomeInput

    return HomeInput(
        name=name,
        cqc_location_id=args.cqc_location_id,
        registered_manager=args.registered_manager,
        beds=args.beds,
        service_type=args.service_type,
    )


def cmd_setup(args: argparse.Namespace) -> int:
    from ..config import resolve
    from ..services.setup import first_run

    # Nobody to sign in as yet: set-up itself is the one thing a new database accepts.
    db = open_database(resolve(getattr(args, "db", None)))
    try:
        with db.reading() as session:
            if first_run.has_data(session):
                raise UsageError(
                    f"{db.location.display} already has data in it; set-up is only for a new "
                    "database (sign in and use homes add / staff add to add to it)"
                )
        password, confirm = _new_password(args.admin)
        data = first_run.SetUpInput(
            provider=args.provider,
            home=_home_input(args.home, args),
            username=args.admin,
            display_name=args.admin_name,
            password=password,
            confirm=confirm,
        )
        from ..services.governance.audits import install_builtin_audit_templates

        with db.unit_of_work() as session:
            result = first_run.set_up(session, data)
            install_builtin_audit_templates(session)  # the audit templates, ready to use
        from .trust import print_recovery_code

        print(
            f"Set up {' '.join(args.provider.split())} with {' '.join(args.home.split())}. "
            f"Sign in as {args.admin.strip()} (administrator) to add staff, homes and users."
        )
        print(f"Database: {db.location.display}")
        print_recovery_code(result.recovery_code)
    finally:
        db.dispose()
    return 0


def _find_home(session: Any, name: str) -> Any:
    from ..services.setup.homes import find_home, list_homes

    home = find_home(session, name)
    if home is None:
        names = ", ".join(h.name for h in list_homes(session)) or "none yet"
        raise UsageError(f"there is no care home called {name} (homes: {names})")
    return home


def cmd_homes_list(args: argparse.Namespace) -> int:
    from ..services.setup import homes

    db, actor = open_for_command(args)
    try:
        with db.reading() as session:
            _as(session, actor)
            provider = homes.provider_name(session)
            if provider:
                print(f"Provider: {provider}")
            for home in homes.list_homes(session, include_archived=args.all):
                details = [
                    home.cqc_location_id and f"CQC {home.cqc_location_id}",
                    home.registered_manager and f"manager {home.registered_manager}",
                    home.beds and f"{home.beds} beds",
                    home.service_type,
                    home.archived and "archived",
                ]
                shown = ", ".join(str(d) for d in details if d)
                print(f"{home.name}" + (f"  ({shown})" if shown else ""))
    finally:
        db.dispose()
    return 0


def cmd_homes_add(args: argparse.Namespace) -> int:
    from ..services.setup import homes

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            home = homes.add_home(session, _home_input(args.name, args))
            print(f"Added {home.name}.")
    finally:
        db.dispose()
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from ..formatting import uk_date
    from ..services.setup import staff

    db, actor = open_for_command(args)
    try:
        with db.reading() as session:
            _as(session, actor)
            home_id = _find_home(session, args.home).id if args.home else None
            rows = staff.list_staff(session, service_id=home_id, include_left=not args.current)
            for row in rows:
                dates = f"from {uk_date(row.start_date)}" if row.start_date else ""
                if row.leaving_date:
                    dates += f" left {uk_date(row.leaving_date)}"
                print(
                    f"{row.name:<28} {row.job_title:<26} {', '.join(row.homes):<28} "
                    f"{row.status:<7}{dates}".rstrip()
                )
            if not rows:
                print("No staff yet: add them with  staff add  or  staff import FILE --home NAME")
    finally:
        db.dispose()
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    from ..services.setup import staff

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            home = _find_home(session, args.home)
            data = staff.StaffInput(
                name=args.name,
                job_title=args.job_title,
                home_ids=[home.id],
                start_date=args.start_date,
                email=args.email,
            )
            person = staff.add_staff(session, data)
            print(f"Added {person.name} ({person.role}) at {home.name}.")
    finally:
        db.dispose()
    return 0


def cmd_staff_left(args: argparse.Namespace) -> int:
    from ..formatting import uk_date
    from ..services.setup import people, staff

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            person = people.find_person(session, args.name)
            if person is None:
                raise UsageError(f"there is nobody called {args.name} on the staff list")
            staff.mark_left(session, person.id, args.date)
            print(
                f"{person.name} is marked as left on {uk_date(args.date)}; their name stays on "
                "everything they did."
            )
    finally:
        db.dispose()
    return 0


def cmd_staff_import(args: argparse.Namespace) -> int:
    from ..services.errors import ValidationError
    from ..services.setup import staff_import

    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            home = _find_home(session, args.home)
            preview = staff_import.preview_file(session, home.id, args.file)
            if not preview.ok:
                raise ValidationError({"file": preview.describe()})
            if args.check:
                print(f"Checked, nothing added. {preview.describe()}")
                return 0
            result = staff_import.import_staff(session, preview)
            print(result.describe())
    finally:
        db.dispose()
    return 0
