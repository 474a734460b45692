"""Importing a staff list from a spreadsheet (Excel, LibreOffice or CSV as Excel saves it).

All or nothing: the file is checked first, row by row, and a file with any problem (a blank name,
an impossible date, a leaving date before the start) is refused whole, naming each row as Excel
numbers it, so nothing half-imported needs tidying. Someone already on the list with exactly the
same details is not added twice: the row is merged into the person already listed (and, if they
are listed at another home, they are added to this one too) and the preview says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Person, Service
from ..errors import Problems, ValidationError
from ..spreadsheets import Sheet, is_blank, read_sheet
from ..trust.permissions import Permission, require
from .homes import get_home
from .staff import (
    StaffInput,
    add_staff,
    check_staff,
    edit_staff,
    homes_of,
    staff_input_of,
    tidy_name,
)

NEW, ALREADY_LISTED, ADDED_TO_HOME = "new", "already listed", "added to this home"

# The file's heading (lower case, letters only) → the field it fills.
HEADINGS: dict[str, str] = {
    "name": "name",
    "fullname": "name",
    "staffname": "name",
    "employee": "name",
    "employeename": "name",
    # HR systems often export the name in two columns; they are joined.
    "firstname": "first_name",
    "forename": "first_name",
    "forenames": "first_name",
    "givenname": "first_name",
    "surname": "last_name",
    "lastname": "last_name",
    "familyname": "last_name",
    "jobtitle": "job_title",
    "job": "job_title",
    "role": "job_title",
    "position": "job_title",
    "title": "job_title",
    "startdate": "start_date",
    "start": "start_date",
    "started": "start_date",
    "datestarted": "start_date",
    "leavingdate": "leaving_date",
    "leftdate": "leaving_date",
    "left": "leaving_date",
    "enddate": "leaving_date",
    "leaving": "leaving_date",
    "email": "email",
    "emailaddress": "email",
}
FIELD_LABELS = {
    "name": "Name",
    "job_title": "Job title",
    "start_date": "Start date",
    "leaving_date": "Leaving date",
    "email": "Email",
}
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class StaffPreviewRow:
    row: int  # as Excel numbers it
    data: StaffInput
    outcome: str = NEW
    person_id: int | None = None  # the person already listed, for a merged row


@dataclass
class StaffPreview:
    """What importing the file would do, before anything is written."""

    home_id: int
    home_name: str
    file_name: str
    rows: list[StaffPreviewRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field → the file's heading

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def describe(self) -> str:
        if self.problems:
            return (
                f"{self.file_name} was not imported: {len(self.problems)} problem"
                f"{'s' if len(self.problems) != 1 else ''}, and nothing was added. "
                + " ".join(self.problems[:20])
            )
        parts = [f"{self.count(NEW)} new"]
        if self.count(ALREADY_LISTED):
            parts.append(f"{self.count(ALREADY_LISTED)} already listed (merged, not added again)")
        if self.count(ADDED_TO_HOME):
            parts.append(f"{self.count(ADDED_TO_HOME)} from another home added to this one")
        return f"{self.file_name} for {self.home_name}: " + ", ".join(parts) + "."


def parse_date(raw: Any) -> date | None:
    """A date as a UK office writes it (dd/mm/yyyy, or a date cell). Raises ValueError."""
    if is_blank(raw):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if m := _UK_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if year < 100 else 0
        return date(year, month, day)
    if m := _ISO_DATE.fullmatch(text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(text)


def _columns(sheet: Sheet) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, heading in enumerate(sheet.headers):
        key = HEADINGS.get(re.sub(r"[^a-z]", "", heading.lower()))
        if key is not None and key not in found:
            found[key] = index
    return found


def preview_file(session: Session, home_id: int, path: Path) -> StaffPreview:
    return preview_sheet(session, home_id, read_sheet(path))


def preview_sheet(session: Session, home_id: int, sheet: Sheet) -> StaffPreview:
    home = get_home(session, home_id)
    preview = StaffPreview(home.id, home.name, sheet.file_name or sheet.name)
    columns = _columns(sheet)
    preview.columns = {key: sheet.headers[i] for key, i in columns.items()}
    if "name" not in columns and "first_name" not in columns:
        preview.problems.append(
            "The file has no Name column: the first row must hold headings such as Name (or "
            "First name and Surname), Job title, Start date, Leaving date, Email."
        )
        return preview
    if not sheet.rows:
        preview.problems.append("The file has headings but no staff in it.")
        return preview
    listed = _listed(session)
    seen: dict[tuple[object, ...], int] = {}  # a row's details → the first row with them
    names: dict[object, int] = {}  # a name → the first row with it
    for number, cells in sheet.rows:
        row = _read_row(preview, number, cells, columns, home.id)
        if row is None:
            continue
        key = _identity(row.data)
        person = listed.get(key) or _filled_in_by(listed, row.data)
        clash = _same_name_other_details(listed, row.data)
        if person is not None:
            row.person_id = person.id
            here = person.service_id is None or home.id in homes_of(session, person)
            row.outcome = ALREADY_LISTED if here else ADDED_TO_HOME
        elif key in seen:
            row.outcome = ALREADY_LISTED  # the same line twice in the file: added once
        elif clash is not None:
            preview.problems.append(
                f"Row {number}: {clash.name} is already on the staff list with different "
                f"details ({_details(clash)}); change them in the staff list, or make the row "
                "match, so the same person is not listed twice."
            )
            continue
        elif key[0] in names:
            preview.problems.append(
                f"Row {number}: {tidy_name(row.data.name)} is also on row {names[key[0]]} with "
                "different details; keep one row per person."
            )
            continue
        seen.setdefault(key, number)
        names.setdefault(key[0], number)
        preview.rows.append(row)
    return preview


def _read_row(
    preview: StaffPreview, number: int, cells: list[Any], columns: dict[str, int], home_id: int
) -> StaffPreviewRow | None:
    def text(key: str) -> str:
        index = columns.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        return "" if is_blank(value) else str(value).strip()

    def when(key: str) -> date | None:
        index = columns.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        try:
            return parse_date(value)
        except ValueError:
            shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value).strip()
            preview.problems.append(
                f"Row {number}: {FIELD_LABELS[key]} {shown} is not a real date; "
                "write it as dd/mm/yyyy, e.g. 03/11/2025."
            )
            return None

    before = len(preview.problems)
    data = StaffInput(
        name=text("name") or " ".join(filter(None, (text("first_name"), text("last_name")))),
        job_title=text("job_title"),
        home_ids=[home_id],
        start_date=when("start_date"),
        leaving_date=when("leaving_date"),
        email=text("email"),
    )
    p = Problems()
    check_staff(p, data, prefix=f"Row {number}: ")
    if "name" in p.errors:
        p.errors["name"] = f"Row {number}: the name is blank; every row needs a name."
    preview.problems.extend(p.errors.values())
    return None if len(preview.problems) > before else StaffPreviewRow(number, data)


def _identity(data: StaffInput) -> tuple[object, ...]:
    return (
        tidy_name(data.name).casefold(),
        " ".join(data.job_title.split()).casefold(),
        data.start_date,
        data.leaving_date,
        data.email.strip().casefold(),
    )


def _listed(session: Session) -> dict[tuple[object, ...], Person]:
    return {_identity(_input_of(p)): p for p in session.scalars(select(Person).order_by(Person.id))}


def _input_of(person: Person) -> StaffInput:
    return StaffInput(
        person.name, person.role, [], person.start_date, person.leaving_date, person.email
    )


def _same_name_other_details(
    listed: dict[tuple[object, ...], Person], data: StaffInput
) -> Person | None:
    name = tidy_name(data.name).casefold()
    return next((p for key, p in listed.items() if key[0] == name), None)


def _filled_in_by(listed: dict[tuple[object, ...], Person], data: StaffInput) -> Person | None:
    """Someone already listed under this name whose details the row only adds to (their blank
    start date, say): the same person, so the row merges and fills the blanks in."""
    wanted = _identity(data)
    for key, person in listed.items():
        if key[0] == wanted[0] and all(
            have in ("", None) or have == new for have, new in zip(key[1:], wanted[1:], strict=True)
        ):
            return person
    return None


def _details(person: Person) -> str:
    parts = [person.role or "no job title"]
    if person.start_date:
        parts.append(f"started {person.start_date:%d/%m/%Y}")
    if person.leaving_date:
        parts.append(f"left {person.leaving_date:%d/%m/%Y}")
    if person.email:
        parts.append(person.email)
    return ", ".join(parts)


@dataclass(frozen=True)
class StaffImportResult:
    added: int
    merged: int
    added_to_home: int
    home_name: str

    def describe(self) -> str:
        text = f"Imported the staff list for {self.home_name}: {self.added} added"
        if self.merged:
            text += f", {self.merged} already listed (merged, not added again)"
        if self.added_to_home:
            text += f", {self.added_to_home} already listed at another home added to this one"
        return text + "."


def import_staff(session: Session, preview: StaffPreview) -> StaffImportResult:
    """Write a checked preview: everyone or no one (the caller's unit of work commits)."""
    require(session, Permission.EDIT_PLANS)
    if not preview.ok:
        raise ValidationError({"file": preview.describe()})
    home = session.get(Service, preview.home_id)
    if home is None or home.archived:
        raise ValidationError.single("home", "Choose a care home that is open.")
    added = merged = linked = 0
    for row in preview.rows:
        if row.outcome == NEW:
            add_staff(session, row.data)
            added += 1
        elif row.outcome == ADDED_TO_HOME and row.person_id is not None:
            person = session.get(Person, row.person_id)
            if person is not None and home.id not in homes_of(session, person):
                data = staff_input_of(session, person)
                data.home_ids = [*data.home_ids, home.id] if data.home_ids else [home.id]
                edit_staff(session, person.id, data)
            linked += 1
        else:
            merged += 1
        if row.person_id is not None:
            _fill_blanks(session, row.person_id, row.data)
    return StaffImportResult(added, merged, linked, home.name)


def _fill_blanks(session: Session, person_id: int, data: StaffInput) -> None:
    person = session.get(Person, person_id)
    if person is None:
        return
    if not person.role and data.job_title.strip():
        person.role = " ".join(data.job_title.split())
    if person.start_date is None and data.start_date is not None:
        person.start_date = data.start_date
    if not person.email and data.email.strip():
        person.email = data.email.strip()
    if person.leaving_date is None and data.leaving_date is not None:
        person.leaving_date = data.leaving_date
        person.active = data.leaving_date > date.today()
    session.flush()
