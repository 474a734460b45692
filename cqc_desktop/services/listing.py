"""Keyset paging for long lists: sort and filter in SQL, fetch a page at a time.

An OFFSET query gets slower the further down the list you scroll; a keyset query ("rows after this
sort value and id") uses the index and costs the same on page 1 and page 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

PAGE_SIZE = 300


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    last_key: tuple[Any, int] | None  # (sort value, id) of the last row, for the next page
    more: bool


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    sort: ColumnElement[Any],
    row_id: ColumnElement[int] | InstrumentedAttribute[int],
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Run ``stmt`` ordered by (sort, id), starting after ``after``; one page of rows.

    The statement must select ``sort`` and ``row_id`` as its last two columns so the next key can be
    read back without knowing the row's shape. ``sort`` must never be NULL (wrap a nullable column
    in ``coalesce``): SQLite and PostgreSQL put NULLs at opposite ends, which would break paging.
    """
    if after is not None:
        value, last_id = after
        if descending:
            stmt = stmt.where(or_(sort < value, and_(sort == value, row_id < last_id)))
        else:
            stmt = stmt.where(or_(sort > value, and_(sort == value, row_id > last_id)))
    order = (sort.desc(), row_id.desc()) if descending else (sort.asc(), row_id.asc())
    rows = list(session.execute(stmt.order_by(*order).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    key = (last[-2], int(last[-1])) if last is not None else None
    return Page(rows=rows, last_key=key, more=more)


def like_any(
    columns: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]], text: str
) -> ColumnElement[bool]:
    """Case-insensitive "contains" over several columns, for the free-text search boxes."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(col.ilike(pattern, escape="\\") for col in columns))
