"""insider trust: sign-in throttling, the administrator's recovery code, withdrawn records

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_sign_in_throttle")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    op.create_table(
        "withdrawal",
        sa.Column("record_type", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=80), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawal")),
    )
    op.create_index("ix_withdrawal_record", "withdrawal", ["record_type", "record_id"])
    # The audit trail's head row now exists from the database's creation on, and the app never
    # makes one at run time: a missing head always means someone removed it.
    # (The counts are scalar subqueries: an aggregate over audit_log would give a row even when
    # the WHERE finds a head already there.)
    op.execute(
        "INSERT INTO audit_chain_head (id, last_id, last_hash) "
        "SELECT 1, (SELECT COALESCE(MAX(id), 0) FROM audit_log), COALESCE("
        "(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '" + "0" * 64 + "') "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_chain_head WHERE id = 1)"
    )


def downgrade() -> None:
    op.drop_index("ix_withdrawal_record", table_name="withdrawal")
    op.drop_table("withdrawal")
    op.drop_table("recovery_code")
    op.drop_table("sign_in_throttle")
