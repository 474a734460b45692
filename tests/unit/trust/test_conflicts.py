"""Two PCs saving the same record: the second save, made from what it read before the first was
saved, is refused with a ConflictError naming who changed it and when, and the first save stays
(no lost update). Runs on SQLite and, with CQC_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import select

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.models import Alert, Base, Service, User
from cqc_desktop.models.enums import Role
from cqc_desktop.models.governance import AuditSchedule
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.errors import ConflictError, ServiceError
from cqc_desktop.services.trust.permissions import Actor

TODAY = date(2026, 11, 26)
ROSA = Actor(user_id=None, username="rosa", role=Role.ADMINISTRATOR)
SAM = Actor(user_id=None, username="sam", role=Role.ADMINISTRATOR)

# For each kind of editable record, a text field a manager changes on it.
FIELD = {
    "action": "description",
    "action_step": "description",
    "alert": "acknowledgement_note",
    "app_user": "display_name",
    "audit_run": "notes",
    "audit_schedule": "frequency",
    "evidence": "description",
    "finding": "description",
    "handover_record": "learning_points",
    "incident": "description",
    "log_entry": "text",
    "measure": "name",
    "meeting": "apologies",
    "meeting_item": "discussion",
    "observation": "what_was_seen",
    "person": "role",
    "plan": "summary",
    "review": "notes",
    "service": "address",
    "tracker": "description",
    "tracker_entry": "search_text",
}
KINDS = {
    m.local_table.name: m.class_ for m in Base.registry.mappers if m.version_id_col is not None
}


@pytest.fixture(scope="module")
def demo(make_shared_location: Callable[..., DataLocation]) -> Iterator[Database]:
    location = make_shared_location("conflicts")
    database = Database(location)
    with database.unit_of_work(ROSA) as s:
        seed_demo(s, TODAY, location.attachments_dir)
        home = s.scalars(select(Service)).first()
        assert home is not None
        # The kinds the demo does not make.
        s.add(User(username="deputy", display_name="Deputy", role=Role.MANAGER.value))
        s.add(AuditSchedule(service_id=home.id, template_key="falls", frequency="monthly"))
        s.add(
            Alert(
                service_id=home.id,
                kind="measure",
                source_key="conflict-test",
                message="Falls rose three weeks running",
                raised_on=TODAY,
            )
        )
    yield database
    database.dispose()


def test_every_kind_of_editable_record_is_covered() -> None:
    assert set(FIELD) == set(KINDS)


@pytest.mark.parametrize("table", sorted(FIELD))
def test_stale_save_of_each_kind_of_record_is_refused_and_nothing_lost(
    demo: Database, table: str
) -> None:
    cls, field = KINDS[table], FIELD[table]
    with demo.reading() as s:
        record_id = s.scalars(select(cls.id).order_by(cls.id)).first()
        assert record_id is not None, f"no {table} to edit"
    seen = 0
    with pytest.raises(ConflictError) as raised, demo.unit_of_work(SAM) as sams_pc:
        sams_copy = sams_pc.get(cls, record_id)  # Sam's PC reads the record ...
        seen = sams_copy.version
        with demo.unit_of_work(ROSA) as rosas_pc:  # ... Rosa's PC saves it ...
            setattr(rosas_pc.get(cls, record_id), field, "Rosa's change")
        setattr(sams_copy, field, "Sam's change")  # ... then Sam saves his
    with demo.reading() as s:
        saved = s.get(cls, record_id)
        assert getattr(saved, field) == "Rosa's change"  # Rosa's save was not lost
        assert saved.version == seen + 1
    assert isinstance(raised.value, ServiceError)


def test_the_conflict_names_who_changed_it_and_when(demo: Database) -> None:
    from cqc_desktop.models import Incident

    with demo.reading() as s:
        incident_id = s.scalars(select(Incident.id).order_by(Incident.id)).first()
    with pytest.raises(ConflictError) as raised, demo.unit_of_work(SAM) as sams_pc:
        sams_copy = sams_pc.get(Incident, incident_id)
        with demo.unit_of_work(ROSA) as rosas_pc:
            rosas_pc.get(Incident, incident_id).location = "Garden room (rosa)"
        sams_copy.location = "Garden room (sam)"
    error = raised.value
    assert error.who == "rosa" and error.record_type == "Incident"
    assert error.record_id == incident_id
    assert isinstance(error.when, datetime)
    message = str(error)
    assert message.startswith("rosa changed this incident at ")
    assert "Nothing has been saved" in message and "Traceback" not in message
    with demo.reading() as s:
        assert s.get(Incident, incident_id).location == "Garden room (rosa)"
