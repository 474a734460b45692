"""Importing a spreadsheet (XLSX or CSV) into a tracker: read, map columns, check every row, then
write all of it in one transaction, or nothing.

Files come from real offices: CSV saved by Excel on a Windows PC (cp1252, separated by ``;`` or
``,``, sometimes with a "sep=;" first line), UTF-8 with a byte order mark, UK dates, dates as Excel
serial numbers, and blank rows at the end. Every problem is reported by spreadsheet row number and
column so the person can find it in Excel. Rows are inserted in bulk, never one ORM object each.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ..errors import Problems, ServiceError, ValidationError
from ..trust.permissions import Permission, require
from .tracker_import import Encoded, FastRows, bulk_add_entries, encode
from .tracker_values import RowConverter, is_blank
from .trackers import date_column, get_tracker, people_index

DELIMITERS = (",", ";", "\t", "|")
MAX_PROBLEMS_SHOWN = 500
Mapping = dict[str, int | None]  # tracker column key → index of the file's column (None: skip)


@dataclass
class Sheet:
    """A spreadsheet's header row and data rows, each data row with its row number in the file."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""
    delimiter: str = ""
    file_name: str = ""  # the file read, and the SHA-256 of its bytes: the audit trail names them
    sha256: str = ""


# --- reading ----------------------------------------------------------------------------------


def read_sheet(path: Path, sheet_name: str | None = None) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise ValidationError.single("path", f"The file {path.name} cannot be found.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ValidationError.single(
            "path", "This is an old Excel file (.xls). In Excel, use Save As and choose .xlsx."
        )
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise ValidationError.single("path", "Choose an Excel (.xlsx) or CSV (.csv) file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError.single(
            "path", f"{path.name} cannot be read ({exc.strerror or exc})."
        ) from None
    if suffix in (".xlsx", ".xlsm"):
        sheet = _read_xlsx(path, data, sheet_name)
    else:
        sheet = _read_csv(path, data)
    # The audit trail names the file an import came from, and its fingerprint.
    sheet.file_name, sheet.sha256 = path.name, hashlib.sha256(data).hexdigest()
    return sheet


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"  # Excel's "Unicode text"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        # Excel on a UK Windows PC saves "CSV" as Windows-1252; every byte decodes.
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_delimiter(first_line: str) -> str:
    """The separator used most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, data: bytes) -> Sheet:
    text, encoding = decode(data)
    lines = text.splitlines()
    skip = 0
    delimiter = ""
    if lines and (m := re.fullmatch(r'"?sep=(.)"?', lines[0].strip())):
        delimiter, skip = m[1], 1  # Excel's own hint line
    first = next((line for line in lines[skip:] if line.strip()), "")
    delimiter = delimiter or sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        records = [(n, row) for n, row in enumerate(reader, start=1) if n > skip]
    except csv.Error as exc:  # e.g. a stray carriage return beside a NUL byte in a damaged file
        raise ValidationError.single(
            "file", f"{path.name} cannot be read as a spreadsheet: it looks damaged ({exc})."
        ) from exc
    return _to_sheet(path.stem, records, encoding, delimiter)


def _read_xlsx(path: Path, data: bytes, sheet_name: str | None) -> Sheet:
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError.single(
            "path", f"{path.name} could not be read as an Excel file ({exc})."
        ) from None
    try:
        if sheet_name is not None:
            if sheet_name not in book.sheetnames:
                raise ValidationError.single(
                    "sheet", f"There is no sheet called {sheet_name} in {path.name}."
                )
            sheet = book[sheet_name]
        else:
            visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
            sheet = visible[0] if visible else book.worksheets[0]
        records = [
            (n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        return _to_sheet(sheet.title, records, "Excel", "")
    finally:
        book.close()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _filled(row: list[Any]) -> bool:
    if all(type(v) is str for v in row):
        return bool("".join(row).strip())  # CSV rows: one join instead of a test per cell
    return any(not is_blank(v) for v in row)


def _to_sheet(
    name: str, records: list[tuple[int, list[Any]]], encoding: str, delimiter: str
) -> Sheet:
    records = [(n, row) for n, row in records if _filled(row)]
    if not records:
        raise ValidationError.single("path", "The file is empty: there is no header row.")
    _, header_row = records[0]
    width = max(i + 1 for i, v in enumerate(header_row) if not is_blank(v))
    headers = [
        str(v).strip() if not is_blank(v) else f"Column {_column_letter(i)}"
        for i, v in enumerate(header_row[:width])
    ]
    rows = []
    for n, row in records[1:]:
        cells = list(row[:width])
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        if _filled(cells):
            rows.append((n, cells))
    return Sheet(name, headers, rows, encoding, delimiter)


# --- mapping ----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def guess_mapping(columns: list[dict[str, Any]], headers: list[str]) -> Mapping:
    """Match file headers to tracker columns by label or key, ignoring case and punctuation."""
    normal = [_norm(h) for h in headers]
    mapping: Mapping = {}
    used: set[int] = set()
    for column in columns:
        wanted = {_norm(column["label"]), _norm(column["key"])}
        found = next((i for i, h in enumerate(normal) if h in wanted and i not in used), None)
        mapping[column["key"]] = found
        if found is not None:
            used.add(found)
    return mapping


# --- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    row: int  # the row number in the spreadsheet, as Excel shows it
    column: str  # the tracker column's label
    header: str  # the file's column header ("" when the problem is with the whole row)
    value: str
    message: str


@dataclass
class ImportCheck:
    total: int
    valid: list[dict[str, Any]] = field(default_factory=list)
    # Each valid row as stored (date, JSON, search text), made while checking: see tracker_import.
    encoded: list[Encoded] = field(default_factory=list, repr=False)
    problems: list[CellProblem] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)

    @property
    def valid_count(self) -> int:
        return len(self.valid)

    @property
    def invalid_count(self) -> int:
        return len(self.bad_rows)

    def summary(self) -> str:
        if not self.bad_rows:
            return f"All {self.total} rows are ready to import."
        ready = "1 row is" if self.valid_count == 1 else f"{self.valid_count} rows are"
        have = "has" if self.invalid_count == 1 else "have"
        return (
            f"{self.invalid_count} of {self.total} rows {have} problems; {ready} ready to import."
        )


class ImportRejected(ServiceError):
    """Some rows are invalid and the user did not choose to import only the valid ones."""

    def __init__(self, check: ImportCheck) -> None:
        self.check = check
        super().__init__(
            f"{check.invalid_count} of {check.total} rows "
            f"{'has' if check.invalid_count == 1 else 'have'} problems, so nothing was "
            "imported. Correct them in the file, or choose to import only the valid rows."
        )


def check_mapping(columns: list[dict[str, Any]], headers: list[str], mapping: Mapping) -> None:
    p = Problems()
    dating = next(c for c in columns if c["type"] == "date")
    seen: dict[int, str] = {}
    for column in columns:
        index = mapping.get(column["key"])
        if index is None:
            if column.get("required") or column is dating:
                p.add(
                    f"mapping.{column['key']}",
                    f"Choose the file's column for {column['label']}: it must be filled in.",
                )
            continue
        if not 0 <= index < len(headers):
            p.add(f"mapping.{column['key']}", f"{column['label']}: choose a column from the file.")
        elif index in seen:
            p.add(
                f"mapping.{column['key']}",
                f"{seen[index]} and {column['label']} both read the file's column "
                f"{headers[index]}; choose one column each.",
            )
        else:
            seen[index] = column["label"]
    p.raise_if_any()


def check_import(
    session: Session,
    tracker_id: int,
    sheet: Sheet,
    mapping: Mapping,
    progress: Callable[[int, int], None] | None = None,
) -> ImportCheck:
    """Convert and check every row; nothing is written. Problems name the row and the column."""
    tracker = get_tracker(session, tracker_id)
    columns = tracker.columns
    check_mapping(columns, sheet.headers, mapping)
    people = people_index(session, tracker.service_id)
    dating = date_column(tracker)
    pairs = [(c, mapping[c["key"]]) for c in columns if mapping.get(c["key"]) is not None]
    by_key = {c["key"]: c for c in columns}
    result = ImportCheck(total=0)
    valid, encoded = result.valid, result.encoded
    fast = FastRows(columns, people, mapping, dating["key"])
    convert = RowConverter(columns, people, memo=True)
    careful = careful_valid = 0
    for number, cells in fast.take(sheet.rows, valid, encoded, progress):
        # A row with a problem (or something unusual): converted cell by cell, as a typed row.
        raw = {c["key"]: cells[i] for c, i in pairs if i is not None}
        if all(is_blank(v) for v in raw.values()):
            continue  # a row with nothing in the mapped columns: a spacer, not a record
        careful += 1
        clean, errors = convert(raw)
        if clean.get(dating["key"]) is None and dating["key"] not in errors:
            errors[dating["key"]] = f"{dating['label']} must be filled in: it dates the row."
        if errors:
            result.bad_rows.append(number)
            for key, message in errors.items():
                index = mapping.get(key)
                value = raw.get(key)
                result.problems.append(
                    CellProblem(
                        number,
                        by_key[key]["label"],
                        sheet.headers[index] if index is not None else "",
                        "" if is_blank(value) else _shown(value),
                        message,
                    )
                )
        else:
            careful_valid += 1
            valid.append(clean)
            encoded.append(encode(columns, dating["key"], clean))
    result.total = careful + len(valid) - careful_valid  # the rest went the fast way
    return result


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # invalid rows left out because the user chose "only valid rows"


def _refuse_a_damaged_file(session: Session) -> None:
    """Thousands of rows written into a damaged SQLite file could make it worse and would be
    lost with it: check it first (SQLite's quick check reads every page once)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    try:
        result = session.connection().exec_driver_sql("PRAGMA quick_check").scalar()
    except DatabaseError as exc:
        result = str(getattr(exc, "orig", exc))
    if result != "ok":
        raise ServiceError(
            "The database file is damaged, so nothing has been imported. Restore the latest "
            f"good backup (File ▸ Restore…) and import again. (SQLite says: {result})"
        )


def import_rows(
    session: Session,
    tracker_id: int,
    sheet: Sheet,
    mapping: Mapping,
    *,
    only_valid: bool = False,
    recorded_by_id: int | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    checked: ImportCheck | None = None,
) -> ImportResult:
    """Check, then insert every valid row in one go. Raises ``ImportRejected`` (and writes
    nothing) when a row is invalid, unless ``only_valid`` is set. ``checked`` is the result of
    ``check_import`` for the same sheet and mapping, when the preview has already made it."""
    require(session, Permission.RECORD)
    _refuse_a_damaged_file(session)
    check = checked or check_import(session, tracker_id, sheet, mapping, progress)
    if check.bad_rows and not only_valid:
        raise ImportRejected(check)
    if not check.valid:
        raise ValidationError.single("rows", "There are no valid rows to import.")
    tracker = get_tracker(session, tracker_id)
    imported = bulk_add_entries(
        session,
        tracker,
        check.valid,
        recorded_by_id,
        today=today,
        encoded=check.encoded if len(check.encoded) == len(check.valid) else None,
        file_name=sheet.file_name,
        sha256=sheet.sha256,
    )
    return ImportResult(imported, check.invalid_count)
