"""Many tracker rows at once (a spreadsheet import of up to hundreds of thousands of rows).

Two halves, both built for speed without changing what is stored:

- ``FastRows`` converts a spreadsheet row and, in the same pass, makes the text written to the
  database: the row's JSON and its lower-case search text. Each column remembers every distinct
  cell it has seen (an import repeats the same dates, shifts, times and names thousands of times),
  so most cells cost one dictionary lookup. A row with anything wrong, or anything unusual, is
  handed back to ``RowConverter``, so the messages people see are exactly those of a typed row.
- ``bulk_add_entries`` writes the rows with ``executemany`` of the table's own INSERT (compiled
  for the database in use), in date order, in the caller's transaction (all or nothing), then ONE
  audit-trail entry for the whole import — who, which tracker, how many rows, the file's name and
  SHA-256, the first and last new ids — through ``audit_trail.write_entries``, so the hash chain
  stays whole, and a row's History shows "Imported" with that entry. No ORM object is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from operator import getitem, itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session

from ...models import TrackerEntry, utcnow
from ..trust.audit_trail import BULK_INSERT_FIELD, INSERT, _Change, write_entries
from ..trust.permissions import Permission, require, who
from . import derived_measures
from .tracker_values import (
    BadValue,
    PeopleIndex,
    convert,
    display,
    is_blank,
    minutes_between,
    search_text,
)
from .trackers import _writable, date_column

_TABLE = cast(Table, TrackerEntry.__table__)
# Every column but the id, in the table's order (a test checks none is missing).
_COLUMNS = (
    "tracker_id",
    "entry_date",
    "values",
    "recorded_by_id",
    "search_text",
    "created_at",
    "updated_at",
    "version",  # optimistic locking (models.base.VersionMixin): a new row is version 1
)
_IN_ORDER = list(range(len(_COLUMNS)))
CHUNK = 20_000  # rows per executemany: bounds the parameter list, not the transaction
MEMO_LIMIT = 50_000  # distinct cells remembered per column

Cell = tuple[Any, str, str | None]  # stored value, '"key": <json>', search text (None: blank)
Encoded = tuple[str, str, str]  # entry date (ISO), values as JSON, search text

# Cells the fast path does not take. Tuples of another length than a Cell, so comparing one
# with a Cell stops at the length.
BAD: tuple[str] = ("bad",)  # does not convert, or blank where it must be filled in
AUTO: tuple[str] = ("auto",)  # blank, in a column worked out from others (minutes late)


class _Column(dict[Any, Any]):
    """One column's cells seen so far: raw cell → Cell (or BAD). Numbers are kept apart, keyed
    with their type, because True == 1 == 1.0 in a dict but not in a tracker column."""

    def __init__(
        self,
        column: dict[str, Any],
        people: PeopleIndex | None,
        *,
        must_fill: bool,
        mapped: bool,
    ) -> None:
        super().__init__()
        self.column = column
        self.people = people
        self.mapped = mapped  # an unmapped column reads another column's cell and ignores it
        self.prefix = json.dumps(column["key"]) + ": "
        self.null: Any = BAD if must_fill else (None, self.prefix + "null", None)
        self.blank: Any = AUTO if column.get("auto") else self.null
        self.numbers: dict[tuple[type, Any], Any] = {}

    def __missing__(self, raw: Any) -> Any:
        if raw.__class__ in (int, float, bool):
            key = (raw.__class__, raw)
            cell = self.numbers.get(key)
            if cell is None:
                cell = self._convert(raw)
                if len(self.numbers) < MEMO_LIMIT:
                    self.numbers[key] = cell
            return cell
        cell = self._convert(raw)
        if len(self) < MEMO_LIMIT:
            self[raw] = cell
        return cell

    def _convert(self, raw: Any) -> Any:
        if not self.mapped or is_blank(raw):
            return self.blank
        try:
            value = convert(self.column, raw, self.people)
        except BadValue:
            return BAD
        return self.cell(value)

    def cell(self, value: Any) -> Any:
        """The stored value with its JSON and search text, as json.dumps and search_text make
        them for a whole row (so joining the pieces gives exactly the same text)."""
        if value is None:
            return self.null
        shown = display(self.column, value).lower()
        if self.column["type"] == "date":
            shown = f"{shown} | {value}"
        if not shown:
            return BAD  # would be an empty part of the search text: leave it to search_text
        return value, self.prefix + json.dumps(value), shown


class FastRows:
    """Converts spreadsheet rows for one tracker and mapping (see ``take``)."""

    def __init__(
        self,
        columns: list[dict[str, Any]],
        people: PeopleIndex | None,
        mapping: dict[str, int | None],
        dating_key: str,
    ) -> None:
        self.keys = [c["key"] for c in columns]
        self.date_at = self.keys.index(dating_key)
        self.memos: list[_Column] = []
        indexes: list[int] = []
        for column in columns:
            index = mapping.get(column["key"])
            must_fill = bool(column.get("required")) or column["key"] == dating_key
            self.memos.append(
                _Column(column, people, must_fill=must_fill, mapped=index is not None)
            )
            indexes.append(0 if index is None else index)
        self.mapped = [i for i in mapping.values() if i is not None]
        # The cells of a row in column order, picked in C: itemgetter gives a tuple from two up.
        self.pick: Callable[[list[Any]], Any] = (
            itemgetter(*indexes) if len(indexes) > 1 else lambda cells: (cells[indexes[0]],)
        )
        self.blank_row = [memo.blank for memo in self.memos]
        at = {key: n for n, key in enumerate(self.keys)}
        self.autos = [
            (at[c["key"]], at[c["auto"]["minutes_between"][0]], at[c["auto"]["minutes_between"][1]])
            for c in columns
            if c.get("auto")
        ]
        self.worked_out: dict[tuple[int, Any, Any], Any] = {}

    def take(
        self,
        rows: Sequence[tuple[int, list[Any]]],
        valid: list[dict[str, Any]],
        encoded: list[Encoded],
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[tuple[int, list[Any]]]:
        """Convert every row that can go the fast way straight into ``valid`` (clean values) and
        ``encoded``; yield the others, (row number, cells), to be converted the careful way (the
        caller adds those, in turn, so the order of the file is kept). Blank rows are dropped."""
        # Everything the loop uses is a local: it runs once per row of a 200,000-row file.
        memos, pick, blank_row, mapped, autos = (
            self.memos,
            self.pick,
            self.blank_row,
            self.mapped,
            self.autos,
        )
        keys, date_at, auto = self.keys, self.date_at, self._auto
        add_valid, add_encoded, total = valid.append, encoded.append, len(rows)
        for done, (number, cells) in enumerate(rows, start=1):
            if progress is not None and done % 5000 == 0:
                progress(done, total)
            got = list(map(getitem, memos, pick(cells)))
            if got == blank_row:
                # Blank, unless a cell that must be filled in holds something wrong (also BAD).
                if not all(is_blank(cells[i]) for i in mapped):
                    yield number, cells
                continue
            for at, due, given in autos:
                if got[at] is AUTO:
                    got[at] = auto(at, got[due], got[given])
            if BAD in got:
                yield number, cells
                continue
            values, texts, shown = zip(*got, strict=True)
            add_valid(dict(zip(keys, values, strict=True)))
            add_encoded(
                (values[date_at], "{" + ", ".join(texts) + "}", " | ".join(filter(None, shown)))
            )

    def _auto(self, at: int, due: Any, given: Any) -> Any:
        if len(due) != 3 or len(given) != 3:
            return BAD  # a time with a problem: the careful way says what
        key = (at, due[0], given[0])
        cell = self.worked_out.get(key)
        if cell is None:
            try:
                cell = self.memos[at].cell(minutes_between(due[0], given[0]))
            except (TypeError, ValueError):  # a value the careful way would not have made
                cell = BAD
            self.worked_out[key] = cell
        return cell


def encode(columns: list[dict[str, Any]], dating_key: str, values: dict[str, Any]) -> Encoded:
    """What the careful way stores for a row (used when a row did not go the fast way)."""
    return values[dating_key], json.dumps(values), search_text(columns, values)


# --- writing ----------------------------------------------------------------------------------


def _insert_statement(conn: Connection) -> tuple[str, list[int] | None]:
    """The table's own INSERT for this database, and the order of its parameters (None when the
    driver takes them by name)."""
    compiled = insert(_TABLE).compile(dialect=conn.dialect, column_keys=list(_COLUMNS))
    if not compiled.positional:
        return str(compiled), None
    return str(compiled), [_COLUMNS.index(name) for name in compiled.positiontup or ()]


def _processor(conn: Connection, key: str) -> Any:
    dialect = conn.dialect
    return _TABLE.c[key].type.dialect_impl(dialect).bind_processor(dialect)


def bulk_add_entries(
    session: Session,
    tracker: Any,
    rows: Sequence[dict[str, Any]],
    recorded_by_id: int | None = None,
    *,
    today: date | None = None,
    encoded: Sequence[Encoded] | None = None,
    file_name: str = "",
    sha256: str = "",
) -> int:
    """Insert already-validated rows (``encoded``: their stored text, from ``FastRows``) in one
    statement per CHUNK rows, write one audit-trail entry for them all, and bring the tracker's
    derived measures up to date. The caller's transaction makes it all or nothing."""
    require(session, Permission.RECORD)
    _writable(tracker)
    if not rows:
        return 0
    dating_key = date_column(tracker)["key"]
    if encoded is None:
        encoded = [encode(tracker.columns, dating_key, values) for values in rows]
    session.flush()  # anything pending goes first, through the ORM and its trail
    conn = session.connection()
    sql, order = _insert_statement(conn)
    dialect = conn.dialect
    # The JSON text is made by json.dumps, as the JSON type makes it, unless the engine was set
    # up with its own serialiser: then the type's own processor makes it from the values.
    own_json = dialect.name != "sqlite" or getattr(dialect, "_json_serializer", None) is not None
    as_json = _processor(conn, "values") if own_json else None
    as_date = _processor(conn, "entry_date") or (lambda d: d)
    as_time = _processor(conn, "created_at") or (lambda t: t)
    now = as_time(utcnow())
    tracker_id = tracker.id
    dates = {date.fromisoformat(day): day for day in {e[0] for e in encoded}}
    days = {day: as_date(when) for when, day in dates.items()}
    params: list[Any]
    if as_json is None:
        params = [(tracker_id, days[d], j, recorded_by_id, s, now, now, 1) for d, j, s in encoded]
    else:
        params = [
            (tracker_id, days[d], as_json(values), recorded_by_id, s, now, now, 1)
            for (d, _, s), values in zip(encoded, rows, strict=True)
        ]
    # In date order (the file's order within a day): the table and its (tracker, date, id) index
    # then grow at one end, which SQLite writes far faster than rows scattered over five years.
    # The ids follow that order; lists sort by date and then id, so they show the same order.
    params.sort(key=itemgetter(1))
    if order is not None and order != _IN_ORDER:
        params = [tuple(p[i] for i in order) for p in params]
    elif order is None:
        params = [dict(zip(_COLUMNS, p, strict=True)) for p in params]
    for start in range(0, len(params), CHUNK):
        conn.exec_driver_sql(sql, params[start : start + CHUNK])
    written = len(params)
    # Our INSERT holds the write lock, so the new ids are the newest and follow on one another.
    last_id = int(conn.execute(select(func.max(_TABLE.c.id))).scalar_one())
    first_id = last_id - written + 1
    summary = {
        "rows": written,
        "first_id": first_id,
        "last_id": last_id,
        "tracker_id": tracker_id,
        "tracker": tracker.name,
        "file": file_name,
        "sha256": sha256,
    }
    change = _Change("TrackerEntry", first_id, INSERT, BULK_INSERT_FIELD, None, json.dumps(summary))
    write_entries(conn, who(session), [change])
    derived_measures.tracker_changed(session, tracker_id, set(dates), today, full=True)
    return written
