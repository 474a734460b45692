"""Text indexes for the search boxes over the lists that outgrow a scan: the audit trail (200,000+
entries), observations and incidents.

Each is an SQLite FTS5 table with the trigram tokenizer over the columns the search box reads,
holding no copy of the text ("external content": the text stays in the record's own table). A
trigram index answers "contains this text" for any text of three characters or more, so a search
finds exactly the rows the old ``LIKE '%text%'`` scan found, case-insensitively, in a few
milliseconds instead of reading every row. Triggers keep each index in step with its table, so
every writer (the services, bulk inserts, the audit trail's chain) needs no code of its own.

The tables are made by migration 0002; they are not SQLAlchemy models (a virtual table has no
place in ``Base.metadata``). On PostgreSQL the same migration makes ``pg_trgm`` GIN indexes, one per
searched column, named ``<index>_<column>``: PostgreSQL answers the ``ILIKE '%text%'`` search itself
from them, so the search is the same query on both and finds the same rows. For one- or two-letter
searches, or where neither is available, the searches scan with ``LIKE``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchIndex:
    name: str  # the FTS5 table
    table: str  # the record table it indexes (its integer primary key is "id")
    columns: tuple[str, ...]


AUDIT_SEARCH = SearchIndex(
    "audit_log_search",
    "audit_log",
    ("username", "record_type", "field", "old_value", "new_value"),
)
INCIDENT_SEARCH = SearchIndex(
    "incident_search",
    "incident",
    ("reference", "person_ref", "location", "description", "learning_point", "reported_by"),
)
OBSERVATION_SEARCH = SearchIndex(
    "observation_search",
    "observation",
    ("staff_observed", "what_was_seen", "feedback_given", "follow_up", "care_plan_ref"),
)
SEARCH_INDEXES = (AUDIT_SEARCH, INCIDENT_SEARCH, OBSERVATION_SEARCH)

# FTS5 keeps each index in shadow tables named after it (audit_log_search_data, ..._idx, ...).
_SHADOW_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config", "_content")


def is_search_index_table(name: str) -> bool:
    """True for an index's table or one of its shadow tables: schema comparisons skip them."""
    return any(name == i.name + suffix for i in SEARCH_INDEXES for suffix in _SHADOW_SUFFIXES)


def create_statements(index: SearchIndex) -> list[str]:
    """The index, the triggers that keep it in step, and filling it from the rows already there."""
    cols = ", ".join(index.columns)
    new = ", ".join(f"new.{c}" for c in index.columns)
    old = ", ".join(f"old.{c}" for c in index.columns)
    name, table = index.name, index.table
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {name}({name}) VALUES ('rebuild')",
    ]


def drop_statements(index: SearchIndex) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {index.name}_{w}" for w in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {index.name}",
    ]


def postgres_index_name(index: SearchIndex, column: str) -> str:
    return f"{index.name}_{column}"


def is_trigram_index(name: str) -> bool:
    """True for one of the pg_trgm indexes: schema comparisons skip them."""
    return any(name == postgres_index_name(i, c) for i in SEARCH_INDEXES for c in i.columns)


def postgres_create_statements(index: SearchIndex) -> list[str]:
    """One trigram GIN index per searched column (``pg_trgm`` must be installed first)."""
    return [
        f"CREATE INDEX IF NOT EXISTS {postgres_index_name(index, c)} ON {index.table} "
        f"USING gin ({c} gin_trgm_ops)"
        for c in index.columns
    ]


def postgres_drop_statements(index: SearchIndex) -> list[str]:
    return [f"DROP INDEX IF EXISTS {postgres_index_name(index, c)}" for c in index.columns]
