"""The audit trail: every insert, update and delete of every record, written in the same transaction.

How it works. Mapper events collect one change per field while the ORM flushes (they see orphaned
steps and cascaded deletes too, which ``session.new``/``dirty``/``deleted`` do not). ``after_flush``
then appends the changes to ``audit_log`` through the flush's own connection, so they commit or
roll back with the change itself. Each entry's hash covers its content and the previous entry's
hash (a hash chain) and ids are consecutive, so editing, deleting or inserting a log row is found
by :func:`verify_chain`. A one-row chain head is locked and updated by every writer: it serialises
writers on a server database and catches removal of the newest entries.

ORM bulk UPDATE/DELETE statements are recorded field by field as well; an ORM bulk INSERT (a
spreadsheet import of many thousands of rows) is recorded as one summary entry naming the ids it
added, which keeps imports fast. Raw SQL text bypasses the trail, so the app never uses it for data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    Table,
    bindparam,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import (
    InstanceState,
    LoaderCallableStatus,
    Mapper,
    Session,
    UOWTransaction,
)
from sqlalchemy.orm.attributes import set_committed_value

from ...models import AuditChainHead, AuditLog, utcnow
from .permissions import check_changes_allowed, who

GENESIS = "0" * 64
INSERT, UPDATE, DELETE = "insert", "update", "delete"
BULK_INSERT_FIELD = "(bulk insert)"
AUDIT_OFF = "audit_off"
"""``session.info[AUDIT_OFF] = True`` skips the trail. Only for the benchmark's data generator,
which writes hundreds of thousands of made-up rows; never for anything a user does."""

_BUFFER = "_audit_buffer"
_OLD = "_audit_old_values"
_SKIP_FIELDS = frozenset({"created_at", "updated_at"})  # the entry's own time says when
_SECRET_FIELDS = frozenset({("app_user", "password_hash")})
_EXCLUDED_TABLES = frozenset({"audit_log", "audit_chain_head"})
_LOG = cast(Table, AuditLog.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
NO_VALUE = LoaderCallableStatus.NO_VALUE


@dataclass(frozen=True, slots=True)
class _Change:
    record_type: str
    record_id: int | None
    operation: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class _Spec:
    """What to record for one mapped class, worked out once."""

    record_type: str
    fields: tuple[tuple[str, bool], ...]  # (attribute key, secret?)
    id_key: str | None  # the integer key used as record_id
    text_keys: tuple[str, ...]  # a text primary key (settings) names the record in the field


_specs: dict[Mapper[Any], _Spec | None] = {}


def _spec(mapper: Mapper[Any]) -> _Spec | None:
    try:
        return _specs[mapper]
    except KeyError:
        pass
    table = getattr(mapper.local_table, "name", "")
    spec: _Spec | None = None
    if table not in _EXCLUDED_TABLES and not getattr(mapper.class_, "__audit_exclude__", False):
        pk_keys = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
        int_pk = [
            k
            for k, c in zip(pk_keys, mapper.primary_key, strict=True)
            if isinstance(c.type, Integer)
        ]
        id_key = int_pk[0] if int_pk else None
        text_keys = tuple(pk_keys) if id_key is None else ()
        fields = tuple(
            (prop.key, (table, prop.columns[0].name) in _SECRET_FIELDS)
            for prop in mapper.column_attrs
            if prop.key not in _SKIP_FIELDS
            and not (prop.key == id_key == "id")
            # The record's version counter goes up at every save: the entry itself says so.
            and prop.columns[0] is not mapper.version_id_col
        )
        spec = _Spec(mapper.class_.__name__, fields, id_key, text_keys)
    _specs[mapper] = spec
    return spec


def value_text(value: Any) -> str | None:
    """How a field value is written to the trail: stable text, never an exception."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: datetime,
    username: str,
    record_type: str,
    record_id: int | None,
    operation: str,
    field: str,
    old: str | None,
    new: str | None,
) -> str:
    content = json.dumps(
        [entry_id, at.isoformat(), username, record_type, record_id, operation, field, old, new],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


# --- collecting changes during a flush ---------------------------------------------------------


def _record_of(
    spec: _Spec, state: InstanceState[Any], values: dict[str, Any]
) -> tuple[int | None, str]:
    """(record_id, field prefix) for a row."""
    if spec.id_key is not None:
        raw = values.get(spec.id_key)
        return (raw if isinstance(raw, int) else None), ""
    name = "/".join(str(values.get(k, "")) for k in spec.text_keys)
    return None, f"{name}: "


def _collect(mapper: Mapper[Any], target: object, operation: str) -> None:
    state: InstanceState[Any] = inspect(target)
    session = state.session
    if session is None or session.info.get(AUDIT_OFF):
        return
    spec = _spec(mapper)
    if spec is None:
        return
    buffer: list[_Change] = session.info.setdefault(_BUFFER, [])
    stash: dict[tuple[int, str], Any] = session.info.get(_OLD, {})
    values = state.dict
    record_id, prefix = _record_of(spec, state, values)
    before = len(buffer)
    for key, secret in spec.fields:
        if operation == UPDATE:
            history = state.attrs[key].history
            if not history.added and not history.deleted:
                continue
            new = value_text(history.added[0]) if history.added else None
            if history.deleted:
                old = value_text(history.deleted[0])
            else:
                old = value_text(stash.get((id(state), key)))
            if old == new:
                continue
            if secret:
                old, new = ("(hidden)" if old else None), "(changed)"
        else:
            raw = values.get(key, stash.get((id(state), key)))
            text = value_text(raw)
            if text is None or text == "":
                continue
            if secret:
                text = "(hidden)"
            old, new = (None, text) if operation == INSERT else (text, None)
        buffer.append(_Change(spec.record_type, record_id, operation, prefix + key, old, new))
    if len(buffer) == before and operation != UPDATE:
        # A record with nothing but empty fields still leaves a trace that it existed.
        buffer.append(
            _Change(spec.record_type, record_id, operation, prefix.rstrip(": "), None, None)
        )


def _after_insert(mapper: Mapper[Any], _conn: Connection, target: object) -> None:
    _collect(mapper, target, INSERT)


def _after_update(mapper: Mapper[Any], _conn: Connection, target: object) -> None:
    _collect(mapper, target, UPDATE)


def _after_delete(mapper: Mapper[Any], _conn: Connection, target: object) -> None:
    _collect(mapper, target, DELETE)


def _load_missing(
    session: Session, obj: object, keys: Sequence[str], stash: dict[tuple[int, str], Any]
) -> None:
    """Read the stored values of attributes that were never loaded (so the trail knows "old")."""
    state: InstanceState[Any] = inspect(obj)
    mapper = state.mapper
    if state.identity is None or not keys:
        return
    columns = [mapper.column_attrs[k].columns[0] for k in keys]
    where = [c == v for c, v in zip(mapper.primary_key, state.identity, strict=True)]
    row = session.connection().execute(select(*columns).where(*where)).first()
    if row is not None:
        for key, value in zip(keys, row, strict=True):
            stash[(id(state), key)] = value


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    session.info[_BUFFER] = []
    stash: dict[tuple[int, str], Any] = {}
    session.info[_OLD] = stash
    changed = [*session.new, *session.deleted]
    changed += [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    check_changes_allowed(session, changed)
    if session.info.get(AUDIT_OFF):
        return
    for obj in session.dirty:
        state: InstanceState[Any] = inspect(obj)
        spec = _spec(state.mapper)
        if spec is None:
            continue
        wanted = {k for k, _ in spec.fields}
        unknown = [k for k, v in state.committed_state.items() if v is NO_VALUE and k in wanted]
        _load_missing(session, obj, unknown, stash)
    for obj in session.deleted:
        state = inspect(obj)
        spec = _spec(state.mapper)
        if spec is not None:
            _load_missing(session, obj, [k for k, _ in spec.fields if k in state.unloaded], stash)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    changes: list[_Change] = session.info.pop(_BUFFER, None) or []
    session.info.pop(_OLD, None)
    if changes:
        write_entries(session.connection(), who(session), changes)
    for obj in session.new:
        _known_nulls(obj)


def _known_nulls(obj: object) -> None:
    """A column left out of an INSERT is NULL in the database; say so on the object.

    Otherwise SQLAlchemy treats it as "not loaded", and the trail would need a query to learn
    the old value the first time it is set (closing an action sets ``closed_on``, say).
    """
    state: InstanceState[Any] = inspect(obj)
    if state.key is None:
        return
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if prop.key not in state.dict and column.server_default is None and column.nullable:
            set_committed_value(obj, prop.key, None)


def _discard(session: Session, *_args: object) -> None:
    session.info.pop(_BUFFER, None)
    session.info.pop(_OLD, None)


# --- writing the chain ---------------------------------------------------------------------------


# Built once: a save runs these on every flush.
_READ_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)
_ADD_ENTRIES = insert(_LOG)


def _lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain head for this transaction and return (last id, last hash).

    The head row is made with the database (migration 0003) and never again: if it has gone,
    someone removed it, and making a new one would hide that. New entries then follow the last
    entry in the log, and ``check`` keeps saying the head is missing until a backup is restored.
    """
    row = conn.execute(_READ_HEAD).first()
    if row is not None:
        return int(row[0]), str(row[1])
    last = conn.execute(select(_LOG.c.id, _LOG.c.hash).order_by(_LOG.c.id.desc()).limit(1)).first()
    return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)


def write_entries(conn: Connection, username: str, changes: Iterable[_Change]) -> int:
    """Append entries to the chain through ``conn`` (inside the caller's transaction)."""
    last_id, prev = _lock_head(conn)
    at = utcnow()
    username = username[:80]
    rows = []
    for c in changes:
        last_id += 1
        field = c.field[:80]
        digest = entry_hash(
            prev,
            last_id,
            at,
            username,
            c.record_type,
            c.record_id,
            c.operation,
            field,
            c.old,
            c.new,
        )
        rows.append(
            {
                "id": last_id,
                "at": at,
                "username": username,
                "record_type": c.record_type,
                "record_id": c.record_id,
                "operation": c.operation,
                "field": field,
                "old_value": c.old,
                "new_value": c.new,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    if rows:
        conn.execute(_ADD_ENTRIES, rows)
        conn.execute(_MOVE_HEAD, {"new_id": last_id, "new_hash": prev})
    return len(rows)


def install() -> None:
    """Hook the trail into every ORM session and mapper. Idempotent; ``db.py`` calls it."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Mapper, "after_insert", _after_insert)
    event.listen(Mapper, "after_update", _after_update)
    event.listen(Mapper, "after_delete", _after_delete)
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_rollback", _discard)
    from .audit_bulk import on_orm_execute

    event.listen(Session, "do_orm_execute", on_orm_execute)
