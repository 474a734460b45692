"""How dates and numbers are shown to users: UK style, everywhere (UI, reports, exports)."""

from __future__ import annotations

from datetime import date, datetime


def uk_date(value: date | datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    return value.strftime("%d/%m/%Y")


def uk_datetime(value: datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    return value.strftime("%d/%m/%Y %H:%M")


def number(value: float | None, empty: str = "—") -> str:
    """12, 12.5 or 12.35 — no trailing zeros, no float noise."""
    if value is None:
        return empty
    return f"{round(value, 2):g}"


def days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} overdue"
    return f"in {-days} day{'s' if days != -1 else ''}"
