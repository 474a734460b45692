"""search indexes: trigram full-text indexes for the audit trail, incidents and observations

Written by hand: 0001 is generated from the models, and Alembic's autogenerate makes neither a
virtual table nor an index on an expression. SQLite gets FTS5 trigram tables; PostgreSQL gets
pg_trgm GIN indexes on the same columns. Where neither can be made (an SQLite built without FTS5's
trigram tokenizer, a server where the extension may not be installed) the searches keep using LIKE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError, OperationalError

from cqc_desktop.models.search_index import (
    SEARCH_INDEXES,
    create_statements,
    drop_statements,
    postgres_create_statements,
    postgres_drop_statements,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _trigram_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    try:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')"
        )
    except OperationalError:
        return False
    bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def _pg_trgm_available() -> bool:
    """pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may install it."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return False
    return True


def upgrade() -> None:
    # The observations list sorted by staff observed (models.records.Observation).
    op.create_index("ix_observation_staff", "observation", [sa.text("lower(staff_observed)")])
    if _pg_trgm_available():
        for index in SEARCH_INDEXES:
            for statement in postgres_create_statements(index):
                op.execute(statement)
        return
    if not _trigram_available():
        return
    for index in SEARCH_INDEXES:
        for statement in create_statements(index):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_observation_staff", "observation")
    if op.get_bind().dialect.name == "postgresql":
        for index in SEARCH_INDEXES:
            for statement in postgres_drop_statements(index):
                op.execute(statement)
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for index in SEARCH_INDEXES:
        for statement in drop_statements(index):
            op.execute(statement)
