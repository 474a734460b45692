"""Reading LibreOffice files, mapping values a tracker does not list, and leaving out rows a
tracker already has (no Qt)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cqc_desktop.models import Service, Tracker
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import import_values, importers
from cqc_desktop.services.records.trackers import install_builtin_trackers
from cqc_desktop.services.spreadsheets import read_sheet

TODAY = date(2026, 11, 26)
HEADINGS = ["Date", "Shift", "Medicine / round", "Time due", "Time given", "Reason", "Recorded by"]


@pytest.fixture
def medicines(session: Session) -> Tracker:
    home = Service(name="Willow Court")
    session.add(home)
    session.flush()
    trackers = install_builtin_trackers(session, home.id)
    return next(t for t in trackers if t.key == "medicines_improvement")


def _cell(value: object) -> str:
    if isinstance(value, date):
        iso = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def write_ods(path: Path, rows: list[list[object]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice Calc saves one."""
    body = "".join(
        "<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Meds">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        book.writestr("content.xml", content)
        book.writestr("META-INF/manifest.xml", manifest)
    return path


def test_a_libreoffice_file_is_read_with_its_dates(tmp_path: Path) -> None:
    path = write_ods(
        tmp_path / "meds.ods",
        [HEADINGS, [date(2026, 11, 24), "PM", "Evening", "18:00", "18:40", "Busy", "Zoë Hart"]],
    )
    sheet = read_sheet(path)
    assert sheet.name == "Meds" and sheet.headers == HEADINGS
    number, cells = sheet.rows[0]
    assert number == 2 and cells[0] == date(2026, 11, 24) and cells[1] == "PM"


def test_unlisted_values_are_offered_mapped_and_remembered(
    session: Session, medicines: Tracker, tmp_path: Path
) -> None:
    path = write_ods(
        tmp_path / "meds.ods",
        [
            HEADINGS,
            [date(2026, 11, 24), "PM", "Evening", "18:00", "18:40", "Busy", "Zoë Hart"],
            [date(2026, 11, 25), " pm ", "Evening", "18:00", "18:30", "Visitor", "Zoë Hart"],
            [date(2026, 11, 25), "Nights", "Night", "22:00", "22:30", "Fire drill", "Zoë Hart"],
        ],
    )
    sheet = read_sheet(path)
    mapping = importers.guess_mapping(medicines.columns, sheet.headers)
    assert import_values.unlisted_values(medicines, sheet, mapping, {}) == {
        "shift": ["PM", "Nights"]
    }
    with pytest.raises(ValidationError, match="Dusk is not one of Early, Late, Night"):
        importers.check_import(
            session, medicines.id, sheet, mapping, value_map={"shift": {"PM": "Dusk"}}
        )
    value_map = {"Shift": {"PM": "late", "Nights": "Night"}}  # by label, any case
    check = importers.check_import(session, medicines.id, sheet, mapping, value_map=value_map)
    assert check.bad_rows == []
    assert [row["shift"] for row in check.valid] == ["Late", "Late", "Night"]
    assert sheet.rows[0][1][1] == "PM"  # the file as read is left as it was

    import_values.remember_value_map(session, medicines.id, {"shift": {"PM": "Late"}})
    assert import_values.saved_value_map(session, medicines.id) == {"shift": {"pm": "Late"}}
    importers.import_rows(session, medicines.id, sheet, mapping, checked=check, today=TODAY)

    again = importers.check_import(session, medicines.id, sheet, mapping, value_map=value_map)
    assert again.valid == [] and again.already_imported == 3
    assert again.summary().startswith("Nothing new to import. 3 rows (dated 24/11/2026")
    with pytest.raises(ValidationError, match="every row is already there"):
        importers.import_rows(session, medicines.id, sheet, mapping, value_map=value_map)
