"""homes and staff: a care home's registered manager, beds and service type; a person's start and
leaving dates; the further homes a person works in

Written by hand (0001 is generated from the models). Existing rows keep their meaning: a home
gets empty details, a person no dates, and nobody works in a second home until someone says so.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registered_manager", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("beds", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("service_type", sa.String(length=100), nullable=False, server_default="")
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("leaving_date", sa.Date(), nullable=True))
    op.create_table(
        "person_home",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_home_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_person_home_service_id_service")
        ),
        sa.PrimaryKeyConstraint("person_id", "service_id", name=op.f("pk_person_home")),
    )
    with op.batch_alter_table("person_home", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_home_service_id"), ["service_id"], unique=False)


def downgrade() -> None:
    op.drop_table("person_home")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("leaving_date")
        batch_op.drop_column("start_date")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("service_type")
        batch_op.drop_column("beds")
        batch_op.drop_column("registered_manager")
