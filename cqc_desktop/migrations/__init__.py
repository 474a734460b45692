"""Alembic migrations shipped inside the package.

Start-up compares the stored revision with ``HEAD_REVISION`` instead of loading Alembic's
environment, so opening an up-to-date database costs one small query. A test keeps these constants
in step with the scripts in ``versions/``.
"""

HEAD_REVISION = "0008"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Schema comparisons (autogenerate, the schema test) skip the full-text search indexes that
    migration 0002 makes: virtual tables on SQLite, pg_trgm indexes on PostgreSQL, not models."""
    from ..models.search_index import is_search_index_table, is_trigram_index

    if name is None:
        return True
    if type_ == "table":
        return not is_search_index_table(name)
    return not (type_ == "index" and is_trigram_index(name))
