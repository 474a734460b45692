"""Every field of an audit-trail entry is sealed by its hash, and the chain head is compared by its
hash as well as its count: changing any one of them in the file makes the check fail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from cqc_desktop.db import Database
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust.audit_verify import verify_chain

TODAY = date(2026, 11, 26)


def _tamper(db: Database, sql: str) -> None:
    """Change one stored row behind the app's back (raw SQL: no ORM, so no audit entry)."""
    with db.engine.begin() as conn:
        assert conn.execute(text(sql)).rowcount == 1


def _other_first_digit(column: str) -> str:
    """The hash with its first character changed (whatever that character is)."""
    return f"CASE WHEN substr({column}, 1, 1) = '0' THEN '1' ELSE '0' END || substr({column}, 2)"


@pytest.fixture
def trail(db: Database) -> Database:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
        actions.create_action(
            s, finding.id, actions.ActionInput("Protected round", zoe.id, TODAY), today=TODAY
        )
    with db.reading() as s:
        report = verify_chain(s)
    assert report.ok and report.entries > 5
    return db


FIELD_ROWS = [
    # (column of audit_log, a changed value) — each is part of the sealed content of an entry
    pytest.param("at", "'2020-01-01 09:00:00.000000'", id="when it happened"),
    pytest.param("username", "'someone else'", id="who did it"),
    pytest.param("record_type", "'Person'", id="which kind of record"),
    pytest.param("record_id", "record_id + 1", id="which record"),
    pytest.param("operation", "'delete'", id="what was done"),
    pytest.param("field", "'title'", id="which field"),
    pytest.param("old_value", "'was something else'", id="the old value"),
    pytest.param("new_value", "'now something else'", id="the new value"),
    pytest.param("prev_hash", _other_first_digit("prev_hash"), id="the link to the entry before"),
    pytest.param("hash", _other_first_digit("hash"), id="its own hash"),
]


@pytest.mark.parametrize(("column", "value"), FIELD_ROWS)
def test_changing_any_field_of_an_entry_breaks_the_chain_at_that_entry(
    trail: Database, column: str, value: str
) -> None:
    _tamper(trail, f"UPDATE audit_log SET {column} = {value} WHERE id = 3")
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok
    assert report.first_broken_id == 3


def test_a_head_with_the_right_count_but_another_hash_is_found(trail: Database) -> None:
    _tamper(trail, f"UPDATE audit_chain_head SET last_hash = {_other_first_digit('last_hash')}")
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok
    assert "head" in report.problem


def test_a_head_with_the_right_hash_but_another_count_is_found(trail: Database) -> None:
    _tamper(trail, "UPDATE audit_chain_head SET last_id = last_id - 1")
    with trail.reading() as s:
        assert not verify_chain(s).ok
