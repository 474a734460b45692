"""Exporting any list, under its current filter, to Excel (XLSX) or CSV.

Files are written beside the target and moved into place only when complete, so a failed export
never leaves half a file where the last good one was. XLSX cells hold real dates (shown dd/mm/yyyy)
and numbers, so a manager can sort and chart them in Excel straight away. CSV is UTF-8 with a byte
order mark, which Excel on Windows needs to show names such as "Zoë" correctly. Text that Excel
would run as a formula is kept as text.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ...formatting import uk_date, uk_datetime
from ...models import Tracker
from ..errors import NotFound, ValidationError
from ..listing import Page
from .complaint_listing import ComplaintQuery, ComplaintRow, complaint_page
from .feedback import FeedbackQuery, FeedbackRow, feedback_page
from .incident_status import learning_status
from .listing import (
    EntryRow,
    IncidentQuery,
    IncidentRow,
    TrackerQuery,
    every_row,
    incident_page,
    tracker_page,
)
from .log_listing import (
    HandoverQuery,
    HandoverRow,
    LogQuery,
    LogRow,
    ObservationQuery,
    ObservationRow,
    handover_page,
    log_page,
    observation_page,
)
from .tracker_values import display, typed_value

FORMATS = (".xlsx", ".csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, date, datetime, number, yes/no
    width: int = 16


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: Iterable[Sequence[Any]]


def check_target(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError.single(
            "path", f"Save the export as .xlsx (Excel) or .csv, not {suffix or 'no extension'}."
        )
    return suffix


def write(path: Path, table: Table, progress: Callable[[int], None] | None = None) -> int:
    """Write the table to ``path`` (.xlsx or .csv); returns the number of rows written."""
    suffix = check_target(path)
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError.single("path", f"The folder {folder} does not exist.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=folder)
    except PermissionError:
        raise ValidationError.single(
            "path", f"You cannot save files in {folder}; choose another folder."
        ) from None
    os.close(fd)
    temp = Path(temp_name)
    try:
        writer = _write_xlsx if suffix == ".xlsx" else _write_csv
        count = writer(temp, table, progress)
        os.replace(temp, path)
    except PermissionError:
        raise ValidationError.single(
            "path", f"{path.name} is open in another program (Excel?). Close it and try again."
        ) from None
    finally:
        temp.unlink(missing_ok=True)
    return count


class _Counted:
    """The table's rows as a writer takes them, counted, with ``progress`` told every 5,000:
    the part both writers share (what each makes of a value differs)."""

    def __init__(self, rows: Iterable[Sequence[Any]], progress: Callable[[int], None] | None):
        self.rows, self.progress, self.count = rows, progress, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            yield row
            self.count += 1
            if self.progress is not None and self.count % 5000 == 0:
                self.progress(self.count)


def _csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return uk_datetime(value)
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, float):
        return f"{round(value, 6):g}"
    text = str(value)
    if kind == "text" and text.startswith(_FORMULA_START):
        return "'" + text  # Excel would otherwise run it as a formula
    return text


def _write_csv(path: Path, table: Table, progress: Callable[[int], None] | None) -> int:
    kinds = [c.kind for c in table.columns]
    rows = _Counted(table.rows, progress)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.header for c in table.columns])
        out.writerows([_csv_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows)
    return rows.count


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title.strip()[:31] or "Export"


def _write_xlsx(path: Path, table: Table, progress: Callable[[int], None] | None) -> int:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    for n, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    formats = {"date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM"}
    kinds = [c.kind for c in table.columns]
    rows = _Counted(table.rows, progress)
    for row in rows:
        cells: list[Any] = []
        for value, kind in zip(row, kinds, strict=True):
            if isinstance(value, bool):
                cells.append("Yes" if value else "No")
            elif kind in formats and isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[kind]
                cells.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    last = get_column_letter(max(len(table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{rows.count + 1}"
    book.save(path)
    return rows.count


# --- the lists --------------------------------------------------------------------------------


def _rows(load: Callable[[tuple[Any, int] | None, int], Page]) -> Iterable[Any]:
    return every_row(load)


def tracker_table(
    session: Session, query: TrackerQuery, sort: str = "entry_date", descending: bool = False
) -> Table:
    tracker = session.get(Tracker, query.tracker_id)
    if tracker is None:
        raise NotFound("That tracker no longer exists.")
    columns = list(tracker.columns)
    widths = {"date": 12, "time": 9, "number": 10, "yes/no": 9, "choice": 14, "person": 20}

    def kind(c: dict[str, Any]) -> str:
        return {"date": "date", "number": "number"}.get(c["type"], "text")

    def cells(row: EntryRow) -> list[Any]:
        return [typed_value(c, row.values.get(c["key"])) for c in columns]

    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return tracker_page(session, query, sort, descending, after, limit)

    return Table(
        tracker.name,
        [Column(c["label"], kind(c), widths.get(c["type"], 30)) for c in columns],
        (cells(r) for r in _rows(load)),
    )


def tracker_display_row(columns: list[dict[str, Any]], row: EntryRow) -> list[str]:
    return [display(c, row.values.get(c["key"])) for c in columns]


INCIDENT_COLUMNS = [
    Column("Reference", width=15),
    Column("Date and time", "datetime", 17),
    Column("Type", width=16),
    Column("Severity", width=15),
    Column("Person", width=12),
    Column("Location", width=16),
    Column("Description", width=40),
    Column("Immediate action", width=30),
    Column("Reported by", width=18),
    Column("Reviewed on", "date", 12),
    Column("Reviewer", width=18),
    Column("Immediate controls", width=30),
    Column("CQC notification", width=18),
    Column("Family informed", "yes/no", 10),
    Column("Learning point", width=40),
    Column("Shared at handover", "date", 12),
    Column("Actions completed", "date", 12),
    Column("7-day learning", width=22),
    Column("Closed on", "date", 12),
    Column("Reopened on", "date", 12),
    Column("Action", width=10),
]


def incident_cells(row: IncidentRow, today: date) -> list[Any]:
    return [
        row.reference,
        row.occurred_at,
        row.incident_type,
        row.severity,
        row.person_ref,
        row.location,
        row.description,
        row.immediate_action,
        row.reported_by,
        row.reviewed_on,
        row.reviewer,
        row.immediate_controls,
        row.cqc_notification,
        row.family_informed,
        row.learning_point,
        row.handover_date,
        row.actions_completed_on,
        learning_status(row, today).text,
        row.closed_on,
        row.reopened_on,
        row.action_ref,
    ]


def incidents_table(
    session: Session, query: IncidentQuery, sort: str = "occurred", descending: bool = True
) -> Table:
    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return incident_page(session, query, sort, descending, after, limit)

    return Table(
        "Incidents", INCIDENT_COLUMNS, (incident_cells(r, query.today) for r in _rows(load))
    )


OBSERVATION_COLUMNS = [
    Column("Date and time", "datetime", 17),
    Column("Shift", width=8),
    Column("Observer", width=18),
    Column("Staff observed", width=18),
    Column("Area", width=24),
    Column("Outcome", width=11),
    Column("What was seen", width=40),
    Column("Feedback given", width=36),
    Column("Follow-up", width=30),
    Column("Follow-up due", "date", 12),
    Column("Care-plan reference", width=14),
    Column("Action", width=10),
]


def observations_table(
    session: Session, query: ObservationQuery, sort: str = "observed", descending: bool = True
) -> Table:
    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return observation_page(session, query, sort, descending, after, limit)

    def cells(r: ObservationRow) -> list[Any]:
        return [
            r.observed_at,
            r.shift,
            r.observer,
            r.staff_observed,
            r.area,
            r.outcome,
            r.what_was_seen,
            r.feedback_given,
            r.follow_up,
            r.follow_up_due,
            r.care_plan_ref,
            r.action_ref,
        ]

    return Table("Observations", OBSERVATION_COLUMNS, (cells(r) for r in _rows(load)))


HANDOVER_COLUMNS = [
    Column("Date", "date", 12),
    Column("Shift", width=8),
    Column("Led by", width=18),
    Column("Staff present", width=36),
    Column("Learning points shared", width=50),
    Column("Incidents shared", width=18),
    Column("Understanding checked", "yes/no", 12),
    Column("Action", width=10),
]


def handovers_table(
    session: Session, query: HandoverQuery, sort: str = "date", descending: bool = True
) -> Table:
    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return handover_page(session, query, sort, descending, after, limit)

    def cells(r: HandoverRow) -> list[Any]:
        return [
            r.handover_date,
            r.shift,
            r.lead,
            r.staff_present,
            r.learning_points,
            r.incidents,
            r.understanding_checked,
            r.action_ref,
        ]

    return Table("Handover records", HANDOVER_COLUMNS, (cells(r) for r in _rows(load)))


LOG_COLUMNS = [
    Column("Date", "date", 12),
    Column("Log", width=24),
    Column("Written by", width=18),
    Column("Entry", width=70),
    Column("Action", width=10),
]


def logs_table(
    session: Session, query: LogQuery, sort: str = "date", descending: bool = True
) -> Table:
    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return log_page(session, query, sort, descending, after, limit)

    def cells(r: LogRow) -> list[Any]:
        return [r.entry_date, r.kind, r.author, r.text, r.action_ref]

    return Table(query.kind or "Logs", LOG_COLUMNS, (cells(r) for r in _rows(load)))


COMPLAINT_COLUMNS = [
    Column("Reference", width=14),
    Column("Kind", width=11),
    Column("Received", "date", 12),
    Column("From", width=22),
    Column("Who (by reference)", width=18),
    Column("How received", width=13),
    Column("Category", width=22),
    Column("Severity", width=9),
    Column("What was said", width=44),
    Column("Handled by", width=18),
    Column("Acknowledge by", "date", 12),
    Column("Acknowledged", "date", 12),
    Column("Respond by", "date", 12),
    Column("Responded", "date", 12),
    Column("Where it stands", width=22),
    Column("Finding", width=13),
    Column("Outcome", width=40),
    Column("Learning", width=40),
    Column("Action", width=10),
]


def complaints_table(
    session: Session, query: ComplaintQuery, sort: str = "received", descending: bool = True
) -> Table:
    """The complaints and compliments book under the list's filter."""

    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return complaint_page(session, query, sort, descending, after, limit)

    def cells(r: ComplaintRow) -> list[Any]:
        return [
            r.reference,
            r.kind,
            r.received_on,
            r.from_type,
            r.from_ref,
            r.channel,
            r.category,
            r.severity,
            r.summary,
            r.handled_by,
            r.acknowledge_by,
            r.acknowledged_on,
            r.respond_by,
            r.responded_on,
            r.state.label,
            r.finding,
            r.outcome,
            r.learning,
            r.action_ref,
        ]

    title = {"Complaint": "Complaints", "Compliment": "Compliments"}.get(
        query.kind, "Complaints and compliments"
    )
    return Table(title, COMPLAINT_COLUMNS, (cells(r) for r in _rows(load)))


FEEDBACK_COLUMNS = [
    Column("Received", "date", 12),
    Column("From", width=24),
    Column("Who (by reference)", width=18),
    Column("How", width=14),
    Column("Sentiment", width=10),
    Column("What was said", width=60),
    Column("CQC evidence category", width=30),
    Column("Recorded by", width=18),
    Column("Action", width=10),
]


def feedback_table(
    session: Session, query: FeedbackQuery, sort: str = "received", descending: bool = True
) -> Table:
    def load(after: tuple[Any, int] | None, limit: int) -> Page:
        return feedback_page(session, query, sort, descending, after, limit)

    def cells(r: FeedbackRow) -> list[Any]:
        return [
            r.received_on,
            r.source,
            r.from_ref,
            r.method,
            r.sentiment,
            r.what_was_said,
            r.evidence_category,
            r.recorded_by,
            r.action_ref,
        ]

    return Table("Feedback", FEEDBACK_COLUMNS, (cells(r) for r in _rows(load)))
