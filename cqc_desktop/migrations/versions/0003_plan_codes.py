"""plan codes: every plan gets a short code and its references carry it ("MED-A1")

Two plans each had an "A1" and an "F1"; on paper and on screen they could not be told apart. Each
existing plan gets a code suggested from its title (unique in the database), and its findings' and
actions' references are prefixed with it. The changes are written to the audit trail, under the
name "upgrade", so the trail still says what every row holds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE_USER = "upgrade"


def upgrade() -> None:
    from cqc_desktop.services.plans.codes import suggest_code, with_code
    from cqc_desktop.services.trust.audit_trail import UPDATE, _Change, write_entries

    op.add_column(
        "plan", sa.Column("code", sa.String(length=10), nullable=False, server_default="")
    )
    op.create_index("ix_plan_code", "plan", ["code"])
    bind = op.get_bind()
    plan = sa.table("plan", sa.column("id"), sa.column("title"), sa.column("code"))
    finding = sa.table("finding", sa.column("id"), sa.column("plan_id"), sa.column("reference"))
    action = sa.table("action", sa.column("id"), sa.column("finding_id"), sa.column("reference"))
    changes: list[_Change] = []
    taken: set[str] = set()
    for plan_id, title in bind.execute(sa.select(plan.c.id, plan.c.title).order_by(plan.c.id)):
        code = suggest_code(title or "", taken)
        taken.add(code)
        bind.execute(sa.update(plan).where(plan.c.id == plan_id).values(code=code))
        changes.append(_Change("Plan", plan_id, UPDATE, "code", "", code))
        rows = bind.execute(
            sa.select(finding.c.id, finding.c.reference).where(finding.c.plan_id == plan_id)
        ).all()
        for finding_id, ref in rows:
            new = with_code(code, ref or "")
            if new != ref:
                bind.execute(
                    sa.update(finding).where(finding.c.id == finding_id).values(reference=new)
                )
                changes.append(_Change("Finding", finding_id, UPDATE, "reference", ref, new))
        finding_ids = [r[0] for r in rows]
        if not finding_ids:
            continue
        for action_id, ref in bind.execute(
            sa.select(action.c.id, action.c.reference)
            .where(action.c.finding_id.in_(finding_ids))
            .order_by(action.c.id)
        ):
            new = with_code(code, ref or "")
            if new != ref:
                bind.execute(
                    sa.update(action).where(action.c.id == action_id).values(reference=new)
                )
                changes.append(_Change("Action", action_id, UPDATE, "reference", ref, new))
    if changes:
        write_entries(bind, UPGRADE_USER, changes)


def downgrade() -> None:
    op.drop_index("ix_plan_code", "plan")
    op.drop_column("plan", "code")  # SQLite 3.35+ drops a column in place
