"""Child processes for ``bench/run.py`` that need no window: the spreadsheet import, the two big
reports, and one user action. Each prints one JSON object on its last line.

    python bench/probes.py import --data DIR --work DIR --rows 200000 [--reps 3]
    python bench/probes.py reports --db PATH [--reps 5] [--budget 60] [--kinds monthly,inspection]
    python bench/probes.py save --db PATH --user NAME --password PASSWORD [--reps 21]

Each measures the app's own code path next to a floor that does the least the same job needs:
``sqlite3.executemany`` of the already-converted rows for the import, plain Platypus pages of the
same text for the reports, a one-row UPDATE committed at ``synchronous=FULL`` for the save.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.services.trust import users

TODAY = date(2026, 11, 26)
STAFF = [
    f"{first} {last}"
    for first, last in zip(
        ["Zoë", "Siobhán", "Łukasz", "Amara", "Tom", "Priya", "Grace", "Kwame", "Ewa", "Owen"],
        ["Hart", "Murphy", "Nowak", "Okafor", "Reed", "Raman", "Evans", "Mensah", "Begum", "Price"],
        strict=True,
    )
]
ADMIN, ADMIN_PASSWORD = "import.admin", "import-benchmark-password"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (the WAL, if any, is included)."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


# --- import -----------------------------------------------------------------------------------


def _import_rows(count: int) -> list[list[Any]]:
    """Medicines tracker rows as a home would keep them in Excel: real dates and times."""
    rng = random.Random(11)
    rows = []
    start = TODAY - timedelta(days=5 * 365)
    for _ in range(count):
        day = start + timedelta(days=rng.randrange(5 * 365))
        due = rng.choice((8, 12, 17, 22))
        late = max(0, int(rng.expovariate(1 / 25)))
        given = min(23 * 60 + 59, due * 60 + late)
        rows.append(
            [
                day,
                rng.choice(["Early", "Late", "Night"]),
                f"{due:02d}:00 round",
                clock(due, 0),
                clock(given // 60, given % 60),
                late,
                rng.choice(["Busy shift", "Waiting for stock", "Agency staff unfamiliar"])
                if late > 30
                else "Given within the round",
                "GP informed" if late > 60 else "",
                "Nurse in charge" if late > 60 else "",
                rng.choice(STAFF),
            ]
        )
    return rows


def _headers() -> list[str]:
    from cqc_desktop.services.records.trackers import load_tracker_definitions

    definition = next(d for d in load_tracker_definitions() if d["key"] == "medicines_improvement")
    return [c["label"] for c in definition["columns"]]


def import_files(data: Path, count: int) -> tuple[Path, Path]:
    """The CSV and XLSX files to import, written once and kept (they are the same every run)."""
    data.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = data / f"import-{count}.csv", data / f"import-{count}.xlsx"
    if csv_path.exists() and xlsx_path.exists():
        return csv_path, xlsx_path
    rows = _import_rows(count)
    with csv_path.open("w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(_headers())
        for r in rows:
            out.writerow([f"{r[0]:%d/%m/%Y}", r[1], r[2], f"{r[3]:%H:%M}", f"{r[4]:%H:%M}", *r[5:]])
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Late medicines")
    sheet.append(_headers())
    for r in rows:
        sheet.append(r)
    book.save(xlsx_path)
    return csv_path, xlsx_path


def _template(work: Path) -> Path:
    """A new database with one home, its staff and its trackers: what each import run starts from."""
    from cqc_desktop.services.records.trackers import install_builtin_trackers
    from cqc_desktop.services.setup import people

    path = work / "import-template.sqlite3"
    if path.exists():
        return path
    db = Database(resolve(str(path)))
    with db.unit_of_work() as session:
        users.create_first_administrator(session, ADMIN, "Import", ADMIN_PASSWORD, ADMIN_PASSWORD)
        home = people.create_service(session, "Willow Court Care Home")
        for n, name in enumerate(STAFF):
            people.create_person(
                session, name, "Senior carer" if n else "Manager", service_id=home.id
            )
        install_builtin_trackers(session, home.id)
    db.dispose()
    return path


def probe_import(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import select

    from cqc_desktop.models import Tracker
    from cqc_desktop.services.records import importers
    from cqc_desktop.services.records.tracker_values import search_text

    csv_path, xlsx_path = import_files(args.data, args.rows)
    template = _template(args.work)
    result: dict[str, Any] = {"rows": args.rows, "csv": [], "check": [], "insert": [], "floor": []}
    sheet = None
    for _ in range(args.reps):
        seconds, sheet = timed(lambda: importers.read_sheet(csv_path))
        result["csv"].append(seconds)
    assert sheet is not None
    xlsx_runs = 1 if args.rows >= 100_000 else args.reps
    result["xlsx"] = [timed(lambda: importers.read_sheet(xlsx_path))[0] for _ in range(xlsx_runs)]
    valid: list[dict[str, Any]] = []
    for n in range(args.reps):
        path = copy_database(template, args.work / f"import-{n}.sqlite3")
        db = Database(resolve(str(path)))
        with db.unit_of_work() as session:
            actor = users.authenticate(session, ADMIN, ADMIN_PASSWORD)
        with db.reading() as session:
            tracker = session.scalars(
                select(Tracker).where(Tracker.key == "medicines_improvement")
            ).one()
            tracker_id, columns = tracker.id, tracker.columns
        mapping = importers.guess_mapping(columns, sheet.headers)
        with db.unit_of_work(actor) as session:
            started = time.perf_counter()
            check = importers.check_import(session, tracker_id, sheet, mapping)
            checked = time.perf_counter()
            if check.bad_rows:
                raise SystemExit(f"The import file has problems: {check.problems[:3]}")
            done = importers.import_rows(
                session, tracker_id, sheet, mapping, checked=check, today=TODAY
            )
        finished = time.perf_counter()  # after the commit
        if done.imported != args.rows:
            raise SystemExit(f"Imported {done.imported} rows, not {args.rows}.")
        result["check"].append(checked - started)
        result["insert"].append(finished - checked)
        valid = check.valid
        db.dispose()
        path.unlink()
    now = datetime(2026, 11, 26, 12).isoformat(" ")
    rows = [
        (tracker_id, v["date"], json.dumps(v), search_text(columns, v), None, now, now)
        for v in valid
    ]
    sql = (
        'INSERT INTO tracker_entry (tracker_id, entry_date, "values", search_text, '
        "recorded_by_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    for n in range(args.reps):
        path = copy_database(template, args.work / f"floor-{n}.sqlite3")
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")

        def write(con: sqlite3.Connection = con) -> None:
            con.executemany(sql, rows)
            con.commit()

        result["floor"].append(timed(write)[0])
        con.close()
        path.unlink()
    return result


# --- reports ----------------------------------------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _plain_platypus(texts: list[str]) -> bytes:
    """The same words, page for page, as plain Paragraphs in a SimpleDocTemplate."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import KeepInFrame, PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"].clone(
        "bench", fontSize=8, leading=9.6, spaceBefore=0, spaceAfter=0
    )
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)
    story: list[Any] = []
    for text in texts:
        lines = [Paragraph(escape(line), style) for line in text.splitlines() if line.strip()]
        # Shrunk to fit when a page of the report holds more lines than a plain page: one
        # plain page for each page of the report, so the two are compared page for page.
        story += [KeepInFrame(doc.width, doc.height, lines, mode="shrink"), PageBreak()]
    doc.build(story)
    return out.getvalue()


def probe_reports(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import select

    from cqc_desktop.models import Service
    from cqc_desktop.reports.catalogue import INSPECTION, MONTHLY, DocumentRequest, generate
    from cqc_desktop.services.reporting.common import month_period

    location = resolve(args.db)
    db = Database(location)
    with db.reading() as session:
        home_id, home = session.execute(
            select(Service.id, Service.name).order_by(Service.id)
        ).first()
    result: dict[str, Any] = {"home": home}
    requests = {
        "monthly": DocumentRequest(MONTHLY, service_id=home_id, period=month_period("2026-11")),
        "inspection": DocumentRequest(INSPECTION, service_id=home_id),
    }
    for key in args.kinds.split(","):
        request = requests[key]

        def make(request: DocumentRequest = request) -> bytes:
            with db.reading() as session:
                return generate(
                    session, request, today=TODAY, attachments_dir=location.attachments_dir
                )

        if key == "monthly":
            make()  # warm-up: ReportLab, the fonts, the statement caches
        times: list[float] = []
        while len(times) < args.reps and (sum(times) < args.budget or not times):
            seconds, pdf = timed(make)
            times.append(seconds)
        texts = _pages(pdf)
        plain = _plain_platypus(texts)  # warm-up for the floor
        floor = [timed(lambda texts=texts: _plain_platypus(texts))[0] for _ in times]
        result[key] = {
            "times": times,
            "pages": len(texts),
            "floor": floor,
            "floor_pages": len(_pages(plain)),
        }
    db.dispose()
    return result


# --- one user action --------------------------------------------------------------------------


def probe_save(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from cqc_desktop.models import Action, AuditLog
    from cqc_desktop.services.plans import actions

    db = Database(resolve(args.db))
    with db.unit_of_work() as session:
        actor = users.authenticate(session, args.user, args.password)
    with db.reading() as session:
        action_id = session.scalar(
            select(Action.id).where(Action.status != "Closed").order_by(Action.id).limit(1)
        )
        action = actions.get_action(session, action_id)
        data = actions.ActionInput(
            title=action.title,
            accountable_lead_id=action.accountable_lead_id,
            due_date=action.due_date,
            review_frequency=action.review_frequency
            if action.review_frequency_overridden
            else None,
            description=action.description,
            reference=action.reference,
            early_warning_signs=action.early_warning_signs,
            escalation_route=action.escalation_route,
            oversight_plan=action.oversight_plan,
            triggers=action.triggers,
            steps=[
                actions.StepInput(s.description, s.owner_id, s.recorded_in, s.due_date, s.done_on)
                for s in action.steps
            ],
        )
        entries_before = session.scalar(select(func.count()).select_from(AuditLog))
    title = data.title
    times = []
    for n in range(args.reps + 1):
        data.title = f"{title} (checked {n})"

        def save() -> None:
            with db.unit_of_work(actor) as session:
                actions.update_action(session, action_id, data)

        times.append(timed(save)[0])
    with db.reading() as session:
        added = session.scalar(select(func.count()).select_from(AuditLog)) - entries_before
    if added < args.reps:
        raise SystemExit(f"Only {added} audit-trail entries for {args.reps + 1} saves.")
    db.dispose()
    con = sqlite3.connect(args.db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    floor = []
    for n in range(args.reps + 1):

        def write(n: int = n) -> None:
            con.execute("UPDATE action SET title = ? WHERE id = ?", (f"{title} ({n})", action_id))
            con.commit()

        floor.append(timed(write)[0])
    con.close()
    # The first of each opens the connection and reads the schema: left out.
    return {"times": times[1:], "floor": floor[1:], "audit_entries": added}


# --- check ------------------------------------------------------------------------------------


def probe_check(args: argparse.Namespace) -> dict[str, Any]:
    """``check`` (integrity, the chain, anchors, every row against its trail, attachments) against
    SQLite's own ``PRAGMA integrity_check`` on the same file (the floor)."""
    from cqc_desktop.services.trust.restore import check_database

    db = Database(resolve(args.db))
    times = []
    for _ in range(args.reps):
        with db.reading() as session:
            times.append(timed(lambda s=session: check_database(s, db.location))[0])
    db.dispose()
    floor = []
    for _ in range(args.reps):
        con = sqlite3.connect(args.db)
        floor.append(timed(lambda con=con: con.execute("PRAGMA integrity_check").fetchall())[0])
        con.close()
    return {"times": times, "floor": floor}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("import")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--reps", type=int, default=3)
    p = sub.add_parser("reports")
    p.add_argument("--db", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--budget", type=float, default=60, help="seconds per report, at most")
    p.add_argument("--kinds", default="monthly,inspection", help="monthly, inspection or both")
    p = sub.add_parser("save")
    p.add_argument("--db", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--reps", type=int, default=21)
    p = sub.add_parser("check")
    p.add_argument("--db", required=True)
    p.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    probe = {
        "import": probe_import,
        "reports": probe_reports,
        "save": probe_save,
        "check": probe_check,
    }[args.what]
    print(json.dumps(probe(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
