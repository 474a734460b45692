"""Two PCs saving the same record: the second save, made from what it read before the first was
saved, is refused with a ConflictError naming who changed it and when, and the first save stays
(no lost update). Runs on SQLite and, with CQC_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import select

from cqc_desktop.config import DataLocation
from cqc_desktop.db import Database
from cqc_desktop.models import (
    Action,
    Alert,
    Base,
    Meeting,
    MeetingItem,
    Person,
    Service,
    TrackerEntry,
    User,
)
from cqc_desktop.models.enums import ActionStatus, MinutesStatus, Role
from cqc_desktop.models.governance import AuditSchedule
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.errors import ConflictError, ServiceError
from cqc_desktop.services.governance.meetings import approve_minutes
from cqc_desktop.services.plans import actions
from cqc_desktop.services.plans.actions import ActionInput, StepInput
from cqc_desktop.services.records.trackers import update_tracker_entry
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


# --- the saves a manager makes from a form opened earlier --------------------------------------
def _typed(form: ActionInput, description: str) -> ActionInput:
    return replace(form, description=description)


def _action_form(action: Action, description: str) -> ActionInput:
    """What the action dialog sends: every field as the form holds it."""
    return ActionInput(
        title=action.title,
        accountable_lead_id=action.accountable_lead_id,
        due_date=action.due_date,
        review_frequency=action.review_frequency,
        description=description,
        reference=action.reference,
        steps=[
            StepInput(s.description, s.owner_id, s.recorded_in, s.due_date, s.done_on)
            for s in action.steps
        ],
    )


def _open_action(demo: Database) -> tuple[int, int, ActionInput]:
    """The action dialog opening: the action's id, its version, and the form's contents."""
    with demo.reading() as s:
        action = s.scalars(
            select(Action).where(Action.status != ActionStatus.CLOSED).order_by(Action.id)
        ).first()
        assert action is not None
        return action.id, action.version, _action_form(action, action.description)


def test_stale_action_form_save_is_refused_and_nothing_lost(demo: Database) -> None:
    action_id, seen, opened = _open_action(demo)  # Sam opens the action dialog
    with demo.unit_of_work(ROSA) as s:  # Rosa saves the same action on her PC
        actions.update_action(s, action_id, _typed(opened, "Rosa: two nurses"))
    with (
        pytest.raises(ConflictError, match="rosa changed this action"),
        demo.unit_of_work(SAM) as s,
    ):
        actions.update_action(s, action_id, _typed(opened, "Sam: one nurse"), seen_version=seen)
    with demo.reading() as s:
        assert actions.get_action(s, action_id).description == "Rosa: two nurses"
    # "Reload and re-apply mine": the form now holds the current version, and Sam's text.
    _, current, reloaded = _open_action(demo)
    with demo.unit_of_work(SAM) as s:
        saved = actions.update_action(
            s, action_id, _typed(reloaded, "Sam: one nurse"), seen_version=current
        )
        assert saved.version == current + 1
    with demo.reading() as s:
        assert actions.get_action(s, action_id).description == "Sam: one nurse"


def test_closing_or_reviewing_a_stale_action_is_refused(demo: Database) -> None:
    action_id, seen, opened = _open_action(demo)
    with demo.unit_of_work(ROSA) as s:
        actions.update_action(s, action_id, _typed(opened, "Rosa re-planned it"))
    with demo.reading() as s:
        reviewer_id = s.scalars(select(Person.id).order_by(Person.id)).first()
    with pytest.raises(ConflictError), demo.unit_of_work(SAM) as s:
        actions.record_review(
            s,
            action_id,
            review_date=TODAY,
            reviewer_id=reviewer_id,
            progress="Checked the MAR charts",
            rag="Green",
            decision="Continue",
            today=TODAY,
            seen_version=seen,
        )
    with pytest.raises(ConflictError), demo.unit_of_work(SAM) as s:
        reviewer = s.get(Person, reviewer_id)
        assert reviewer is not None
        actions.close_action(
            s,
            actions.get_action(s, action_id),
            signed_off_by=reviewer,
            rationale="Sustained",
            today=TODAY,
            seen_version=seen,
        )
    with demo.reading() as s:
        action = actions.get_action(s, action_id)
        assert action.status != ActionStatus.CLOSED
        assert action.description == "Rosa re-planned it"
        assert not [r for r in action.reviews if r.progress == "Checked the MAR charts"]


def test_tracker_cell_edits_on_two_pcs_keep_both_no_lost_update(demo: Database) -> None:
    with demo.reading() as s:
        entry = s.scalars(select(TrackerEntry).order_by(TrackerEntry.id)).first()
        assert entry is not None
        tracker = entry.tracker
        text_keys = [c["key"] for c in tracker.columns if c["type"] == "text"]
        assert len(text_keys) >= 2, tracker.columns
        first, second = text_keys[:2]
        entry_id, seen, values = entry.id, entry.version, dict(entry.values)
    # Both PCs opened the grid at the same version; each changes a different cell.
    with demo.unit_of_work(ROSA) as s:
        update_tracker_entry(
            s, entry_id, {first: "Rosa's cell"}, seen_version=seen,
            seen_values={first: values.get(first)}, today=TODAY,
        )  # fmt: skip
    with demo.unit_of_work(SAM) as s:
        update_tracker_entry(
            s, entry_id, {second: "Sam's cell"}, seen_version=seen,
            seen_values={second: values.get(second)}, today=TODAY,
        )  # fmt: skip
    with demo.reading() as s:
        saved = s.get(TrackerEntry, entry_id)
        assert saved is not None
        assert (saved.values[first], saved.values[second]) == ("Rosa's cell", "Sam's cell")
        assert saved.version == seen + 2
    # The same cell changed on both: the second is refused, the first stays.
    with pytest.raises(ConflictError, match="tracker row"), demo.unit_of_work(SAM) as s:
        update_tracker_entry(
            s, entry_id, {first: "Sam's version"}, seen_version=seen,
            seen_values={first: values.get(first)}, today=TODAY,
        )  # fmt: skip
    with demo.reading() as s:
        saved = s.get(TrackerEntry, entry_id)
        assert saved is not None and saved.values[first] == "Rosa's cell"


def test_approving_stale_minutes_is_refused(demo: Database) -> None:
    with demo.reading() as s:
        meeting = s.scalars(
            select(Meeting).where(Meeting.status != MinutesStatus.APPROVED).order_by(Meeting.id)
        ).first()
        assert meeting is not None and meeting.items
        meeting_id, seen = meeting.id, meeting.version
        seen_items = {i.id: i.version for i in meeting.items}
        item_id = meeting.items[0].id
        chair = meeting.chair_id
    with demo.unit_of_work(ROSA) as s:
        item = s.get(MeetingItem, item_id)
        assert item is not None
        item.discussion = "Rosa added the pharmacist's view"
    with pytest.raises(ConflictError, match="agenda item"), demo.unit_of_work(SAM) as s:
        approve_minutes(
            s, meeting_id, chair, TODAY, seen_version=seen, seen_item_versions=seen_items
        )
    with demo.reading() as s:
        again = s.get(Meeting, meeting_id)
        assert again is not None and again.status != MinutesStatus.APPROVED


def test_the_conflict_gives_the_users_display_name(demo: Database) -> None:
    from cqc_desktop.models import Observation

    deputy = Actor(user_id=None, username="nadia", role=Role.ADMINISTRATOR)
    with demo.unit_of_work(ROSA) as s:
        s.add(User(username="nadia", display_name="Nadia Khan", role=Role.MANAGER.value))
    with demo.reading() as s:
        observation_id = s.scalars(select(Observation.id).order_by(Observation.id)).first()
    with pytest.raises(ConflictError) as raised, demo.unit_of_work(SAM) as sams_pc:
        sams_copy = sams_pc.get(Observation, observation_id)
        with demo.unit_of_work(deputy) as deputys_pc:
            deputys_pc.get(Observation, observation_id).feedback_given = "Praised (deputy)"
        sams_copy.feedback_given = "Praised (sam)"
    assert raised.value.who == "Nadia Khan"
    assert str(raised.value).startswith("Nadia Khan changed this observation at ")
