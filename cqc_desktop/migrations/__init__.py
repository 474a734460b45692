"""Alembic migrations shipped inside the package.

Start-up compares the stored revision with ``HEAD_REVISION`` instead of loading Alembic's
environment, so opening an up-to-date database costs one small query. A test keeps these constants
in step with the scripts in ``versions/``.
"""

HEAD_REVISION = "0003"
KNOWN_REVISIONS = ("0001", "0002", "0003")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Schema comparisons (autogenerate, the schema test) skip the full-text search indexes that
    migration 0002 makes: they are virtual tables, not models."""
    from ..models.search_index import is_search_index_table

    return not (type_ == "table" and name is not None and is_search_index_table(name))
