"""search indexes: trigram full-text indexes for the audit trail, incidents and observations (SQLite only)

Written by hand: 0001 is generated from the models, and Alembic's autogenerate makes neither a
virtual table nor an index on an expression. On a server database, or an SQLite built without
FTS5's trigram tokenizer, no full-text index is made and the searches keep using LIKE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import OperationalError

from cqc_desktop.models.search_index import SEARCH_INDEXES, create_statements, drop_statements

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


def upgrade() -> None:
    # The observations list sorted by staff observed (models.records.Observation).
    op.create_index("ix_observation_staff", "observation", [sa.text("lower(staff_observed)")])
    if not _trigram_available():
        return
    for index in SEARCH_INDEXES:
        for statement in create_statements(index):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_observation_staff", "observation")
    if op.get_bind().dialect.name != "sqlite":
        return
    for index in SEARCH_INDEXES:
        for statement in drop_statements(index):
            op.execute(statement)
