"""Spreadsheets in and out, with the file shapes care homes really have."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import Person, Service, Tracker, TrackerEntry
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import importers, spreadsheets
from cqc_desktop.services.records.incidents import log_incident
from cqc_desktop.services.records.listing import IncidentQuery, TrackerQuery
from cqc_desktop.services.records.trackers import add_tracker_entry, install_builtin_trackers

TODAY = date(2026, 11, 26)
HEADER = "Date;Shift;Medicine / round;Time due;Time given;Minutes late;Reason;Immediate action;Person informed;Recorded by"


@pytest.fixture
def medicines(session: Session) -> Tracker:
    service = Service(name="Willow Court")
    session.add(service)
    session.flush()
    session.add(Person(name="Zoë Hart", role="Registered manager", service_id=service.id))
    session.flush()
    return next(t for t in install_builtin_trackers(session, service.id) if t.key.startswith("med"))


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TrackerEntry)) or 0


def _cp1252_csv(path: Path) -> Path:
    """As Excel on a UK Windows PC saves "CSV": Windows-1252, semicolons, CRLF, blank rows."""
    lines = [
        HEADER,
        "24/11/2026;Late;Evening round;18:00;18:40;;Handover ran over;Dose given;GP;zoë hart",
        "25/11/26;night;Night round;22:00;22:45;45;Call bells;Dose given;Senior;Zoë Hart",
        "31/02/2026;Late;Evening round;18:00;18:35;35;Visitor;Dose given;GP;Zoë Hart",
        "26/11/2026;Dusk;Evening round;1800;;;Phone;;;Agency nurse",
        ";;;;;;;;;",
        "",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def test_cp1252_csv_bad_rows_reported_by_row_and_column_and_nothing_written(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    sheet = importers.read_sheet(_cp1252_csv(tmp_path / "late meds.csv"))
    assert (sheet.encoding, sheet.delimiter) == ("Windows-1252", ";")
    assert sheet.headers[2] == "Medicine / round" and len(sheet.rows) == 4  # blank rows dropped
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    assert all(index is not None for index in mapping.values())

    check = importers.check_import(session, medicines.id, sheet, mapping)
    assert check.total == 4 and check.valid_count == 2 and check.bad_rows == [4, 5]
    problems = {(p.row, p.column): (p.value, p.message) for p in check.problems}
    assert problems == {
        (4, "Date"): (
            "31/02/2026",
            "Date: 31/02/2026 is not a real date. Check the day and month.",
        ),
        (5, "Shift"): ("Dusk", "Shift must be one of: Early, Late, Night."),
    }
    assert check.valid[0]["recorded_by"] == "Zoë Hart"  # matched to the staff list
    assert check.valid[0]["minutes_late"] == 40  # worked out from the times
    assert check.valid[1]["date"] == "2026-11-25" and check.valid[1]["shift"] == "Night"

    with pytest.raises(importers.ImportRejected) as caught:
        importers.import_rows(session, medicines.id, sheet, mapping, today=TODAY)
    assert "2 of 4 rows have problems, so nothing was imported" in str(caught.value)
    assert _count(session) == 0

    result = importers.import_rows(
        session, medicines.id, sheet, mapping, only_valid=True, today=TODAY
    )
    assert (result.imported, result.skipped) == (2, 2)
    assert _count(session) == 2


def test_utf8_bom_csv_with_commas_and_excel_sep_line(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    text = (
        "sep=,\n"
        + HEADER.replace(";", ",")
        + '\n"26/11/2026","Early","Morning round, room 4","08:00","08:50","","Short of staff",'
        '"Given","Zoë","Siobhán Murphy"\n,,,,,,,,,\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    sheet = importers.read_sheet(path)
    assert (sheet.encoding, sheet.delimiter) == ("UTF-8 with BOM", ",")
    assert sheet.headers[0] == "Date"  # no BOM stuck to the first header
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    result = importers.import_rows(session, medicines.id, sheet, mapping, today=TODAY)
    assert result.imported == 1
    entry = session.scalars(select(TrackerEntry)).one()
    assert entry.values["medicine_round"] == "Morning round, room 4"
    assert entry.values["person_informed"] == "Zoë"
    assert entry.values["recorded_by"] == "Siobhán Murphy"  # not on the list: kept as typed


def test_xlsx_with_serial_dates_real_dates_and_times(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["DATE", "shift", "Medicine/Round", "Time due", "Time given", "Reason", "Recorded by"]
    )
    sheet.append([46349, "Late", "Evening", time(18, 0), time(18, 31), "Busy", "Zoë Hart"])
    sheet.append([datetime(2026, 11, 24), "Late", "Evening", "18:00", "19:05", "Busy", "Zoë Hart"])
    sheet.append(["46351", "Night", "Night", 0.9166666666666666, "22:40", "Busy", "Zoë Hart"])
    sheet.append([None] * 7)
    sheet.append([None] * 7)
    path = tmp_path / "tracker.xlsx"
    book.save(path)

    read = importers.read_sheet(path)
    assert len(read.rows) == 3
    mapping = importers.guess_mapping(medicines.columns, read.headers)
    assert mapping["minutes_late"] is None and mapping["date"] == 0
    result = importers.import_rows(session, medicines.id, read, mapping, today=TODAY)
    assert result.imported == 3
    rows = session.scalars(select(TrackerEntry).order_by(TrackerEntry.id)).all()
    # 46349 is Excel's serial number for 23/11/2026; the text "46351" is 25/11/2026.
    assert [r.entry_date for r in rows] == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
    assert [r.values["minutes_late"] for r in rows] == [31, 65, 40]
    assert rows[2].values["time_due"] == "22:00"


def test_missing_required_mapping_is_reported_before_any_row(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    path = tmp_path / "short.csv"
    path.write_text("When,Why\n26/11/2026,Busy\n", encoding="utf-8")
    sheet = importers.read_sheet(path)
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    assert set(mapping.values()) == {None}
    with pytest.raises(ValidationError) as caught:
        importers.check_import(session, medicines.id, sheet, mapping)
    assert caught.value.errors["mapping.date"] == (
        "Choose the file's column for Date: it must be filled in."
    )
    mapping.update(date=0, reason=0)
    with pytest.raises(ValidationError) as caught:
        importers.check_import(session, medicines.id, sheet, mapping)
    assert (
        "Date and Reason both read the file's column When" in caught.value.errors["mapping.reason"]
    )


def test_unreadable_files_say_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")  # the start of an .xls, cut short
    with pytest.raises(ValidationError, match=r"old\.xls could not be read as an Excel file"):
        importers.read_sheet(old)
    odt = tmp_path / "letter.odt"
    odt.write_bytes(b"PK")
    with pytest.raises(ValidationError, match="Choose an Excel"):
        importers.read_sheet(odt)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match="could not be read as an Excel file"):
        importers.read_sheet(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no header row"):
        importers.read_sheet(empty)


def test_large_import_is_one_bulk_insert_not_a_row_at_a_time(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    lines = [HEADER]
    lines += [
        f"{1 + n % 28:02d}/10/2026;Late;Evening;18:00;18:45;;Busy;;;Zoë Hart" for n in range(20_000)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    sheet = importers.read_sheet(path)
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO tracker_entry"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = importers.import_rows(session, medicines.id, sheet, mapping, today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.imported == 20_000 and _count(session) == 20_000
    assert len(statements) < 100  # batched inserts, not 20,000 single ones


# --- export -----------------------------------------------------------------------------------


def _rows(session: Session, tracker: Tracker) -> None:
    for day, minutes, reason in (
        ("24/11/2026", 40, '=HYPERLINK("http://x")'),
        ("25/11/2026", 20, "Zoë covering two floors"),
    ):
        add_tracker_entry(
            session,
            tracker.id,
            {
                "date": day,
                "shift": "Late",
                "medicine_round": "Evening",
                "time_due": "18:00",
                "minutes_late": minutes,
                "reason": reason,
                "recorded_by": "Zoë Hart",
            },
            today=TODAY,
        )


def test_export_tracker_to_xlsx_keeps_real_dates_and_never_formulas(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    _rows(session, medicines)
    target = tmp_path / "meds.xlsx"
    table = spreadsheets.tracker_table(session, TrackerQuery(medicines.id, search="zoë covering"))
    assert spreadsheets.write(target, table) == 1
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["A1"].value == "Date" and sheet["J1"].value == "Recorded by"
    assert sheet["A2"].value == datetime(2026, 11, 25) and sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet["F2"].value == 20 and sheet["G2"].value == "Zoë covering two floors"
    assert sheet.max_row == 2

    spreadsheets.write(target, spreadsheets.tracker_table(session, TrackerQuery(medicines.id)))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["G2"].value == '=HYPERLINK("http://x")' and sheet["G2"].data_type == "s"


def test_export_csv_is_utf8_with_bom_and_reimports(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    _rows(session, medicines)
    target = tmp_path / "meds.csv"
    spreadsheets.write(target, spreadsheets.tracker_table(session, TrackerQuery(medicines.id)))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[1][0] == "24/11/2026" and rows[1][6] == '\'=HYPERLINK("http://x")'
    assert rows[2][6] == "Zoë covering two floors"

    sheet = importers.read_sheet(target)
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    check = importers.check_import(session, medicines.id, sheet, mapping)
    # "Zoë covering two floors" reads back exactly as stored, so it is found already in the
    # tracker; the formula, exported with a quote in front to keep it text, reads back changed.
    assert check.bad_rows == [] and check.already_imported == 1
    assert [row["reason"] for row in check.valid] == ['\'=HYPERLINK("http://x")']
    assert "1 row (dated 25/11/2026) is already in the tracker" in check.summary()


def test_export_incidents_under_the_current_filter(session: Session, tmp_path: Path) -> None:
    service = Service(name="Oak Lodge")
    session.add(service)
    session.flush()
    for n, kind in enumerate(("Fall", "Medication", "Fall")):
        log_incident(
            session,
            service.id,
            occurred_at=datetime(2026, 11, 10 + n, 9, 30),
            incident_type=kind,
            severity="Low harm",
            person_ref=f"Rm {n}",
            today=TODAY,
        )
    target = tmp_path / "falls.xlsx"
    query = IncidentQuery(service.id, TODAY, incident_type="Fall")
    assert spreadsheets.write(target, spreadsheets.incidents_table(session, query)) == 2
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [sheet.cell(r, 1).value for r in (2, 3)] == ["INC-2026-0003", "INC-2026-0001"]
    assert sheet.cell(2, 2).value == datetime(2026, 11, 12, 9, 30)
    assert sheet.cell(2, 18).value == "Late (no review)"


def test_export_refuses_other_formats_and_missing_folders(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    table = spreadsheets.tracker_table(session, TrackerQuery(medicines.id))
    with pytest.raises(ValidationError, match=r"\.xlsx \(Excel\) or \.csv"):
        spreadsheets.write(out / "meds.pdf", table)
    with pytest.raises(ValidationError, match="does not exist"):
        spreadsheets.write(out / "nowhere" / "meds.csv", table)

    def failing_rows():  # type: ignore[no-untyped-def]
        yield ["first"]
        raise OSError("disk full")

    (out / "meds.csv").write_text("last good export", encoding="utf-8")
    broken = spreadsheets.Table("Meds", [spreadsheets.Column("Reason")], failing_rows())
    with pytest.raises(OSError, match="disk full"):
        spreadsheets.write(out / "meds.csv", broken)
    # The last good file is untouched and no half-written file is left behind.
    assert [p.name for p in out.iterdir()] == ["meds.csv"]
    assert (out / "meds.csv").read_text(encoding="utf-8") == "last good export"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_both_export_formats_count_their_rows_and_report_progress(
    tmp_path: Path, suffix: str
) -> None:
    table = spreadsheets.Table(
        "Counts",
        [spreadsheets.Column("Day", "date"), spreadsheets.Column("N", "number")],
        ([date(2026, 11, 1 + n % 28), n] for n in range(12_000)),
    )
    seen: list[int] = []
    assert spreadsheets.write(tmp_path / f"counts{suffix}", table, seen.append) == 12_000
    assert seen == [5000, 10_000]
    if suffix == ".xlsx":
        sheet = load_workbook(tmp_path / "counts.xlsx").active
        assert sheet.auto_filter.ref == "A1:B12001"
    else:
        assert len((tmp_path / "counts.csv").read_text(encoding="utf-8-sig").splitlines()) == 12_001
