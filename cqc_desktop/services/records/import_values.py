"""Two things a tracker import needs beyond reading cells: values the tracker does not list,
mapped to one it does ("PM" → "Late"), remembered per tracker; and rows already in the tracker
(imported before, or typed in), found so that importing the same file twice adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Tracker, TrackerEntry
from ..errors import Problems
from ..spreadsheets import Sheet
from ..trust import settings
from ..trust.permissions import Permission, require
from .tracker_import import Encoded
from .tracker_values import is_blank

ValueMap = dict[str, dict[str, str]]  # tracker column key → {value in the file → tracker's choice}
SETTING = "import.value_maps"


def _fold(value: object) -> str:
    return " ".join(str(value).split()).casefold()


def choice_columns(tracker: Tracker) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in tracker.columns if c["type"] == "choice" and c.get("choices")}


def unlisted_values(
    tracker: Tracker, sheet: Sheet, mapping: dict[str, int | None], value_map: ValueMap
) -> dict[str, list[str]]:
    """Per choice column: the file's values the tracker does not list and no mapping covers, in
    the order they first appear (what the preview offers to map)."""
    found: dict[str, list[str]] = {}
    for key, column in choice_columns(tracker).items():
        index = mapping.get(key)
        if index is None:
            continue
        listed = {_fold(c) for c in column["choices"]}
        mapped = {_fold(v) for v in value_map.get(key, {})}
        seen: dict[str, str] = {}
        for _number, cells in sheet.rows:
            raw = cells[index] if index < len(cells) else None
            if is_blank(raw):
                continue
            folded = _fold(raw)
            if folded not in listed and folded not in mapped and folded not in seen:
                seen[folded] = " ".join(str(raw).split())
        if seen:
            found[key] = list(seen.values())
    return found


def check_value_map(tracker: Tracker, value_map: ValueMap) -> ValueMap:
    """The map tidied (values folded for matching), or ValidationError naming what is wrong."""
    columns = choice_columns(tracker)
    labels = {c["label"]: c["key"] for c in tracker.columns}
    p = Problems()
    tidy: ValueMap = {}
    for key, pairs in value_map.items():
        key = labels.get(key, key)
        column = columns.get(key)
        if column is None:
            p.add("value_map", f"The {tracker.name} has no list column called {key}.")
            continue
        choices = {_fold(c): c for c in column["choices"]}
        for source, target in pairs.items():
            wanted = choices.get(_fold(target))
            if wanted is None:
                p.add(
                    f"value_map.{key}",
                    f"{column['label']}: {target} is not one of {', '.join(column['choices'])}.",
                )
                continue
            tidy.setdefault(key, {})[_fold(source)] = wanted
    p.raise_if_any()
    return tidy


def apply_value_map(
    tracker: Tracker, sheet: Sheet, mapping: dict[str, int | None], value_map: ValueMap
) -> Sheet:
    """The sheet with mapped values replaced (a new Sheet; the one read is left as it was)."""
    tidy = check_value_map(tracker, value_map)
    columns = [(mapping[k], pairs) for k, pairs in tidy.items() if mapping.get(k) is not None]
    if not columns:
        return sheet
    rows = []
    for number, cells in sheet.rows:
        new = cells
        for index, pairs in columns:
            raw = cells[index] if index is not None and index < len(cells) else None
            if isinstance(raw, str) and (target := pairs.get(_fold(raw))) is not None:
                if new is cells:
                    new = list(cells)
                new[index] = target  # type: ignore[index]
        rows.append((number, new))
    return Sheet(
        sheet.name,
        sheet.headers,
        rows,
        sheet.encoding,
        sheet.delimiter,
        sheet.file_name,
        sheet.sha256,
    )


def saved_value_map(session: Session, tracker_id: int) -> ValueMap:
    stored = settings.get(session, SETTING) or {}
    value = stored.get(str(tracker_id), {}) if isinstance(stored, dict) else {}
    return value if isinstance(value, dict) else {}


def remember_value_map(session: Session, tracker_id: int, value_map: ValueMap) -> None:
    """Kept for this tracker's next import (shared by every PC using the database)."""
    require(session, Permission.RECORD)
    stored = dict(settings.get(session, SETTING) or {})
    merged = saved_value_map(session, tracker_id)
    for key, pairs in value_map.items():
        merged.setdefault(key, {}).update({_fold(s): t for s, t in pairs.items()})
    stored[str(tracker_id)] = merged
    settings.keep(session, SETTING, stored)


def already_in_tracker(session: Session, tracker_id: int, encoded: Sequence[Encoded]) -> set[int]:
    """Which of the rows (by position) the tracker already has: same date and same content."""
    if not encoded:
        return set()
    dates = [row[0] for row in encoded]
    first, last = date.fromisoformat(min(dates)), date.fromisoformat(max(dates))
    have = {
        (day.isoformat(), text)
        for day, text in session.execute(
            select(TrackerEntry.entry_date, TrackerEntry.search_text).where(
                TrackerEntry.tracker_id == tracker_id,
                TrackerEntry.entry_date >= first,
                TrackerEntry.entry_date <= last,
            )
        )
    }
    return {i for i, (day, _json, text) in enumerate(encoded) if (day, text) in have}
