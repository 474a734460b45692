"""Turning what people type (or what Excel saved) into tracker values, one column type at a time.

Values arrive from the entry grid, a paste, a CSV written by Excel on a Windows PC or an XLSX file,
so each converter accepts the shapes those produce (UK dates, Excel serial dates, "1830", "TRUE")
and otherwise raises ``BadValue`` with a message naming the column. Nothing here touches the
database: the staff list comes in a ``PeopleIndex`` loaded once, so an import of 200,000 rows
makes no query per cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

COLUMN_TYPES = ("date", "time", "text", "number", "yes/no", "choice", "person")
TEXT_LIMIT = 2000

_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# "24 Nov 2026", "24 November, 2026", and "24-Nov-2026" as Excel shows a date formatted dd-mmm-yyyy.
_NAMED_DATE = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})[ ,-]*(\d{2}|\d{4})")
_COMPACT_DATE = re.compile(r"(\d{2})(\d{2})(\d{2}|\d{4})")
_SERIAL_DATE = re.compile(r"\d{5}(\.0+)?")
# A time at the end of a date ("26/11/2026 18:30", "2026-11-26T00:00:00") is dropped.
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::\d{2})?\s*([ap]\.?m\.?)?", re.IGNORECASE)
_COMPACT_TIME = re.compile(r"(\d{1,2})(\d{2})")
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
YES_WORDS = frozenset({"yes", "y", "true", "1", "✓", "✔"})
NO_WORDS = frozenset({"no", "n", "false", "0", "✗"})
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug


class BadValue(Exception):
    """A value that cannot be converted; the message is shown beside the cell or column."""


@dataclass
class PeopleIndex:
    """The staff list by lower-case name and by id, for person columns."""

    by_name: dict[str, str] = field(default_factory=dict)
    by_id: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, people: Iterable[tuple[int, str]]) -> PeopleIndex:
        index = cls()
        for pid, name in people:
            index.by_id[pid] = name
            index.by_name.setdefault(name.strip().lower(), name)
        return index

    def names(self) -> list[str]:
        return sorted(set(self.by_name.values()), key=str.lower)


# --- dates and times -------------------------------------------------------------------------


def _real_date(label: str, text: str, year: int, month: int, day: int) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise BadValue(f"{label}: {text} is not a real date. Check the day and month.") from None
    if not 1900 <= value.year <= 2100:
        raise BadValue(f"{label}: {text} is not a likely date. Check the year.")
    return value


def _from_serial(label: str, serial: float) -> date:
    # Only serials from 1950 to 2099: a stray small number in a date column is a mistake, not 1900.
    if not 18264 <= serial < 73051:
        raise BadValue(f"{label} must be a date, for example 26/11/2026.")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def to_date(label: str, raw: object) -> date:
    if isinstance(raw, datetime | date):
        value = raw.date() if isinstance(raw, datetime) else raw
        if not 1900 < value.year <= 2100:
            raise BadValue(f"{label} must be a date, for example 26/11/2026.")
        return value
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_serial(label, float(raw))
    text = _TRAILING_TIME.sub("", str(raw).strip())
    if m := _UK_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if len(m[3]) == 2 else 0  # "26/11/26": care records are never 19xx
        return _real_date(label, text, year, month, day)
    if m := _ISO_DATE.fullmatch(text):
        return _real_date(label, text, int(m[1]), int(m[2]), int(m[3]))
    if (m := _NAMED_DATE.fullmatch(text)) and m[2].lower() in _MONTHS:
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _real_date(label, text, year, _MONTHS[m[2].lower()], int(m[1]))
    if (m := _COMPACT_DATE.fullmatch(text)) and len(text) in (6, 8):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _real_date(label, text, year, int(m[2]), int(m[1]))
    if _SERIAL_DATE.fullmatch(text):
        # An Excel date saved as its serial number (a "General" formatted column).
        return _from_serial(label, float(text))
    raise BadValue(f"{label} must be a date, for example 26/11/2026.")


def to_time(label: str, raw: object) -> time:
    if isinstance(raw, datetime):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, float) and 0 <= raw < 1:
        # Excel stores a time of day as a fraction of a day.
        minutes = round(raw * 24 * 60) % (24 * 60)
        return time(minutes // 60, minutes % 60)
    text = str(raw).strip()
    hour = minute = -1
    if m := _TIME.fullmatch(text):
        hour, minute = int(m[1]), int(m[2])
        if m[3]:
            if not 1 <= hour <= 12:
                hour = -1
            else:
                hour = hour % 12 + (12 if m[3].lower().startswith("p") else 0)
    elif m := _COMPACT_TIME.fullmatch(text):
        hour, minute = int(m[1]), int(m[2])  # "1830" or "930", as typed on a keypad
    if 0 <= hour < 24 and 0 <= minute < 60:
        return time(hour, minute)
    raise BadValue(f"{label} must be a time on the 24-hour clock, for example 18:30.")


def to_number(label: str, raw: object) -> int | float:
    number: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")  # "35,5" from a PC set to a European locale
        try:
            number = float(text)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise BadValue(f"{label} must be a number, for example 35.")
    return int(number) if number.is_integer() else number


def to_yes_no(label: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise BadValue(f"{label} must be Yes or No.")


def to_choice(label: str, raw: object, choices: list[str]) -> str:
    wanted = str(raw).strip().lower()
    for choice in choices:
        if choice.lower() == wanted:
            return choice
    raise BadValue(f"{label} must be one of: {', '.join(choices)}.")


def to_person(label: str, raw: object, people: PeopleIndex | None) -> str:
    """Stored as the person's name so exports and reports read without a lookup.

    A name not on the staff list is kept as typed: agency and bank staff often are not listed.
    """
    text = str(raw).strip()
    if (isinstance(raw, int) and not isinstance(raw, bool)) or text.isdigit():
        name = people.by_id.get(int(text)) if people is not None else None
        if name is None:
            raise BadValue(f"{label}: choose someone from the staff list.")
        return name
    if people is not None:
        return people.by_name.get(text.lower(), text)
    return text


def convert(column: dict[str, Any], raw: object, people: PeopleIndex | None) -> Any:
    """One cell to its stored, JSON-safe form (ISO date, "HH:MM", bool, number or text)."""
    label, kind = column["label"], column["type"]
    if kind == "date":
        return to_date(label, raw).isoformat()
    if kind == "time":
        return to_time(label, raw).strftime("%H:%M")
    if kind == "number":
        return to_number(label, raw)
    if kind == "yes/no":
        return to_yes_no(label, raw)
    if kind == "choice":
        return to_choice(label, raw, column["choices"])
    if kind == "person":
        return to_person(label, raw, people)
    if isinstance(raw, datetime | date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if len(text) > TEXT_LIMIT:
        raise BadValue(f"{label} is too long: keep it under {TEXT_LIMIT} characters.")
    return text


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def minutes_between(due: str | None, given: str | None) -> int | None:
    """Minutes from one "HH:MM" to another; a time given after midnight counts as the next day."""
    if not due or not given:
        return None
    a, b = time.fromisoformat(due), time.fromisoformat(given)
    minutes = (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)
    if minutes < -12 * 60:
        minutes += 24 * 60
    return minutes


class RowConverter:
    """Converts whole rows for one tracker. With ``memo`` it remembers each distinct cell text per
    column: an import repeats the same dates, shifts, times and names thousands of times."""

    MEMO_LIMIT = 50_000

    def __init__(
        self, columns: list[dict[str, Any]], people: PeopleIndex | None, *, memo: bool = False
    ) -> None:
        self.columns = columns
        self.people = people
        self.known = {column["key"] for column in columns}
        self.memo: dict[str, dict[Any, tuple[Any, str | None]]] | None = (
            {column["key"]: {} for column in columns} if memo else None
        )

    def _cell(self, column: dict[str, Any], raw: object) -> tuple[Any, str | None]:
        try:
            return convert(column, raw, self.people), None
        except BadValue as bad:
            return None, str(bad)

    def _memo_cell(self, column: dict[str, Any], raw: object) -> tuple[Any, str | None]:
        assert self.memo is not None
        cache = self.memo[column["key"]]
        if not isinstance(raw, str | int | float):  # dates and times from Excel: not memoised
            return self._cell(column, raw)
        hit = cache.get(raw)
        if hit is None:
            hit = self._cell(column, raw)
            if len(cache) < self.MEMO_LIMIT:
                cache[raw] = hit
        return hit

    def __call__(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        for key in values:
            if key not in self.known:
                errors[key] = f"This tracker has no column called {key!r}."
        cell = self._memo_cell if self.memo is not None else self._cell
        clean: dict[str, Any] = {}
        for column in self.columns:
            key = column["key"]
            raw = values.get(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                clean[key] = None
                continue
            value, error = cell(column, raw)
            clean[key] = value
            if error is not None:
                errors[key] = error
        for column in self.columns:
            key = column["key"]
            auto = column.get("auto")
            if auto and clean[key] is None and key not in errors:
                due, given = auto["minutes_between"]
                clean[key] = minutes_between(clean.get(due), clean.get(given))
            if clean[key] is None and column.get("required") and key not in errors:
                errors[key] = f"{column['label']} must be filled in."
        return clean, errors


def convert_row(
    columns: list[dict[str, Any]], values: dict[str, Any], people: PeopleIndex | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Convert a whole row; returns (clean values with every column key, errors by column key).

    A blank column with an ``auto`` rule is filled in from the others (minutes late from the
    times due and given), so nobody types the same number twice.
    """
    return RowConverter(columns, people)(values)


# --- typing shortcuts and display -----------------------------------------------------------


def expand_shortcut(column: dict[str, Any], text: str, today: date) -> str:
    """`t` and `y` in a date cell mean today and yesterday; anything else is left as typed."""
    if column["type"] == "date":
        word = text.strip().lower()
        if word in ("t", "today"):
            return today.strftime("%d/%m/%Y")
        if word in ("y", "yesterday"):
            return (today - timedelta(days=1)).strftime("%d/%m/%Y")
    return text


def complete_choice(text: str, options: Iterable[str]) -> str:
    """Type-ahead: the one option that ``text`` starts (or else contains), or ``text`` itself."""
    wanted = text.strip().lower()
    if not wanted:
        return text
    options = list(options)
    for option in options:
        if option.lower() == wanted:
            return option
    starts = [o for o in options if o.lower().startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        return text
    contains = [o for o in options if wanted in o.lower()]
    return contains[0] if len(contains) == 1 else text


def display(column: dict[str, Any], value: Any) -> str:
    """A stored value as people read it: dd/mm/yyyy dates, Yes/No, numbers without noise."""
    if value is None:
        return ""
    kind = column["type"]
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "yes/no":
        return "Yes" if value else "No"
    if kind == "number" and isinstance(value, float):
        return f"{round(value, 2):g}"
    return str(value)


def search_text(columns: list[dict[str, Any]], values: dict[str, Any]) -> str:
    """What the search box looks in: every value as shown, lower-cased, ISO dates too."""
    parts = []
    for column in columns:
        value = values.get(column["key"])
        if value is None:
            continue
        parts.append(display(column, value).lower())
        if column["type"] == "date":
            parts.append(str(value))
    return " | ".join(parts)


def typed_value(column: dict[str, Any], value: Any) -> Any:
    """A stored value as a spreadsheet cell wants it: a real date, a number, text."""
    if value is None:
        return None
    kind = column["type"]
    if kind == "date":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if kind == "yes/no":
        return "Yes" if value else "No"
    return value
