"""Working days: Monday to Friday, not counting bank holidays in England.

The bank holidays are data (``resources/reference/bank_holidays_england.json``, with its source and
version), so a year added by GOV.UK, or an extra day for a royal occasion, is a new file and not a
code change. Outside the years the file covers only weekends are skipped; ``covers`` says whether a
date was checked against the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ..reference import REFERENCE
from .common import load_json

BANK_HOLIDAYS_FILE = "bank_holidays_england.json"


@dataclass(frozen=True)
class BankHolidays:
    version: str
    source: str
    first: date
    last: date
    days: dict[date, str]

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@cache
def bank_holidays() -> BankHolidays:
    data = load_json(REFERENCE / BANK_HOLIDAYS_FILE)
    return BankHolidays(
        version=str(data["version"]),
        source=data["source"],
        first=date.fromisoformat(data["covers"]["from"]),
        last=date.fromisoformat(data["covers"]["to"]),
        days={date.fromisoformat(h["date"]): h["title"] for h in data["holidays"]},
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays().days


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0, whatever it is):
    received on Friday, 1 working day later is Monday, or Tuesday when Monday is a bank holiday."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days after ``start`` ``end`` falls (0 when on or before it)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
