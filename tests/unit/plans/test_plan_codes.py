"""Plan codes: references unique in the database ("MED-A1"), chosen when a plan is created."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.orm import Session

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.migrations.runner import alembic_config
from cqc_desktop.services.errors import NotAllowed, ValidationError
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.plans.codes import evidence_ref, statement_label, suggest_code
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust.audit_verify import verify_chain
from tests.conftest import TODAY


def test_code_suggested_from_the_title() -> None:
    assert suggest_code("Late medicines administration") == "MED"
    assert suggest_code("Care plan reviews after inconsistent support") == "CP"
    assert suggest_code("CQC inspection March 2026") == "CQC"
    assert suggest_code("Mock inspection") == "MI"
    assert suggest_code("Audit") == "AUD"
    assert suggest_code("Mock inspection", taken={"MI", "MI2"}) == "MI3"
    assert evidence_ref(12) == "EV-12"
    assert statement_label("S8", "Medicines optimisation") == "S8 Medicines optimisation"


def _plan(session: Session, home_id: int, title: str, code: str = "") -> plans.Plan:
    return plans.create_plan(session, plans.PlanInput(home_id, title, "Internal audit", code=code))


def _finding(session: Session, plan_id: int) -> plans.Finding:
    return plans.create_finding(
        session,
        plan_id,
        plans.FindingInput(
            title="Late evening medicines",
            key_question="Safe",
            risk_area="Medicines",
            likelihood=3,
            impact=3,
        ),
    )


def test_two_plans_never_share_a_reference(session: Session) -> None:
    home = people.create_service(session, "Willow Court")
    lead = people.create_person(session, "Zoë Hart", "Registered manager", service_id=home.id)
    first = _plan(session, home.id, "Medicines audit")
    second = _plan(session, home.id, "Medicines audit")
    assert (first.code, second.code) == ("MED", "MED2")
    refs = []
    for plan in (first, second):
        finding = _finding(session, plan.id)
        action = actions.create_action(
            session,
            finding.id,
            actions.ActionInput(
                title="Protect medicines time",
                accountable_lead_id=lead.id,
                due_date=TODAY + timedelta(days=30),
            ),
            today=TODAY,
        )
        refs += [finding.reference, action.reference]
    assert refs == ["MED-F1", "MED-A1", "MED2-F1", "MED2-A1"]


def test_code_is_checked_and_fixed_once_used(session: Session) -> None:
    home = people.create_service(session, "Willow Court")
    plan = _plan(session, home.id, "Care plans", code="cp")
    assert plan.code == "CP"
    with pytest.raises(ValidationError, match="already has the code CP"):
        _plan(session, home.id, "Other", code="CP")
    with pytest.raises(ValidationError, match="capital letters or digits"):
        _plan(session, home.id, "Other", code="C-P")
    changed = plans.update_plan(
        session, plan.id, plans.PlanInput(home.id, "Care plans", "Internal audit", code="CPR")
    )
    assert changed.code == "CPR"
    assert _finding(session, plan.id).reference == "CPR-F1"
    with pytest.raises(NotAllowed, match="can no longer be changed"):
        plans.update_plan(
            session, plan.id, plans.PlanInput(home.id, "Care plans", "Internal audit", code="CX")
        )


def test_migration_gives_existing_plans_codes_and_references(tmp_path: Path) -> None:
    """A database from before plan codes: both plans had "F1" and "A1"; after upgrading, each
    plan has a code, every reference carries it, and the audit trail records the change."""
    path = tmp_path / "old.sqlite3"
    db = Database(resolve(str(path)))
    with db.sessions() as s:
        home = people.create_service(s, "Willow Court")
        lead = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        for title in ("Medicines audit", "Mock inspection"):
            plan = _plan(s, home.id, title)
            finding = _finding(s, plan.id)
            actions.create_action(
                s,
                finding.id,
                actions.ActionInput(
                    title="Protect medicines time",
                    accountable_lead_id=lead.id,
                    due_date=TODAY + timedelta(days=30),
                ),
                today=TODAY,
            )
        s.commit()
    command.downgrade(alembic_config(db.engine), "0002")
    db.dispose()
    with sqlite3.connect(path) as conn:  # as a database from before this change held them
        conn.execute("UPDATE finding SET reference = 'F1'")
        conn.execute("UPDATE action SET reference = 'A1'")
    db = Database(resolve(str(path)))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT code FROM plan ORDER BY id").fetchall() == [("MED",), ("MI",)]
        assert conn.execute("SELECT reference FROM action ORDER BY id").fetchall() == [
            ("MED-A1",),
            ("MI-A1",),
        ]
        trail = conn.execute(
            "SELECT username, new_value FROM audit_log WHERE record_type = 'Action' "
            "AND field = 'reference' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert trail == ("upgrade", "MI-A1")
    with db.sessions() as s:
        assert verify_chain(s).ok
    db.dispose()
