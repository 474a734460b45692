"""``cqc-desktop form`` and ``cqc-desktop report``: printable documents as PDF files.

ReportLab is imported only when a document is made, so the rest of the command line starts fast.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from .main import UsageError, open_for_command

AddDb = Callable[[argparse.ArgumentParser], None]


def register(subparsers: Any, add_db_option: AddDb) -> None:
    form = subparsers.add_parser(
        "form", help="print a blank form (observation, audit, incident review, handover)"
    )
    add_db_option(form)
    form.add_argument("name", nargs="?", help="which form; see --list")
    form.add_argument("--list", action="store_true", help="list the forms that can be printed")
    form.add_argument(
        "--service", metavar="NAME", help="care home printed on the form (default: the only home)"
    )
    _output(form)
    form.set_defaults(handler=cmd_form)

    report = subparsers.add_parser("report", help="make a report or pack as a PDF")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)

    monthly = kinds.add_parser("monthly", help="monthly QA report for a home (or all homes)")
    add_db_option(monthly)
    monthly.add_argument("--month", required=True, metavar="YYYY-MM", help="e.g. 2026-11")
    monthly.add_argument("--service", metavar="NAME", help="the care home (default: the only one)")
    monthly.add_argument(
        "--all-homes", action="store_true", help="the provider roll-up across every home"
    )
    _output(monthly)
    monthly.set_defaults(handler=cmd_monthly)

    pack = kinds.add_parser("inspection-pack", help="evidence pack for an inspector")
    add_db_option(pack)
    pack.add_argument("--service", metavar="NAME", help="the care home (default: the only one)")
    pack.add_argument(
        "--allow-mismatch",
        action="store_true",
        help="exit 0 even if an attached file no longer matches its recorded SHA-256",
    )
    _output(pack)
    pack.set_defaults(handler=cmd_inspection_pack)

    commissioner = kinds.add_parser(
        "commissioner", help="contract-monitoring pack for a commissioner"
    )
    add_db_option(commissioner)
    commissioner.add_argument(
        "--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day covered"
    )
    commissioner.add_argument(
        "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day covered"
    )
    commissioner.add_argument(
        "--service", metavar="NAME", help="the care home (default: the only one)"
    )
    _output(commissioner)
    commissioner.set_defaults(handler=cmd_commissioner)

    plan = kinds.add_parser("action-plan", help="CQC action plan for a plan, per regulation")
    add_db_option(plan)
    plan.add_argument("--plan", metavar="ID", help="which plan (see --list)")
    plan.add_argument("--list", action="store_true", help="list the plans with their IDs")
    _output(plan)
    plan.set_defaults(handler=cmd_action_plan)

    minutes = kinds.add_parser("minutes", help="governance meeting minutes")
    add_db_option(minutes)
    minutes.add_argument("--meeting", metavar="ID", help="which meeting (see --list)")
    minutes.add_argument("--list", action="store_true", help="list the meetings with their IDs")
    _output(minutes)
    minutes.set_defaults(handler=cmd_minutes)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE.pdf", type=Path, help="where to save it")
    # Also accepted after the sub-command (the top-level --today is the usual place).
    parser.add_argument("--today", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _today(args: argparse.Namespace) -> date:
    value = getattr(args, "today", None)
    if value is None:
        return date.today()
    return value if isinstance(value, date) else _date(str(value), "--today")


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; use YYYY-MM-DD") from None


def _id(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"'{text}' is not a {what} ID; --list shows them") from None


def _target(args: argparse.Namespace) -> Path:
    if args.output is None:
        raise UsageError("say where to save the PDF with -o FILE.pdf")
    path: Path = args.output.expanduser()
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name such as {path / 'report.pdf'}")
    if not path.parent.exists():
        raise UsageError(f"the folder {path.parent} does not exist")
    return path


def _save(pdf: bytes, path: Path) -> None:
    """Write next to the target and rename, so a failure never leaves half a PDF behind."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".cqc-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(pdf)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _make(args: argparse.Namespace, build: Callable[[Any, Any], Any], title: str) -> int:
    """Open the database, build the request from it, generate and save the PDF."""
    from ..reports.catalogue import generate, refresh_alerts

    path = _target(args)
    db, _actor = open_for_command(args, reading=True)
    try:
        today = _today(args)
        with db.reading() as session:
            request = build(session, today)
        refresh_alerts(db, request, today)
        with db.reading() as session:
            pdf = generate(
                session,
                request,
                today=today,
                attachments_dir=db.location.attachments_dir,
                location=db.location,
            )
    finally:
        db.dispose()
    _save(pdf, path)
    print(f"Saved {title} to {path}")
    return 0


FILES_CHANGED_EXIT = 3  # saved, but an attached file no longer matches its recorded SHA-256


def cmd_form(args: argparse.Namespace) -> int:
    from ..services.reporting import common as report_data
    from ..services.reporting import forms as report_data_forms

    if args.list:
        db, _actor = open_for_command(args)
        try:
            with db.reading() as session:
                forms = report_data_forms.form_catalogue(session)
        finally:
            db.dispose()
        width = max(len(f.name) for f in forms)
        for f in forms:
            print(f"{f.name.ljust(width)}  {f.title}")
        return 0
    if not args.name:
        raise UsageError("say which form to print, or use --list to see them")
    from ..reports.catalogue import FORM, DocumentRequest

    def build(session: Any, _today: date) -> DocumentRequest:
        spec = report_data_forms.find_form(session, args.name)
        homes = report_data.homes(session)
        home_id = None
        if args.service:
            home_id = report_data.find_home(session, args.service).id
        elif len(homes) == 1:
            home_id = homes[0].id
        return DocumentRequest(FORM, form=spec.name, service_id=home_id)

    return _make(args, build, "the form")


def cmd_monthly(args: argparse.Namespace) -> int:
    from ..reports.catalogue import MONTHLY, PROVIDER, DocumentRequest
    from ..services.reporting import common as report_data

    period = report_data.month_period(args.month)
    if args.all_homes and args.service:
        raise UsageError("use either --service NAME or --all-homes, not both")

    def build(session: Any, _today: date) -> DocumentRequest:
        if args.all_homes:
            return DocumentRequest(PROVIDER, period=period)
        home = _home(session, args.service)
        return DocumentRequest(MONTHLY, service_id=home.id, period=period)

    title = "the provider roll-up" if args.all_homes else "the monthly QA report"
    return _make(args, build, f"{title} for {period.label}")


def _home(session: Any, name: str | None) -> Any:
    from ..services.errors import ValidationError
    from ..services.reporting import common as report_data

    try:
        return report_data.find_home(session, name)
    except ValidationError as exc:
        # Several homes and none named: say how to choose, in command-line terms.
        raise UsageError(f"{exc} Add --service NAME.") from None


def cmd_inspection_pack(args: argparse.Namespace) -> int:
    """Save the pack; if an attached file has changed or gone, say so and exit non-zero (the
    pack itself says so on its cover) unless --allow-mismatch."""
    import sys
    from datetime import datetime

    from ..reports.inspection import render_inspection_pack
    from ..services.reporting import inspection as report_data_inspection

    path = _target(args)
    db, _actor = open_for_command(args)
    try:
        today = _today(args)
        with db.reading() as session:
            home = _home(session, args.service)
            pack = report_data_inspection.inspection_pack(
                session, home.id, today, db.location.attachments_dir
            )
        pdf = render_inspection_pack(pack, datetime.now())
    finally:
        db.dispose()
    _save(pdf, path)
    print(f"Saved the inspection pack to {path}")
    check = pack.file_check
    if check.problems:
        print(f"Warning: {check.describe()} The pack says so on its cover.", file=sys.stderr)
        return 0 if args.allow_mismatch else FILES_CHANGED_EXIT
    return 0


def cmd_commissioner(args: argparse.Namespace) -> int:
    from ..reports.catalogue import COMMISSIONER, DocumentRequest
    from ..services.reporting import common as report_data

    period = report_data.date_range(_date(args.start, "--from"), _date(args.end, "--to"))

    def build(session: Any, _today: date) -> DocumentRequest:
        home = _home(session, args.service)
        return DocumentRequest(COMMISSIONER, service_id=home.id, period=period)

    return _make(args, build, f"the commissioner pack for {period.label}")


def _list_choices(args: argparse.Namespace, what: str) -> int:
    from ..services.reporting.docs import document_choices

    db, _actor = open_for_command(args)
    try:
        with db.reading() as session:
            choices = document_choices(session)
    finally:
        db.dispose()
    rows = choices.plans if what == "plans" else choices.meetings
    if not rows:
        print(f"There are no {what} yet.")
    for row_id, label in rows:
        print(f"{row_id:>5}  {label}")
    return 0


def cmd_action_plan(args: argparse.Namespace) -> int:
    from ..reports.catalogue import ACTION_PLAN, DocumentRequest

    if args.list:
        return _list_choices(args, "plans")
    if args.plan is None:
        raise UsageError("say which plan with --plan ID (--list shows them)")
    plan_id = _id(args.plan, "plan")
    return _make(
        args, lambda _s, _t: DocumentRequest(ACTION_PLAN, plan_id=plan_id), "the CQC action plan"
    )


def cmd_minutes(args: argparse.Namespace) -> int:
    from ..reports.catalogue import MINUTES, DocumentRequest

    if args.list:
        return _list_choices(args, "meetings")
    if args.meeting is None:
        raise UsageError("say which meeting with --meeting ID (--list shows them)")
    meeting_id = _id(args.meeting, "meeting")
    return _make(
        args, lambda _s, _t: DocumentRequest(MINUTES, meeting_id=meeting_id), "the minutes"
    )
