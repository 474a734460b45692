"""Does every row say what its audit trail says? Replays the trail, record by record, and compares
the result with the rows as they are now.

The hash chain proves the trail was not edited; this proves the *data* was not edited behind the
trail's back (an action's title or a user's role changed with a SQLite tool, a row added or
removed directly in the file). It finds, by table, id and field:

- a value that differs from the last value its trail recorded;
- a row with no trail at all;
- a row the trail says exists, gone without a delete entry.

Rows added by a spreadsheet import are recorded as one summary entry naming their ids, so for
them only the existence, and fields changed later, can be compared.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Mapper, Session

from ...models import AuditLog, Base
from .audit_trail import BULK_INSERT_FIELD, DELETE, INSERT, _spec, value_text

MAX_LISTED = 20
_EMPTY = (None, "")


@dataclass
class _Replayed:
    values: dict[str, str | None] = field(default_factory=dict)
    exists: bool = True
    bulk: bool = False  # inserted by an import: fields not recorded one by one


@dataclass
class StateReport:
    """What differs between the rows and their trail; ``problems`` are plain-English lines."""

    records_checked: int
    problems: list[str]
    more: int = 0  # problems found beyond those listed

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return f"Every one of {self.records_checked:,} records matches its audit trail."
        extra = f" (and {self.more:,} more)" if self.more else ""
        return "Records changed outside CQC Desktop: " + "; ".join(self.problems) + extra + "."


def _audited_mappers() -> list[tuple[Mapper[Any], Any]]:
    out = []
    for mapper in Base.registry.mappers:
        spec = _spec(mapper)
        # A link table (two keys) or a setting (a text key) has no one id to replay by.
        if spec is not None and spec.id_key is not None and len(mapper.primary_key) == 1:
            out.append((mapper, spec))
    return out


def _replay(session: Session, types: set[str]) -> dict[str, dict[int, _Replayed]]:
    state: dict[str, dict[int, _Replayed]] = defaultdict(dict)
    stmt = (
        select(
            AuditLog.record_type,
            AuditLog.record_id,
            AuditLog.operation,
            AuditLog.field,
            AuditLog.new_value,
        )
        .where(AuditLog.record_type.in_(types))
        .order_by(AuditLog.id)
    )
    for rtype, rid, op, fld, new in session.execute(stmt.execution_options(yield_per=5000)):
        if fld == BULK_INSERT_FIELD:
            try:
                summary = json.loads(new or "{}")
                first, last = int(summary["first_id"]), int(summary["last_id"])
            except (ValueError, KeyError, TypeError):
                continue
            for bulk_id in range(first, last + 1):
                state[rtype][bulk_id] = _Replayed(bulk=True)
            continue
        if rid is None:
            continue
        records = state[rtype]
        if op == INSERT:
            record = records.get(rid)
            if record is None or not record.exists:
                record = records[rid] = _Replayed()
            record.values[fld] = new
        elif op == DELETE:
            records.setdefault(rid, _Replayed()).exists = False
        else:
            record = records.setdefault(rid, _Replayed())
            record.exists = True
            record.values[fld] = new
    return state


def verify_state(session: Session) -> StateReport:
    """Compare every audited record with its replayed trail."""
    mappers = _audited_mappers()
    replayed = _replay(session, {spec.record_type for _, spec in mappers})
    problems: list[str] = []
    found = 0
    checked = 0

    def add(text: str) -> None:
        nonlocal found
        found += 1
        if len(problems) < MAX_LISTED:
            problems.append(text)

    for mapper, spec in mappers:
        trail = replayed.get(spec.record_type, {})
        columns = {key: mapper.column_attrs[key].columns[0] for key, _ in spec.fields}
        id_column = mapper.column_attrs[spec.id_key].columns[0]
        secret = {key for key, is_secret in spec.fields if is_secret}
        stmt = select(id_column, *columns.values())
        seen: set[int] = set()
        name = spec.record_type
        for row in session.execute(stmt.execution_options(yield_per=5000)):
            checked += 1
            rid = int(row[0])
            seen.add(rid)
            record = trail.get(rid)
            if record is None or not record.exists:
                add(f"{name} {rid} has no audit trail (added directly to the file)")
                continue
            for key, column_value in zip(columns, row[1:], strict=True):
                if key in secret:
                    continue
                now = value_text(column_value)
                if key not in record.values:
                    if record.bulk or now in _EMPTY:
                        continue
                    said: str | None = None
                else:
                    said = record.values[key]
                    if said in _EMPTY and now in _EMPTY:
                        continue
                if not _same(now, said):
                    add(
                        f"{name} {rid}: {key} is {_shown(now)} but its audit trail says "
                        f"{_shown(said)}"
                    )
        for rid, record in trail.items():
            if record.exists and rid not in seen:
                add(f"{name} {rid} has gone without a delete in its audit trail")
    return StateReport(checked, problems, max(0, found - len(problems)))


def _same(now: str | None, said: str | None) -> bool:
    """Equal, allowing for a number typed as 15 and stored in a real column as 15.0."""
    if now == said:
        return True
    try:
        return now is not None and said is not None and float(now) == float(said)
    except ValueError:
        return False


def _shown(value: str | None) -> str:
    if value in _EMPTY:
        return "empty"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"
