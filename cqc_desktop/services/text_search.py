"""The search boxes over long lists: "contains this text", answered from a trigram index when the
database has one (``models.search_index``), otherwise by ``LIKE`` as before.

Both give the same rows: the index is asked for the text as one phrase, which for the trigram
tokenizer means "contains this substring", case-insensitively. The index cannot answer for fewer
than three characters, so "17" or "ab" still scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Engine, column, literal_column, select, table, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..models.search_index import SearchIndex
from .listing import like_any

MIN_INDEXED = 3  # a trigram index finds nothing shorter
_present: WeakKeyDictionary[Engine, frozenset[str]] = WeakKeyDictionary()


def _indexes_in(session: Session) -> frozenset[str]:
    """The search indexes this database has (read once per engine: they come with the schema)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    found = _present.get(engine)
    if found is None:
        if engine.dialect.name != "sqlite":
            found = frozenset()
        else:
            names = session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%fts5%'")
            ).scalars()
            found = frozenset(names)
        _present[engine] = found
    return found


def phrase(words: str) -> str:
    """The search text as one FTS5 phrase: quoted, its own quotes doubled."""
    return '"' + words.replace('"', '""') + '"'


def contains(
    session: Session,
    index: SearchIndex,
    row_id: InstrumentedAttribute[int] | ColumnElement[int],
    columns: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    words: str,
) -> ColumnElement[bool]:
    """A WHERE condition: the row's ``columns`` (those ``index`` covers) contain ``words``."""
    words = words.strip()
    if len(words) < MIN_INDEXED or index.name not in _indexes_in(session):
        return like_any(columns, words)
    fts = table(index.name, column("rowid"))
    matching = select(fts.c.rowid).where(literal_column(index.name).op("MATCH")(phrase(words)))
    return row_id.in_(matching)
