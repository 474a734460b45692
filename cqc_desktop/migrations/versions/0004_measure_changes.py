"""measure changes: the dates from which a measure's chart limits are worked out again

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_change",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_measure_change_measure_id_measure")
        ),
        sa.ForeignKeyConstraint(
            ["step_id"], ["action_step.id"], name=op.f("fk_measure_change_step_id_action_step")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_measure_change_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_change")),
    )
    with op.batch_alter_table("measure_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_change_measure_id"), ["measure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_change_measure_id"))
    op.drop_table("measure_change")
