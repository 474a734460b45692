"""The audit trail for ORM bulk statements (``session.execute(update(Model)...)`` and friends),
which bypass the flush and so the mapper events ``audit_trail`` listens to.

UPDATE and DELETE are recorded field by field (rows are read before and after, under the chain's
lock); an INSERT of many rows (a spreadsheet import) is one summary entry naming the ids it added.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select, tuple_
from sqlalchemy.orm import ORMExecuteState

from .audit_trail import (
    AUDIT_OFF,
    BULK_INSERT_FIELD,
    DELETE,
    INSERT,
    UPDATE,
    _Change,
    _lock_head,
    _Spec,
    _spec,
    value_text,
    write_entries,
)
from .permissions import who


def on_orm_execute(state: ORMExecuteState) -> Any:
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    session = state.session
    mapper = state.bind_mapper
    if session.info.get(AUDIT_OFF) or mapper is None:
        return None
    spec = _spec(mapper)
    if spec is None:
        return None
    conn = session.connection(bind_arguments={"mapper": mapper})
    _lock_head(conn)  # take the write lock first, so the rows read below cannot change under us
    table = mapper.local_table
    if state.is_insert:
        return _bulk_insert(state, conn, spec, table)
    pk = list(mapper.primary_key)
    params = state.parameters
    where = getattr(state.statement, "whereclause", None)
    if isinstance(params, list) and where is None:
        # "Bulk UPDATE by primary key": the rows are named in the parameter sets.
        keys = [mapper.get_property_by_column(c).key for c in pk]
        before_stmt = select(table).where(
            _pk_in(pk, [tuple(p.get(k) for k in keys) for p in params])
        )
    else:
        before_stmt = select(table)
        if where is not None:
            before_stmt = before_stmt.where(where)
    rows = list(conn.execute(before_stmt).mappings())
    result = state.invoke_statement()
    changes: list[_Change] = []
    columns = {k: mapper.column_attrs[k].columns[0].name for k, _ in spec.fields}
    id_col = mapper.column_attrs[spec.id_key].columns[0].name if spec.id_key else None
    if state.is_delete:
        for row in rows:
            rid = row[id_col] if id_col else None
            for key, secret in spec.fields:
                text = value_text(row[columns[key]])
                if text not in (None, ""):
                    changes.append(
                        _Change(
                            spec.record_type, rid, DELETE, key, "(hidden)" if secret else text, None
                        )
                    )
    elif rows:
        keys_of = [tuple(r[c.name] for c in pk) for r in rows]
        after = {tuple(r[c.name] for c in pk): r for r in _rows_by_pk(conn, table, pk, keys_of)}
        for row in rows:
            new_row = after.get(tuple(row[c.name] for c in pk))
            if new_row is None:
                continue
            rid = row[id_col] if id_col else None
            for key, secret in spec.fields:
                old, new = value_text(row[columns[key]]), value_text(new_row[columns[key]])
                if old != new:
                    if secret:
                        old, new = "(hidden)", "(changed)"
                    changes.append(_Change(spec.record_type, rid, UPDATE, key, old, new))
    if changes:
        write_entries(conn, who(session), changes)
    return result


def _pk_in(pk: list[Any], keys: list[tuple[Any, ...]]) -> Any:
    if len(pk) == 1:
        return pk[0].in_([k[0] for k in keys])
    return tuple_(*pk).in_(keys)


def _rows_by_pk(
    conn: Connection, table: Any, pk: list[Any], keys: list[tuple[Any, ...]]
) -> list[Any]:
    """Rows with these primary keys, a few hundred at a time (SQL has a limit on parameters)."""
    rows: list[Any] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows.extend(conn.execute(select(table).where(_pk_in(pk, chunk))).mappings())
    return rows


def _bulk_insert(state: ORMExecuteState, conn: Connection, spec: _Spec, table: Any) -> Any:
    id_col = table.c.get(spec.id_key) if spec.id_key == "id" else None
    before = conn.execute(select(func.max(id_col))).scalar() if id_col is not None else None
    result = state.invoke_statement()
    params = state.parameters
    count = len(params) if isinstance(params, list) else 1
    summary: dict[str, Any] = {"rows": count}
    first_id = None
    if id_col is not None:
        first_id = (before or 0) + 1
        summary["first_id"] = first_id
        summary["last_id"] = conn.execute(select(func.max(id_col))).scalar()
    change = _Change(
        spec.record_type, first_id, INSERT, BULK_INSERT_FIELD, None, json.dumps(summary)
    )
    write_entries(conn, who(state.session), [change])
    return result
