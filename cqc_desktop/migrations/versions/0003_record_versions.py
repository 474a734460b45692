"""record versions: a ``version`` column on every record several PCs may edit (audit templates keep
their own: editing one makes a new row)

Each save adds one to it, and a save made from an older version is refused (optimistic locking:
``models.base.VersionMixin``), so one PC never silently overwrites another's change. Existing rows
start at version 1.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
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


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
