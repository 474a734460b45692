"""complaints, compliments, feedback and supervision; duty of candour and GP/111 contact on incidents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 02:40:00
"""

import warnings

import sqlalchemy as sa
from alembic import op

from cqc_desktop.models.search_index import INCIDENT_SEARCH, create_statements, drop_statements

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("from_type", sa.String(length=40), nullable=False),
        sa.Column("from_ref", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("investigation", sa.Text(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("finding", sa.String(length=20), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_complaint_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["person.id"], name=op.f("fk_complaint_handled_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_complaint_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("service_id", "reference", name=op.f("uq_complaint_service_id")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_action_id"), ["action_id"], unique=False)
        batch_op.create_index("ix_complaint_kind_received", ["kind", "received_on"], unique=False)
        batch_op.create_index(
            "ix_complaint_service_received", ["service_id", "received_on"], unique=False
        )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notifiable_safety_incident",
                sa.String(length=10),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("candour_told_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("candour_told_who", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("candour_told_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("candour_method", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("candour_apology", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("candour_letter_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("candour_outcome_shared_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("medical_contact", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("medical_contact_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incident_candour_told_by_id_person"),
            "person",
            ["candour_told_by_id"],
            ["id"],
        )
    _rebuild_incident_search()
    op.create_table(
        "feedback",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("from_ref", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("what_was_said", sa.Text(), nullable=False),
        sa.Column("sentiment", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_feedback_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_feedback_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_feedback_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_action_id"), ["action_id"], unique=False)
        batch_op.create_index(
            "ix_feedback_service_received", ["service_id", "received_on"], unique=False
        )
    op.create_table(
        "supervision",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_supervision_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_supervision_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_supervision_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["person.id"], name=op.f("fk_supervision_supervisor_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision")),
    )
    with op.batch_alter_table("supervision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_action_id"), ["action_id"], unique=False)
        batch_op.create_index(
            "ix_supervision_person_kind", ["person_id", "kind", "held_on"], unique=False
        )
        batch_op.create_index(
            "ix_supervision_service_held", ["service_id", "held_on"], unique=False
        )
    # Rebuilding "evidence" reflects the observation table it refers to, whose expression index
    # (0002) SQLAlchemy cannot reflect; it is not touched, so the warning would only be noise.
    with (
        warnings.catch_warnings(),
        op.batch_alter_table("evidence", schema=None) as batch_op,
    ):
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        batch_op.add_column(sa.Column("feedback_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_evidence_feedback_id"), ["feedback_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_feedback_id_feedback"), "feedback", ["feedback_id"], ["id"]
        )
        batch_op.add_column(sa.Column("supervision_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_supervision_id"), ["supervision_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_supervision_id_supervision"),
            "supervision",
            ["supervision_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_feedback_id_feedback"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_evidence_feedback_id"))
        batch_op.drop_column("feedback_id")
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_supervision_id_supervision"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_supervision_id"))
        batch_op.drop_column("supervision_id")
    op.drop_table("supervision")
    op.drop_table("feedback")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_incident_candour_told_by_id_person"), type_="foreignkey"
        )
        for column in (
            "medical_contact_at",
            "medical_contact",
            "candour_outcome_shared_on",
            "candour_letter_on",
            "candour_apology",
            "candour_method",
            "candour_told_by_id",
            "candour_told_who",
            "candour_told_on",
            "notifiable_safety_incident",
        ):
            batch_op.drop_column(column)
    _rebuild_incident_search()
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_service_received")
        batch_op.drop_index("ix_complaint_kind_received")
        batch_op.drop_index(batch_op.f("ix_complaint_action_id"))
    op.drop_table("complaint")


def _rebuild_incident_search() -> None:
    """Rebuilding "incident" in batch mode (SQLite cannot add a foreign key otherwise) drops the
    triggers that keep its full-text index (0002) in step; make the index again, filled from the
    rows as they are."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    found = bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (INCIDENT_SEARCH.name,)
    ).first()
    if found is None:
        return
    for statement in (*drop_statements(INCIDENT_SEARCH), *create_statements(INCIDENT_SEARCH)):
        op.execute(statement)
