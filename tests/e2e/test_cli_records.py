"""Export and tracker import from the command line, run as a separate process."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cqc_desktop.config import DataLocation, resolve
from cqc_desktop.db import Database
from cqc_desktop.models import Person, Service, TrackerEntry
from cqc_desktop.services.records.complaints import ComplaintInput, record_complaint
from cqc_desktop.services.records.incidents import log_incident
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.services.trust import users

ADMIN_PASSWORD = "willow court 2026"
HEADER = "Date;Shift;Medicine / round;Time due;Time given;Reason;Recorded by"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cqc_desktop", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "CQC_DESKTOP_USER": "office",
            "CQC_DESKTOP_PASSWORD": ADMIN_PASSWORD,
        },
    )


@pytest.fixture
def database(make_location: Callable[..., DataLocation]) -> str:
    """What --db is given: the SQLite file, or the test server's database URL."""
    location = make_location("home")
    path = str(location.sqlite_path or location.url)
    db = Database(location)
    with db.unit_of_work() as session:
        service = Service(name="Willow Court")
        session.add(service)
        session.flush()
        session.add(Person(name="Zoë Hart", role="Registered manager", service_id=service.id))
        install_builtin_trackers(session, service.id)
        users.create_first_administrator(
            session, "office", "Office", ADMIN_PASSWORD, ADMIN_PASSWORD
        )
        for day, kind in ((10, "Fall"), (11, "Medication")):
            log_incident(
                session,
                service.id,
                occurred_at=datetime(2026, 11, day, 14, 5),
                incident_type=kind,
                severity="No harm",
                person_ref="Rm 3",
                today=datetime(2026, 11, 26).date(),
            )
    db.dispose()
    return path


def _rows(path: str) -> int:
    db = Database(resolve(path))
    try:
        with db.reading() as session:
            return session.scalar(select(func.count()).select_from(TrackerEntry)) or 0
    finally:
        db.dispose()


def test_import_refuses_a_file_with_a_bad_row_then_imports_the_valid_ones(
    database: str, tmp_path: Path
) -> None:
    source = tmp_path / "meds.csv"
    lines = [
        HEADER,
        "24/11/2026;Late;Evening;18:00;18:40;Handover ran over;Zoë Hart",
        "31/02/2026;Late;Evening;18:00;18:35;Visitor;Zoë Hart",
        ";;;;;;",
    ]
    source.write_bytes("\r\n".join(lines).encode("cp1252"))

    result = run("--db", database, "import-tracker", "Medicines improvement tracker", str(source))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert errors[0] == "row 3, Date: Date: 31/02/2026 is not a real date. Check the day and month."
    assert errors[-1].startswith("cqc-desktop: error: 1 of 2 rows has problems, so nothing was")
    assert _rows(database) == 0

    result = run(
        "--db", database, "import-tracker", "medicines_improvement", str(source), "--only-valid"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Imported 1 row into the Medicines improvement tracker; 1 invalid row skipped."
    )
    assert _rows(database) == 1
    # The import's one audit-trail entry keeps the hash chain whole.
    check = run("--db", database, "check")
    assert check.returncode == 0 and "Traceback" not in check.stderr, check.stderr


def test_import_with_a_column_mapping(database: str, tmp_path: Path) -> None:
    source = tmp_path / "meds.csv"
    source.write_text(
        "Day,Shift,Round,Due,Given,Why,By\n25/11/26,Night,Night round,22:00,22:50,Busy,Zoë Hart\n",
        encoding="utf-8",
    )
    maps = ["Date=Day", "Medicine / round=Round", "Time due=Due", "Time given=Given"]
    maps += ["Reason=Why", "Recorded by=By"]
    args = [arg for pair in maps for arg in ("--map", pair)]
    result = run("--db", database, "import-tracker", "medicines_improvement", str(source), *args)
    assert result.returncode == 0, result.stderr
    assert _rows(database) == 1
    result = run("--db", database, "import-tracker", "medicines_improvement", str(source))
    assert result.returncode == 2
    assert "Choose the file's column for Date" in result.stderr


def test_export_incidents_and_a_tracker(database: str, tmp_path: Path) -> None:
    target = tmp_path / "falls.xlsx"
    result = run("--db", database, "export", "incidents", "-o", str(target), "--type", "fall")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Exported 1 row (Incidents) to {target}"
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["A2"].value == "INC-2026-0001" and sheet["C2"].value == "Fall"
    assert sheet["B2"].value == datetime(2026, 11, 10, 14, 5)

    target = tmp_path / "meds.csv"
    result = run("--db", database, "export", "Medicines improvement tracker", "-o", str(target))
    assert result.returncode == 0, result.stderr
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.reader(fh))[0] == "Date"


def test_export_mistakes_are_one_line(database: str, tmp_path: Path) -> None:
    result = run("--db", database, "export", "diary", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "cqc-desktop: error: nothing called diary to export; KIND is one of incidents, "
        "complaints, compliments, feedback, observations, handovers, logs, governance-log, rota-notes, communication-book, or a "
        'tracker: "Care planning improvement tracker", "Medicines improvement tracker"'
    ]
    result = run("--db", database, "export", "incidents", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "Save the export as .xlsx (Excel) or .csv, not .pdf." in result.stderr


def test_a_shift_written_pm_is_mapped_remembered_and_never_imported_twice(
    database: str, tmp_path: Path
) -> None:
    source = tmp_path / "evening meds.csv"
    lines = [
        HEADER,
        "24/11/2026;PM;Evening;18:00;18:40;Handover ran over;Zoë Hart",
        "25/11/2026;pm;Evening;18:00;18:30;Visitor;Zoë Hart",
    ]
    source.write_bytes("\r\n".join(lines).encode("cp1252"))
    tracker = "Medicines improvement tracker"

    refused = run("--db", database, "import-tracker", tracker, str(source))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Shift has values the tracker does not list: PM" in refused.stderr
    assert '--map-value "Shift:PM=Early"' in refused.stderr
    assert _rows(database) == 0

    bad = run("--db", database, "import-tracker", tracker, str(source), "--map-value", "Shift:PM")
    assert bad.returncode == 2 and "COLUMN:FROM=TO" in bad.stderr
    wrong = run(
        "--db", database, "import-tracker", tracker, str(source), "--map-value", "Shift:PM=Dusk"
    )
    assert wrong.returncode == 2 and "Dusk is not one of Early, Late, Night" in wrong.stderr

    mapped = run(
        "--db", database, "import-tracker", tracker, str(source), "--map-value", "Shift:PM=Late"
    )
    assert mapped.returncode == 0, mapped.stderr
    assert "Imported 2 rows" in mapped.stdout
    assert _rows(database) == 2

    again = run("--db", database, "import-tracker", tracker, str(source))  # the map is remembered
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert "every row is already there" in again.stderr
    assert "2 rows (dated 24/11/2026 to 25/11/2026) are already in the tracker" in again.stderr
    assert _rows(database) == 2

    lines.append("26/11/2026;PM;Evening;18:00;18:20;Agency nurse;Zoë Hart")
    source.write_bytes("\r\n".join(lines).encode("cp1252"))
    more = run("--db", database, "import-tracker", tracker, str(source))
    assert more.returncode == 0, more.stderr
    assert "Imported 1 row" in more.stdout
    assert "2 rows (dated 24/11/2026 to 25/11/2026) are already in the tracker" in more.stdout
    assert _rows(database) == 3


def test_export_complaints_with_where_each_stands(database: str, tmp_path: Path) -> None:
    day = lambda d: datetime(2026, 11, d).date()  # noqa: E731
    db = Database(resolve(database))
    with db.unit_of_work() as session:
        for received, kind, category, answered in (
            (day(2), "Complaint", "Communication", None),
            (day(6), "Complaint", "Food and drink", day(20)),
            (day(21), "Compliment", "Care and support", None),
        ):
            record_complaint(
                session,
                1,
                ComplaintInput(
                    kind=kind,
                    received_on=received,
                    from_type="Relative or representative",
                    from_ref="Son of Rm 7",
                    channel="Email",
                    category=category,
                    summary="Said at the relatives' meeting.",
                    severity="Low" if kind == "Complaint" else "",
                    acknowledged_on=received + timedelta(days=2) if kind == "Complaint" else None,
                    responded_on=answered,
                    outcome="Menu changed with the residents' committee." if answered else "",
                    finding="Partly upheld" if answered else "",
                ),
                today=day(26),
            )
    db.dispose()
    target = tmp_path / "complaints.xlsx"
    result = run("--db", database, "export", "complaints", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Exported 2 rows (Complaints) to {target}"
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["Reference", "Kind", "Received"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    # Received Monday 2 November: acknowledge by Thursday 5th, respond by Monday 30th, which
    # has passed without a response.
    first = rows["CMP-2026-0001"]
    assert (first[10], first[12]) == (datetime(2026, 11, 5), datetime(2026, 11, 30))
    assert first[14] == "Response overdue"
    # Received Friday 6 November: respond by Friday 4 December; answered on the 20th.
    second = rows["CMP-2026-0002"]
    assert (second[12], second[14], second[15]) == (
        datetime(2026, 12, 4),
        "Answered on time",
        "Partly upheld",
    )

    target = tmp_path / "overdue.csv"
    result = run("--db", database, "export", "complaints", "-o", str(target), "--state", "overdue")
    assert result.returncode == 0, result.stderr
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert [r[0] for r in csv.reader(fh)] == ["Reference", "CMP-2026-0001"]

    result = run("--db", database, "export", "compliments", "-o", str(target))
    assert result.stdout.strip() == f"Exported 1 row (Compliments) to {target}"
    result = run(
        "--db", database, "export", "complaints", "-o", str(target), "--state", "awaiting_review"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "cqc-desktop: error: --state for complaints is one of: open, overdue, answered"
    )
