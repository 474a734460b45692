"""Importing a spreadsheet (Excel, LibreOffice or CSV) into a tracker: read (``spreadsheets``), map columns, check every row, then
write all of it in one transaction, or nothing.

Files come from real offices: CSV saved by Excel on a Windows PC (cp1252, separated by ``;`` or
``,``, sometimes with a "sep=;" first line), UTF-8 with a byte order mark, UK dates, dates as Excel
serial numbers, and blank rows at the end. Every problem is reported by spreadsheet row number and
column so the person can find it in Excel. Rows are inserted in bulk, never one ORM object each.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ..errors import Problems, ServiceError, ValidationError
from ..spreadsheets import Sheet, read_sheet
from ..trust.permissions import Permission, require
from .import_values import ValueMap, already_in_tracker, apply_value_map
from .tracker_import import Encoded, FastRows, bulk_add_entries, encode
from .tracker_values import RowConverter, is_blank
from .trackers import date_column, get_tracker, people_index

log = logging.getLogger(__name__)

__all__ = ["Sheet", "read_sheet"]  # the import dialog and the CLI read files through here
MAX_PROBLEMS_SHOWN = 500
Mapping = dict[str, int | None]  # tracker column key → index of the file's column (None: skip)


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
    # Valid rows the tracker already has (same date, same content): left out, and said so.
    already_imported: int = 0
    already_dates: tuple[date, date] | None = None

    @property
    def valid_count(self) -> int:
        return len(self.valid)

    @property
    def invalid_count(self) -> int:
        return len(self.bad_rows)

    def already_text(self) -> str:
        """ "3 rows (dated 01/11/2026 to 07/11/2026) are already in the tracker…", or ""."""
        n = self.already_imported
        if not n:
            return ""
        span = ""
        if self.already_dates is not None:
            first, last = (d.strftime("%d/%m/%Y") for d in self.already_dates)
            span = f" (dated {first})" if first == last else f" (dated {first} to {last})"
        rows = "1 row" if n == 1 else f"{n} rows"
        are = "is" if n == 1 else "are"
        return (
            f"{rows}{span} {are} already in the tracker, imported or typed in before: "
            f"{'it is' if n == 1 else 'they are'} left out, so nothing is added twice."
        )

    def summary(self) -> str:
        already = f" {self.already_text()}" if self.already_imported else ""
        if not self.bad_rows:
            if not self.valid:
                return f"Nothing new to import.{already}"
            ready = "1 new row is" if self.valid_count == 1 else f"{self.valid_count} new rows are"
            if self.already_imported:
                return f"{ready} ready to import.{already}"
            return f"All {self.total} rows are ready to import."
        ready = "1 row is" if self.valid_count == 1 else f"{self.valid_count} rows are"
        have = "has" if self.invalid_count == 1 else "have"
        return (
            f"{self.invalid_count} of {self.total} rows {have} problems; {ready} ready to "
            f"import.{already}"
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
    *,
    value_map: ValueMap | None = None,
) -> ImportCheck:
    """Convert and check every row; nothing is written. Problems name the row and the column.
    ``value_map`` turns values the tracker does not list into ones it does ("PM" → "Late");
    rows the tracker already has are left out and counted (``already_imported``)."""
    tracker = get_tracker(session, tracker_id)
    columns = tracker.columns
    check_mapping(columns, sheet.headers, mapping)
    if value_map:
        sheet = apply_value_map(tracker, sheet, mapping, value_map)
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
    _leave_out_rows_already_there(session, tracker_id, columns, dating["key"], result)
    return result


def _leave_out_rows_already_there(
    session: Session,
    tracker_id: int,
    columns: list[dict[str, Any]],
    dating_key: str,
    result: ImportCheck,
) -> None:
    if len(result.encoded) != len(result.valid):
        result.encoded[:] = [encode(columns, dating_key, row) for row in result.valid]
    there = already_in_tracker(session, tracker_id, result.encoded)
    if not there:
        return
    days = sorted(date.fromisoformat(result.encoded[i][0]) for i in there)
    result.already_imported = len(there)
    result.already_dates = (days[0], days[-1])
    keep = [i for i in range(len(result.valid)) if i not in there]
    result.valid[:] = [result.valid[i] for i in keep]
    result.encoded[:] = [result.encoded[i] for i in keep]


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # invalid rows left out because the user chose "only valid rows"
    already_imported: int = 0  # rows the tracker had already, left out


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
    value_map: ValueMap | None = None,
) -> ImportResult:
    """Check, then insert every valid row in one go. Raises ``ImportRejected`` (and writes
    nothing) when a row is invalid, unless ``only_valid`` is set. ``checked`` is the result of
    ``check_import`` for the same sheet and mapping, when the preview has already made it."""
    require(session, Permission.RECORD)
    _refuse_a_damaged_file(session)
    check = checked or check_import(
        session, tracker_id, sheet, mapping, progress, value_map=value_map
    )
    if check.bad_rows and not only_valid:
        raise ImportRejected(check)
    if not check.valid and check.already_imported:
        raise ValidationError.single(
            "rows", f"Nothing was imported: every row is already there. {check.already_text()}"
        )
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
    # The file's name may name a person; its hash identifies it in the audit trail instead.
    log.info(
        "Imported %d rows into tracker #%d (%d left out; file SHA-256 %s)",
        imported,
        tracker_id,
        check.invalid_count,
        sheet.sha256,
    )
    return ImportResult(imported, check.invalid_count, check.already_imported)
