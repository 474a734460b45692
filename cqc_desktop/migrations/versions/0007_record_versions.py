"""record versions: a ``version`` column on every record several PCs may edit (audit templates keep
their own: editing one makes a new row)

Each save adds one to it, and a save made from an older version is refused (optimistic locking:
``models.base.VersionMixin``), so one PC never silently overwrites another's change. Existing rows
start at version 1. On PostgreSQL, text columns also lose their length limit, as on SQLite.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "action",
    "action_step",
    "alert",
    "app_user",
    "audit_run",
    "audit_schedule",
    "evidence",
    "finding",
    "handover_record",
    "incident",
    "log_entry",
    "measure",
    "meeting",
    "meeting_item",
    "observation",
    "person",
    "plan",
    "review",
    "service",
    "tracker",
    "tracker_entry",
)


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        _lift_length_limits()


def _lift_length_limits() -> None:
    """Text columns on PostgreSQL take any length, as on SQLite (models.base): a database made
    before this revision had VARCHAR(n). Dropping the limit rewrites nothing."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'character varying' "
        "AND character_maximum_length IS NOT NULL AND table_name <> 'alembic_version'"
    )
    for table, column in list(rows):
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR')


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
