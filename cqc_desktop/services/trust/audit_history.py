"""Reading the audit trail: one record's history, and the administrators' searchable view.

Values are stored as text (ISO dates, "true"/"false", ids); this module turns them back into what
a manager reads: dd/mm/yyyy dates, Yes/No, and people's names instead of person ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import AuditLog, Base, Person
from ...models.search_index import AUDIT_SEARCH
from ..listing import PAGE_SIZE, Page, keyset_page
from ..text_search import contains
from .audit_trail import BULK_INSERT_FIELD, DELETE, INSERT, UPDATE
from .permissions import Permission, require

_T = cast(Table, AuditLog.__table__)
OPERATION_LABELS = {INSERT: "Created", UPDATE: "Changed", DELETE: "Deleted"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_FIELD_WORDS = {"rag": "RAG", "sha256": "SHA-256", "riddor_required": "RIDDOR required"}
# Records whose history includes their parts (a step is part of its action).
_EXTRA_CHILDREN = {
    "Meeting": [("MeetingItem", "meeting_id"), ("MeetingAddendum", "meeting_id")],
    "Evidence": [("Attachment", "evidence_id")],
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime  # UTC, as stored
    username: str
    record_type: str
    record_id: int | None
    operation: str
    field: str
    old: str | None
    new: str | None

    @property
    def local_time(self) -> datetime:
        return self.at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)

    @property
    def when(self) -> str:
        # dd/mm/yyyy hh:mm, converting to local time once (a page shows 300 of these).
        return f"{self.local_time:%d/%m/%Y %H:%M}"

    @property
    def what(self) -> str:
        if self.field == BULK_INSERT_FIELD:
            return "Imported"
        return OPERATION_LABELS.get(self.operation, self.operation)

    @property
    def record(self) -> str:
        label = record_label(self.record_type)
        return f"{label} {self.record_id}" if self.record_id is not None else label


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        at=row.at,
        username=row.username,
        record_type=row.record_type,
        record_id=row.record_id,
        operation=row.operation,
        field=row.field,
        old=row.old_value,
        new=row.new_value,
    )


_COLUMNS = (
    AuditLog.id,
    AuditLog.at,
    AuditLog.username,
    AuditLog.record_type,
    AuditLog.record_id,
    AuditLog.operation,
    AuditLog.field,
    AuditLog.old_value,
    AuditLog.new_value,
)


# --- labels -------------------------------------------------------------------------------------


@lru_cache(maxsize=512)  # a few dozen kinds of record, asked about for every row shown
def record_label(record_type: str) -> str:
    """ "ActionStep" → "Action step"."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", record_type)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else record_type


@lru_cache(maxsize=4096)
def field_label(field: str) -> str:
    """ "accountable_lead_id" → "Accountable lead"; a setting's "security.x: value" stays."""
    if ":" in field or "." in field:
        return field
    if field in _FIELD_WORDS:
        return _FIELD_WORDS[field]
    name = field.removesuffix("_id").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else ""


def _person_fields() -> dict[str, set[str]]:
    """Per record type, the fields holding a person's id (shown as the person's name)."""
    result: dict[str, set[str]] = {}
    for mapper in Base.registry.mappers:
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if any(fk.column.table.name == "person" for fk in column.foreign_keys):
                result.setdefault(mapper.class_.__name__, set()).add(prop.key)
    return result


_PERSON_FIELDS: dict[str, set[str]] | None = None


def display_value(entry: Entry, text: str | None, names: dict[int, str]) -> str:
    if text is None:
        return ""
    global _PERSON_FIELDS
    if _PERSON_FIELDS is None:
        _PERSON_FIELDS = _person_fields()
    if entry.field in _PERSON_FIELDS.get(entry.record_type, set()) and text.isdigit():
        return names.get(int(text), f"person {text}")
    if entry.field == BULK_INSERT_FIELD:
        try:
            info = json.loads(text)
            span = f" (ids {info['first_id']}–{info['last_id']})" if "first_id" in info else ""
            return f"{info['rows']:,} rows{span}"
        except (ValueError, KeyError, TypeError):
            return text
    if text in ("true", "false"):
        return "Yes" if text == "true" else "No"
    if _ISO_DATE.fullmatch(text):
        try:
            return uk_date(date.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATETIME.fullmatch(text):
        try:
            return datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return text
    return text


def person_names(session: Session, entries: list[Entry]) -> dict[int, str]:
    """Names for every person id mentioned in these entries, in one query."""
    global _PERSON_FIELDS
    if _PERSON_FIELDS is None:
        _PERSON_FIELDS = _person_fields()
    ids: set[int] = set()
    for e in entries:
        if e.field in _PERSON_FIELDS.get(e.record_type, set()):
            ids |= {int(v) for v in (e.old, e.new) if v is not None and v.isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {pid: name for pid, name in rows}


# --- one record's history -------------------------------------------------------------------------


def _children(record_type: str) -> list[tuple[str, str]]:
    """(child record type, its key to the parent): parts whose changes belong to this history."""
    found = list(_EXTRA_CHILDREN.get(record_type, []))
    for mapper in Base.registry.mappers:
        if mapper.class_.__name__ != record_type:
            continue
        for rel in mapper.relationships:
            if rel.cascade.delete_orphan and len(rel.remote_side) == 1:
                column = next(iter(rel.remote_side))
                child = rel.mapper
                key = child.get_property_by_column(column).key
                found.append((child.class_.__name__, key))
    return found


def history(
    session: Session, record_type: str, record_id: int, *, limit: int = 2000
) -> list[Entry]:
    """Every change to a record and its parts (an action's steps, a finding's statements), newest
    first. Deleted parts are found too: their entries still name the parent."""
    conditions: list[ColumnElement[bool]] = [
        and_(AuditLog.record_type == record_type, AuditLog.record_id == record_id)
    ]
    for child_type, key in _children(record_type):
        value = str(record_id)
        child_ids = (
            select(AuditLog.record_id)
            .where(
                AuditLog.record_type == child_type,
                AuditLog.field == key,
                or_(AuditLog.new_value == value, AuditLog.old_value == value),
            )
            .distinct()
        )
        conditions.append(
            and_(AuditLog.record_type == child_type, AuditLog.record_id.in_(child_ids))
        )
    stmt = select(*_COLUMNS).where(or_(*conditions)).order_by(AuditLog.id.desc()).limit(limit)
    entries = [_entry(r) for r in session.execute(stmt)]
    entries += _bulk_imports(session, record_type, record_id)
    return sorted(entries, key=lambda e: e.id, reverse=True)


def _bulk_imports(session: Session, record_type: str, record_id: int) -> list[Entry]:
    stmt = select(*_COLUMNS).where(
        AuditLog.record_type == record_type,
        AuditLog.field == BULK_INSERT_FIELD,
        AuditLog.record_id <= record_id,
    )
    found = []
    for row in session.execute(stmt):
        try:
            last = int(json.loads(row.new_value or "{}").get("last_id") or -1)
        except (ValueError, TypeError):
            continue
        if record_id <= last:
            found.append(_entry(row))
    return found


# --- the administrators' view ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilter:
    text: str = ""
    username: str = ""
    record_type: str = ""
    record_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def search(
    session: Session,
    filters: TrailFilter,
    *,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of the trail, newest first, filtered in SQL. Administrators only."""
    require(session, Permission.MANAGE)
    stmt = select(*_COLUMNS[1:], AuditLog.id.label("sort_id"), AuditLog.id)
    if filters.text.strip():
        # From the trail's text index where there is one (models.search_index): a scan of
        # 200,000 entries took half a second.
        stmt = stmt.where(
            contains(
                session,
                AUDIT_SEARCH,
                _T.c.id,
                [_T.c.username, _T.c.record_type, _T.c.field, _T.c.old_value, _T.c.new_value],
                filters.text,
            )
        )
    if filters.username:
        stmt = stmt.where(AuditLog.username == filters.username)
    if filters.record_type:
        stmt = stmt.where(AuditLog.record_type == filters.record_type)
    if filters.record_id is not None:
        stmt = stmt.where(AuditLog.record_id == filters.record_id)
    if filters.date_from is not None:
        stmt = stmt.where(AuditLog.at >= _utc_start(filters.date_from))
    if filters.date_to is not None:
        stmt = stmt.where(AuditLog.at < _utc_start(filters.date_to, next_day=True))
    page = keyset_page(
        session,
        stmt,
        sort=_T.c.id,
        row_id=_T.c.id,
        descending=True,
        after=after,
        limit=limit,
    )
    return Page([_entry(r) for r in page.rows], page.last_key, page.more)


def _utc_start(day: date, *, next_day: bool = False) -> datetime:
    """Midnight at the start of ``day`` (or the day after) on this PC's clock, in UTC."""
    local = datetime(day.year, day.month, day.day)
    if next_day:
        local = local.fromordinal(local.toordinal() + 1)
    return local.astimezone().astimezone(UTC).replace(tzinfo=None)


def usernames(session: Session) -> list[str]:
    return list(session.scalars(select(AuditLog.username).distinct().order_by(AuditLog.username)))


def record_types(session: Session) -> list[str]:
    """Every kind of record there is (not only those already in the trail): cheap and stable."""
    del session
    return sorted(
        m.class_.__name__
        for m in Base.registry.mappers
        if getattr(m.local_table, "name", "") not in ("audit_log", "audit_chain_head")
    )


def trail_size(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditLog.id))) or 0)
