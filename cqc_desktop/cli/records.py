"""Command-line export of the record lists and import of spreadsheets into trackers.

cqc-desktop export incidents -o incidents.xlsx --from 01/11/2026
cqc-desktop export "Medicines improvement tracker" -o meds.csv
cqc-desktop import-tracker "Medicines improvement tracker" meds.csv --only-valid
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models.enums import ComplaintCategory, IncidentType, LogKind, ObservationArea, Outcome
from ..services.errors import NotFound, ValidationError
from ..services.records.complaint_listing import COMPLAINT_STATES, ComplaintQuery
from ..services.records.feedback import FeedbackQuery
from ..services.records.listing import INCIDENT_STATES, IncidentQuery, TrackerQuery
from ..services.records.log_listing import HandoverQuery, LogQuery, ObservationQuery
from ..services.records.tracker_values import BadValue, to_date
from ..services.setup.people import list_services
from .main import UsageError, open_for_command

LIST_KINDS = {
    "incidents": "Incidents",
    "complaints": "Complaints",
    "compliments": "Compliments",
    "feedback": "Feedback",
    "observations": "Practice observations",
    "handovers": "Handover records",
    "logs": "All daily logs",
    "governance-log": LogKind.GOVERNANCE_LOG.value,
    "rota-notes": LogKind.ROTA_NOTE.value,
    "communication-book": LogKind.COMMUNICATION_BOOK.value,
}
SHOWN_PROBLEMS = 50


def _uk_or_iso(text: str) -> date:
    try:
        return to_date("The date", text)
    except BadValue as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None


def register(sub: Any, add_db_option: Callable[[argparse.ArgumentParser], None]) -> None:
    export = sub.add_parser(
        "export",
        help="export a list (incidents, complaints, observations, handovers, logs or a tracker) "
        "to XLSX or CSV",
        description="KIND is one of: "
        + ", ".join(LIST_KINDS)
        + "; or the name of a tracker, in quotes if it has spaces.",
    )
    add_db_option(export)
    export.add_argument("kind", metavar="KIND", help="what to export")
    export.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE", help="FILE.xlsx or FILE.csv"
    )
    export.add_argument("--home", help="care home name (needed when the database has several)")
    export.add_argument("--search", default="", help="only rows containing this text")
    export.add_argument("--from", dest="date_from", type=_uk_or_iso, help="from this date")
    export.add_argument("--to", dest="date_to", type=_uk_or_iso, help="up to this date")
    export.add_argument("--type", default="", help="incidents: only this type (e.g. Fall)")
    export.add_argument(
        "--state",
        default="",
        choices=sorted({s for s in (*INCIDENT_STATES, *COMPLAINT_STATES) if s}),
        help="incidents, or complaints (open, overdue, answered)",
    )
    export.add_argument("--area", default="", help="observations: only this area")
    export.add_argument("--category", default="", help="complaints: only this category")
    export.add_argument("--outcome", default="", help="observations: only this outcome")
    export.set_defaults(handler=cmd_export)

    imp = sub.add_parser(
        "import-tracker",
        help="import an XLSX or CSV file into a tracker (all rows, or none)",
        description="Every row is checked first. Nothing is written unless every row is valid, "
        "or --only-valid is given. Problems are listed by spreadsheet row and column.",
    )
    add_db_option(imp)
    imp.add_argument("tracker", metavar="NAME", help="the tracker's name or key")
    imp.add_argument("file", type=Path, metavar="FILE", help="an .xlsx or .csv file")
    imp.add_argument("--home", help="care home name (needed when the database has several)")
    imp.add_argument("--sheet", help="the sheet to read in an Excel file (default: the first)")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=HEADER",
        help='read a tracker column from a differently named file column, e.g. "Date=Day"',
    )
    imp.add_argument(
        "--map-value",
        action="append",
        default=[],
        metavar="COLUMN:FROM=TO",
        help='read a value the tracker does not list as one it does, e.g. "Shift:PM=Late" '
        "(repeatable; remembered for the tracker's next import)",
    )
    imp.add_argument(
        "--only-valid", action="store_true", help="import the valid rows and skip the others"
    )
    imp.add_argument("--check", action="store_true", help="check the file; write nothing")
    imp.set_defaults(handler=cmd_import_tracker)


def _service_id(session: Session, name: str | None) -> int:
    homes = list_services(session)
    if name:
        found = [h for h in homes if h.name.lower() == name.strip().lower()]
        if not found:
            raise UsageError(f"there is no care home called {name}")
        return found[0].id
    if not homes:
        raise UsageError("this database has no care home yet")
    if len(homes) > 1:
        names = ", ".join(h.name for h in homes)
        raise UsageError(f"say which care home with --home (one of: {names})")
    return homes[0].id


def _choice(value: str, allowed: list[str], what: str) -> str:
    if not value:
        return ""
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    raise UsageError(f"{what} must be one of: {', '.join(allowed)}")


def _state(value: str, allowed: Any, what: str) -> str:
    if value and value not in allowed:
        raise UsageError(f"--state for {what} is one of: {', '.join(s for s in allowed if s)}")
    return value


def _table(session: Session, args: argparse.Namespace, today: date) -> Any:
    from ..services.records import spreadsheets
    from ..services.records.trackers import find_tracker, list_trackers

    sid = _service_id(session, args.home)
    kind = args.kind.strip().lower()
    period = {"date_from": args.date_from, "date_to": args.date_to}
    if kind == "incidents":
        query = IncidentQuery(
            sid,
            today,
            search=args.search,
            incident_type=_choice(args.type, list(IncidentType), "--type"),
            state=_state(args.state, INCIDENT_STATES, "incidents"),
            **period,
        )
        return spreadsheets.incidents_table(session, query)
    if kind in ("complaints", "compliments"):
        complaints = ComplaintQuery(
            sid,
            today,
            kind=LIST_KINDS[kind][:-1],
            state=_state(args.state, COMPLAINT_STATES, kind),
            category=_choice(args.category, list(ComplaintCategory), "--category"),
            search=args.search,
            **period,
        )
        return spreadsheets.complaints_table(session, complaints)
    if kind == "feedback":
        return spreadsheets.feedback_table(
            session, FeedbackQuery(sid, search=args.search, **period)
        )
    if kind == "observations":
        obs = ObservationQuery(
            sid,
            search=args.search,
            area=_choice(args.area, list(ObservationArea), "--area"),
            outcome=_choice(args.outcome, list(Outcome), "--outcome"),
            **period,
        )
        return spreadsheets.observations_table(session, obs)
    if kind == "handovers":
        return spreadsheets.handovers_table(
            session, HandoverQuery(sid, search=args.search, **period)
        )
    if kind in LIST_KINDS:
        log_kind = "" if kind == "logs" else LIST_KINDS[kind]
        return spreadsheets.logs_table(
            session, LogQuery(sid, kind=log_kind, search=args.search, **period)
        )
    try:
        tracker = find_tracker(session, args.kind, sid)
    except NotFound:
        trackers = ", ".join(f'"{t.name}"' for t in list_trackers(session, sid))
        raise UsageError(
            f"nothing called {args.kind} to export; KIND is one of {', '.join(LIST_KINDS)}, "
            f"or a tracker: {trackers}"
        ) from None
    return spreadsheets.tracker_table(
        session, TrackerQuery(tracker.id, search=args.search, **period)
    )


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.records import spreadsheets

    spreadsheets.check_target(args.output)
    today = getattr(args, "today", None) or date.today()
    db, _actor = open_for_command(args, reading=True)
    try:
        with db.reading() as session:
            table = _table(session, args, today)
            count = spreadsheets.write(args.output, table)
    finally:
        db.dispose()
    print(f"Exported {count} row{'s' if count != 1 else ''} ({table.title}) to {args.output}")
    return 0


def _mapping(columns: list[dict[str, Any]], headers: list[str], pairs: list[str]) -> Any:
    from ..services.records.importers import guess_mapping

    mapping = guess_mapping(columns, headers)
    by_label = {c["label"].lower(): c["key"] for c in columns} | {
        c["key"].lower(): c["key"] for c in columns
    }
    lowered = [h.lower() for h in headers]
    for pair in pairs:
        column, sep, header = pair.partition("=")
        if not sep:
            raise UsageError(f'--map needs COLUMN=HEADER, for example "Date=Day"; not {pair!r}')
        key = by_label.get(column.strip().lower())
        if key is None:
            raise UsageError(f"the tracker has no column called {column.strip()}")
        if header.strip().lower() not in lowered:
            raise UsageError(f"the file has no column called {header.strip()}")
        mapping[key] = lowered.index(header.strip().lower())
    return mapping


def _value_map(columns: list[dict[str, Any]], pairs: list[str]) -> dict[str, dict[str, str]]:
    by_label = {c["label"].lower(): c["key"] for c in columns} | {
        c["key"].lower(): c["key"] for c in columns
    }
    value_map: dict[str, dict[str, str]] = {}
    for pair in pairs:
        column, colon, rest = pair.partition(":")
        source, equals, target = rest.partition("=")
        if not colon or not equals or not source.strip() or not target.strip():
            raise UsageError(
                f'--map-value needs COLUMN:FROM=TO, for example "Shift:PM=Late"; not {pair!r}'
            )
        key = by_label.get(column.strip().lower())
        if key is None:
            raise UsageError(f"the tracker has no column called {column.strip()}")
        value_map.setdefault(key, {})[source.strip()] = target.strip()
    return value_map


def cmd_import_tracker(args: argparse.Namespace) -> int:
    from ..services.records import import_values, importers
    from ..services.records.trackers import find_tracker

    today = getattr(args, "today", None) or date.today()
    sheet = importers.read_sheet(args.file, args.sheet)
    db, actor = open_for_command(args)
    try:
        with db.unit_of_work(actor) as session:
            sid = _service_id(session, args.home)
            tracker = find_tracker(session, args.tracker, sid)
            mapping = _mapping(tracker.columns, sheet.headers, args.map)
            given = _value_map(tracker.columns, args.map_value)
            value_map = import_values.saved_value_map(session, tracker.id)
            for key, pairs in given.items():
                value_map.setdefault(key, {}).update(pairs)
            try:
                check = importers.check_import(
                    session, tracker.id, sheet, mapping, value_map=value_map
                )
                unlisted = import_values.unlisted_values(tracker, sheet, mapping, value_map)
            except ValidationError as error:
                raise UsageError(" ".join(error.errors.values())) from None
            _print_problems(check)
            _print_unlisted(tracker, unlisted)
            if check.already_imported:
                print(check.already_text())
            if args.check:
                print(check.summary())
                return 1 if check.bad_rows else 0
            result = importers.import_rows(
                session,
                tracker.id,
                sheet,
                mapping,
                only_valid=args.only_valid,
                today=today,
                checked=check,
            )
            if given:
                import_values.remember_value_map(session, tracker.id, given)
            name = tracker.name
    finally:
        db.dispose()
    n = result.skipped
    skipped = f"; {n} invalid row{'s' if n != 1 else ''} skipped" if n else ""
    rows = "row" if result.imported == 1 else "rows"
    print(f"Imported {result.imported} {rows} into the {name}{skipped}.")
    return 0


def _print_unlisted(tracker: Any, unlisted: dict[str, list[str]]) -> None:
    labels = {c["key"]: c for c in tracker.columns}
    for key, values in unlisted.items():
        column = labels[key]
        example = f'--map-value "{column["label"]}:{values[0]}={column["choices"][0]}"'
        print(
            f"{column['label']} has values the tracker does not list: {', '.join(values)} "
            f"(it lists {', '.join(column['choices'])}). Map them, e.g. {example}",
            file=sys.stderr,
        )


def _print_problems(check: Any) -> None:
    for problem in check.problems[:SHOWN_PROBLEMS]:
        where = f"row {problem.row}, {problem.column}"
        if problem.header and problem.header != problem.column:
            where += f" (file column {problem.header})"
        print(f"{where}: {problem.message}", file=sys.stderr)
    if len(check.problems) > SHOWN_PROBLEMS:
        print(f"... and {len(check.problems) - SHOWN_PROBLEMS} more problems", file=sys.stderr)
