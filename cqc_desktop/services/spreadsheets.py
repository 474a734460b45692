"""Reading a spreadsheet as an office saves it: Excel (.xlsx, .xlsm, .xls), LibreOffice (.ods) and
CSV, into a header row and numbered data rows. Shared by the tracker import and the staff list.

CSV comes from real offices: Windows-1252 from Excel on a UK PC, UTF-8 with a byte order mark,
separated by ``;`` or ``,``, sometimes with a "sep=;" first line. Workbooks are read with
python-calamine (fast, and reads the old .xls and .ods formats too); nothing here writes files.
Row numbers are the ones Excel shows, so a problem can be found in the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from .errors import ValidationError

DELIMITERS = (",", ";", "\t", "|")
WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_FILES = (".csv", ".txt")


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


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def read_sheet(path: Path, sheet_name: str | None = None) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise ValidationError.single("path", f"The file {path.name} cannot be found.")
    suffix = path.suffix.lower()
    if suffix not in WORKBOOKS + TEXT_FILES:
        raise ValidationError.single(
            "path", "Choose an Excel (.xlsx or .xls), LibreOffice (.ods) or CSV (.csv) file."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError.single(
            "path", f"{path.name} cannot be read ({exc.strerror or exc})."
        ) from None
    read = _read_workbook if suffix in WORKBOOKS else _read_csv
    sheet = read(path, data, sheet_name)
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


def _read_csv(path: Path, data: bytes, _sheet_name: str | None = None) -> Sheet:
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


def _cell(value: Any) -> Any:
    """Workbook cells as the rest of the app expects them: whole numbers as int (a spreadsheet
    stores every number as a float) and a bare time of day as a time."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, timedelta):  # a duration or a bare time of day
        seconds = int(value.total_seconds())
        if 0 <= seconds < 86400:
            return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        return str(value)
    if value == "":
        return None
    return value


def _read_workbook(path: Path, data: bytes, sheet_name: str | None) -> Sheet:
    from python_calamine import SheetVisibleEnum, load_workbook

    kind = "a LibreOffice" if path.suffix.lower() == ".ods" else "an Excel"
    try:
        book = load_workbook(io.BytesIO(data))
    except Exception as exc:  # the reader's errors (bad zip, bad XML, password) share no base
        raise ValidationError.single(
            "path", f"{path.name} could not be read as {kind} file ({exc})."
        ) from None
    try:
        if sheet_name is not None:
            if sheet_name not in book.sheet_names:
                raise ValidationError.single(
                    "sheet", f"There is no sheet called {sheet_name} in {path.name}."
                )
            name = sheet_name
        else:
            visible = [
                m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible
            ]
            name = visible[0] if visible else book.sheet_names[0]
        sheet = book.get_sheet_by_name(name)
        # Calamine starts at the first used cell; Excel's row numbers start at row 1.
        first_row = sheet.start[0] if sheet.start else 0
        first_col = sheet.start[1] if sheet.start else 0
        cells = sheet.to_python(skip_empty_area=False)
        records = [
            (n, [None] * first_col + [_cell(v) for v in row])
            for n, row in enumerate(cells, start=first_row + 1)
        ]
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError.single(
            "path", f"{path.name} could not be read as {kind} file ({exc})."
        ) from None
    finally:
        book.close()
    return _to_sheet(name, records, "Excel" if kind == "an Excel" else "LibreOffice", "")


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
