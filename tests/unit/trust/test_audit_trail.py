"""The audit trail: every change of every record, who made it, and tampering found."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapper, Session

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    AuditLog,
    Base,
    LogEntry,
    Person,
    Service,
    User,
)
from cqc_desktop.models.enums import Role
from cqc_desktop.services.errors import NotAllowed
from cqc_desktop.services.plans import actions, plans
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import audit_history, users
from cqc_desktop.services.trust.audit_trail import BULK_INSERT_FIELD
from cqc_desktop.services.trust.audit_verify import verify_chain
from cqc_desktop.services.trust.permissions import Actor

TODAY = date(2026, 11, 26)
MANAGER = Actor(user_id=None, username="zoe", role=Role.MANAGER)
ADMIN = Actor(user_id=None, username="admin", role=Role.ADMINISTRATOR)
_counter = itertools.count(1)

# --- a record of any model, with whatever parents it needs -------------------------------------


def _value(column: Any) -> Any:
    n = next(_counter)
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return n
    if isinstance(kind, Float):
        return n + 0.5
    if isinstance(kind, DateTime):
        return datetime(2026, 11, 1, 9, n % 60)
    if isinstance(kind, Date):
        return date(2026, 11, 1 + n % 28)
    if isinstance(kind, JSON):
        return {"n": n}
    length = getattr(kind, "length", None) or 40
    return f"v{n}"[:length]


def _mapper_for_table(table: Any) -> Mapper[Any]:
    return next(m for m in Base.registry.mappers if m.local_table is table)


def make_record(session: Session, mapper: Mapper[Any]) -> Any:
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.foreign_keys and not column.nullable:
            parent_mapper = _mapper_for_table(next(iter(column.foreign_keys)).column.table)
            parent = make_record(session, parent_mapper)
            values[prop.key] = parent.id
            continue
        auto_id = (
            column.primary_key and isinstance(column.type, Integer) and len(mapper.primary_key) == 1
        )
        needed = not column.nullable and column.default is None and not auto_id
        if needed or (column.primary_key and not auto_id):
            values[prop.key] = _value(column)
    record = mapper.class_(**values)
    session.add(record)
    session.flush()
    return record


AUDITED = sorted(
    (
        m
        for m in Base.registry.mappers
        if m.local_table.name not in ("audit_log", "audit_chain_head")
    ),
    key=lambda m: m.class_.__name__,
)


def _entries(session: Session, record_type: str) -> list[AuditLog]:
    return list(
        session.scalars(
            select(AuditLog).where(AuditLog.record_type == record_type).order_by(AuditLog.id)
        )
    )


def _editable(mapper: Mapper[Any]) -> str:
    """A plain text, number or date column to change (the key itself for a links-only table)."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.primary_key or column.foreign_keys or prop.key in ("created_at", "updated_at"):
            continue
        plain = isinstance(column.type, (Integer, Float, Date)) or hasattr(column.type, "length")
        if plain and not column.unique:
            return prop.key
    return ""


@pytest.fixture(scope="module")
def shared_db(make_shared_location: Callable[..., DataLocation]) -> Iterator[Database]:
    """One database for the per-model test (each model's rows are its own; a fresh file per
    model would spend most of the time creating the schema)."""
    database = Database(make_shared_location("models"))
    yield database
    database.dispose()


@pytest.mark.parametrize("mapper", AUDITED, ids=lambda m: m.class_.__name__)
def test_every_insert_update_and_delete_of_every_model_is_recorded(
    shared_db: Database, mapper: Mapper[Any]
) -> None:
    db = shared_db
    name = mapper.class_.__name__
    with db.unit_of_work(ADMIN) as s:
        record = make_record(s, mapper)
        key = _editable(mapper)
        before = getattr(record, key) if key else None
    with db.reading() as s:
        created = [e for e in _entries(s, name) if e.operation == "insert"]
        assert created, f"creating a {name} left no trace"
        assert all(e.username == "admin" and e.old_value is None for e in created)
        fields = {e.field.split(": ")[-1]: e.new_value for e in created}
        assert not key or key in fields or before in (None, "", False)

    identity = tuple(mapper.primary_key_from_instance(record))
    if not key:  # a link table (finding ↔ quality statement): rows are added and removed only
        with db.unit_of_work(ADMIN) as s:
            s.delete(s.get(mapper.class_, identity))
        with db.reading() as s:
            removed = [e for e in _entries(s, name) if e.operation == "delete"]
            assert {e.old_value for e in removed} >= {str(v) for v in identity}
        return
    with db.unit_of_work(ADMIN) as s:
        record = s.get(mapper.class_, identity)
        column = mapper.column_attrs[key].columns[0]
        new = _value(column)
        setattr(record, key, new)
    with db.reading() as s:
        changed = [e for e in _entries(s, name) if e.operation == "update"]
        assert [(e.field.split(": ")[-1], e.new_value) for e in changed] == [
            (key, audit_trail_text(new))
        ]
        assert changed[0].old_value == audit_trail_text(before)

    with db.unit_of_work(ADMIN) as s:
        s.delete(s.get(mapper.class_, identity))
    with db.reading() as s:
        removed = {e.field.split(": ")[-1]: e for e in _entries(s, name) if e.operation == "delete"}
        assert removed[key].old_value == audit_trail_text(new)
        assert all(e.new_value is None for e in removed.values())
        assert verify_chain(s).ok


def audit_trail_text(value: Any) -> str | None:
    from cqc_desktop.services.trust.audit_trail import value_text

    return value_text(value)


# --- who, and the same transaction -------------------------------------------------------------------


def _home(db: Database) -> tuple[int, int, int]:
    with db.unit_of_work() as s:
        home = people.create_service(s, "Willow Court")
        zoe = people.create_person(s, "Zoë Hart", "Registered manager", service_id=home.id)
        plan = plans.create_plan(s, plans.PlanInput(home.id, "Audit", "Internal audit"))
        finding = plans.create_finding(
            s, plan.id, plans.FindingInput("Late medicines", "Safe", "Medicines", 4, 4)
        )
    return home.id, zoe.id, finding.id


def test_changes_name_the_signed_in_user_or_system(db: Database) -> None:
    _home(db)
    with db.reading() as s:
        assert {e.username for e in _entries(s, "Service")} == {"system"}
    with db.unit_of_work(MANAGER) as s:
        person = s.scalar(select(Person))
        assert person is not None
        person.role = "Deputy manager"
    with db.reading() as s:
        [entry] = [e for e in _entries(s, "Person") if e.operation == "update"]
        assert (entry.username, entry.field) == ("zoe", "role")
        assert (entry.old_value, entry.new_value) == ("Registered manager", "Deputy manager")


def test_a_change_that_rolls_back_leaves_no_audit_entry(db: Database) -> None:
    _home(db)
    with db.reading() as s:
        count = len(list(s.scalars(select(AuditLog.id))))
    with pytest.raises(RuntimeError), db.unit_of_work(MANAGER) as s:
        service = s.scalar(select(Service))
        assert service is not None
        service.name = "Renamed"
        s.flush()
        raise RuntimeError("the user's save failed later on")
    with db.reading() as s:
        assert len(list(s.scalars(select(AuditLog.id)))) == count
        assert verify_chain(s).ok


def test_removed_steps_and_not_yet_loaded_values_are_recorded(db: Database) -> None:
    _, zoe, finding = _home(db)
    data = actions.ActionInput(
        "Protected medicines round",
        zoe,
        TODAY,
        steps=[actions.StepInput("Review MAR"), actions.StepInput("Observe two rounds")],
    )
    with db.unit_of_work(MANAGER) as s:
        action = actions.create_action(s, finding, data, today=TODAY)
    with db.unit_of_work(MANAGER) as s:
        fresh = s.get(Action, action.id)
        assert fresh is not None
        s.expire(fresh)  # nothing loaded: the trail must still learn the old title
        fresh.title = "Protected medicines lead"
        data.steps = data.steps[:1]
        data.title = "Protected medicines lead"
        actions.update_action(s, action.id, data)
    with db.reading() as s:
        entries = audit_history.history(s, "Action", action.id)
        titles = [(e.old, e.new) for e in entries if e.field == "title" and e.operation == "update"]
        assert titles == [("Protected medicines round", "Protected medicines lead")]
        deleted = [e for e in entries if e.record_type == "ActionStep" and e.operation == "delete"]
        assert {"Observe two rounds"} == {e.old for e in deleted if e.field == "description"}


def test_bulk_statements_are_recorded(db: Database) -> None:
    home, _, _ = _home(db)
    with db.unit_of_work(MANAGER) as s:
        s.execute(
            insert(LogEntry),
            [
                {"service_id": home, "kind": "Rota note", "entry_date": TODAY, "text": f"note {i}"}
                for i in range(50)
            ],
        )
    with db.unit_of_work(MANAGER) as s:
        s.execute(update(LogEntry).where(LogEntry.text == "note 3").values(text="note three"))
        s.execute(delete(LogEntry).where(LogEntry.text == "note 4"))
    with db.reading() as s:
        entries = _entries(s, "LogEntry")
        [bulk] = [e for e in entries if e.field == BULK_INSERT_FIELD]
        assert '"rows": 50' in (bulk.new_value or "")
        assert [(e.old_value, e.new_value) for e in entries if e.operation == "update"] == [
            ("note 3", "note three")
        ]
        assert "note 4" in {e.old_value for e in entries if e.operation == "delete"}
        third = s.scalar(select(LogEntry.id).where(LogEntry.text == "note three"))
        assert third is not None
        history = audit_history.history(s, "LogEntry", third)
        assert [e.what for e in history] == ["Changed", "Imported"]
        assert verify_chain(s).ok


def test_password_hashes_never_reach_the_trail(db: Database) -> None:
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "Office", "correct horse 1", "correct horse 1")
    with db.unit_of_work() as s:
        user = s.scalar(select(User))
        assert user is not None
        users.reset_password(s, user.id, "battery staple 2", "battery staple 2")
        stored = user.password_hash
    with db.reading() as s:
        texts = {e.old_value for e in _entries(s, "User")} | {
            e.new_value for e in _entries(s, "User")
        }
        assert stored not in texts
        assert not any(t and t.startswith("scrypt$") for t in texts)
        assert "(changed)" in texts


# --- read-only users cannot change anything, even past a service -----------------------------------


def test_a_viewer_cannot_save_any_change_even_through_the_orm(db: Database) -> None:
    _home(db)
    viewer = Actor(user_id=None, username="inspector", role=Role.VIEWER)
    with pytest.raises(NotAllowed, match="read-only"), db.unit_of_work(viewer) as s:
        service = s.scalar(select(Service))
        assert service is not None
        service.name = "Changed by a viewer"
    with db.reading() as s:
        assert s.scalar(select(Service.name)) == "Willow Court"


def test_only_an_administrator_changes_other_users(db: Database) -> None:
    with db.unit_of_work() as s:
        users.create_first_administrator(s, "admin", "Office", "correct horse 1", "correct horse 1")
    with pytest.raises(NotAllowed, match="manage users"), db.unit_of_work(MANAGER) as s:
        user = s.scalar(select(User))
        assert user is not None
        user.role = Role.VIEWER.value


# --- tampering ---------------------------------------------------------------------------------------


def _tamper(db: Database, sql: str, *params: Any) -> None:
    """Change the stored rows behind the app's back (raw SQL: no ORM, so no audit entry)."""
    numbers = iter(range(len(params)))
    statement = re.sub(r"\?", lambda _: f":p{next(numbers)}", sql)
    with db.engine.begin() as conn:
        conn.execute(text(statement), {f"p{n}": v for n, v in enumerate(params)})


@pytest.fixture
def trail(db: Database) -> Database:
    _, zoe, finding = _home(db)
    with db.unit_of_work(MANAGER) as s:
        actions.create_action(
            s, finding, actions.ActionInput("Display rating", zoe, TODAY), today=TODAY
        )
    with db.reading() as s:
        assert verify_chain(s).ok
    return db


def test_an_edited_entry_is_found(trail: Database) -> None:
    _tamper(trail, "UPDATE audit_log SET new_value = 'Somebody else' WHERE id = 5")
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_id == 5
    assert "entry 5" in report.problem and "altered" in report.problem


def test_a_deleted_entry_is_found(trail: Database) -> None:
    _tamper(trail, "DELETE FROM audit_log WHERE id = 7")
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_id == 7
    assert "entry 7 is missing" in report.problem


def test_removing_the_newest_entries_is_found(trail: Database) -> None:
    with trail.reading() as s:
        last = s.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()))
    _tamper(trail, "DELETE FROM audit_log WHERE id > ?", (last or 0) - 3)
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok and "newest entries" in report.problem


def test_a_forged_entry_with_a_recomputed_hash_still_breaks_the_chain(trail: Database) -> None:
    from cqc_desktop.services.trust.audit_trail import entry_hash

    with trail.reading() as s:
        row = s.get(AuditLog, 3)
        assert row is not None
        forged = entry_hash(
            row.prev_hash,
            3,
            row.at,
            "someone",
            row.record_type,
            row.record_id,
            row.operation,
            row.field,
            row.old_value,
            row.new_value,
        )
    _tamper(trail, "UPDATE audit_log SET username='someone', hash=? WHERE id=3", forged)
    with trail.reading() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_id == 4
    assert "does not follow" in report.problem


# --- the administrators' view ---------------------------------------------------------------------------


def test_search_pages_newest_first_and_is_for_administrators(trail: Database) -> None:
    with trail.reading() as s:
        s.info["user"] = ADMIN
        first = audit_history.search(s, audit_history.TrailFilter(), limit=10)
        second = audit_history.search(
            s, audit_history.TrailFilter(), after=first.last_key, limit=10
        )
        ids = [e.id for e in first.rows + second.rows]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 20
        found = audit_history.search(s, audit_history.TrailFilter(text="Display rating"))
        assert {e.record_type for e in found.rows} == {"Action"}
        mine = audit_history.search(s, audit_history.TrailFilter(username="zoe"))
        assert mine.rows and {e.username for e in mine.rows} == {"zoe"}
    with trail.reading() as s:
        s.info["user"] = MANAGER
        with pytest.raises(NotAllowed):
            audit_history.search(s, audit_history.TrailFilter())


def test_history_reads_like_a_manager_would_say_it(trail: Database) -> None:
    with trail.reading() as s:
        action = s.scalar(select(Action))
        assert action is not None
        entries = audit_history.history(s, "Action", action.id)
        names = audit_history.person_names(s, entries)
        by_field = {e.field: e for e in entries}
        lead = by_field["accountable_lead_id"]
        assert audit_history.field_label(lead.field) == "Accountable lead"
        assert audit_history.display_value(lead, lead.new, names) == "Zoë Hart"
        due = by_field["due_date"]
        assert audit_history.display_value(due, due.new, names) == "26/11/2026"
        assert lead.what == "Created" and lead.record == f"Action {action.id}"
        title = by_field["title"]
        assert audit_history.display_value(title, title.new, names) == "Display rating"
        assert not any(e.record_type == "ActionStep" for e in entries)  # no steps were made
