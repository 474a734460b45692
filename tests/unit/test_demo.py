"""The demo database: what a manager opening it would notice, seeded into in-memory SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import (
    Action,
    Attachment,
    Base,
    Incident,
    Measure,
    Meeting,
    Person,
    Plan,
    Review,
)
from cqc_desktop.models.enums import IncidentType, MinutesStatus
from cqc_desktop.services.demo.loader import (
    MEDICINES_ACTION,
    DatabaseNotEmpty,
    DemoSummary,
    seed_demo,
)
from cqc_desktop.services.demo.scenarios import (
    CARE_PLAN_ACTION,
    INCIDENT_ACTION,
    SUPERVISION_ACTION,
)
from cqc_desktop.services.plans.closure import closure_gate
from cqc_desktop.services.plans.dashboard import overdue_reviews
from cqc_desktop.services.plans.measure_data import measure_progress

TODAY = date(2026, 11, 26)


def _session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine)


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[Session, DemoSummary]]:
    # Seeding takes a moment, and every test here only reads, so one database serves them all.
    session = _session()
    summary = seed_demo(session, TODAY)
    yield session, summary
    session.close()


@pytest.fixture
def session(seeded: tuple[Session, DemoSummary]) -> Session:
    return seeded[0]


def _action(session: Session, title: str) -> Action:
    return session.scalars(select(Action).where(Action.title == title)).one()


def _measure(session: Session, action: Action) -> Measure:
    return session.scalars(select(Measure).where(Measure.action_id == action.id)).one()


def test_summary_line_counts_what_was_made(seeded: tuple[Session, DemoSummary]) -> None:
    session, summary = seeded
    line = summary.describe()
    assert line.startswith("Demo data created: 1 home, 14 people, 2 plans, ")
    assert summary.people == session.scalar(select(func.count()).select_from(Person))
    assert summary.incidents >= 20 and summary.meetings >= 12 and summary.tracker_entries > 50


def test_medicines_action_is_ready_for_sign_off_but_not_closed(session: Session) -> None:
    action = _action(session, MEDICINES_ACTION)
    gate = closure_gate(session, action, TODAY)
    assert gate.ready_for_sign_off, [c.why for c in gate.unmet]
    assert action.status != "Closed"
    measure = _measure(session, action)
    assert len(measure.points) == 16  # four weeks of MAR review before the plan, then twelve
    assert all(p.value <= measure.baseline_value * 0.2 for p in measure.points[-4:])
    assert measure.points[0].value > measure.points[-1].value


def test_medicines_reviews_weekly_by_manager_and_monthly_by_provider(session: Session) -> None:
    action = _action(session, MEDICINES_ACTION)
    levels = [r.level for r in action.reviews]
    assert levels.count("Manager") >= 10 and levels.count("Provider") >= 3
    assert any(r.meeting_item_id for r in action.reviews)
    assert action.next_review_date is not None and action.next_review_date >= TODAY


def test_care_plan_measure_shows_honest_partial_progress(session: Session) -> None:
    action = _action(session, CARE_PLAN_ACTION)
    progress = measure_progress(_measure(session, action))
    assert progress.latest is not None and 85 <= progress.latest <= 94
    assert not progress.at_target
    assert sum(1 for s in action.steps if not s.done) == 1


def test_incident_action_reopened_after_repeat_fall(session: Session) -> None:
    action = _action(session, INCIDENT_ACTION)
    assert action.reopen_count >= 1
    assert action.review_frequency == "Weekly"
    assert action.status == "In progress"
    reopen = next(r for r in action.reviews if r.decision == "Reopen")
    assert "repeat fall" in reopen.progress.lower()
    falls = session.scalars(
        select(Incident)
        .where(Incident.incident_type == IncidentType.FALL.value)
        .order_by(Incident.occurred_at)
    ).all()
    repeats = [
        (a, b)
        for i, a in enumerate(falls)
        for b in falls[i + 1 :]
        if a.person_ref == b.person_ref and (b.occurred_at - a.occurred_at).days <= 30
    ]
    assert repeats


def test_safeguarding_incident_notified_under_reg18(session: Session) -> None:
    safeguarding = session.scalars(
        select(Incident).where(Incident.incident_type == IncidentType.SAFEGUARDING.value)
    ).all()
    assert any(
        i.cqc_notification.startswith("Reg 18") and i.safeguarding_referral and i.family_informed
        for i in safeguarding
    )


def test_dashboard_has_an_override_closure_and_an_overdue_review(session: Session) -> None:
    assert session.scalars(select(Action).where(Action.closed_with_override.is_(True))).first()
    overdue = overdue_reviews(session, TODAY)
    assert [row.title for row in overdue] == [SUPERVISION_ACTION]
    assert 0 < overdue[0].days_overdue <= 7


def test_latest_weekly_minutes_left_in_draft(session: Session) -> None:
    weekly = session.scalars(
        select(Meeting).where(Meeting.meeting_type == "Weekly governance").order_by(Meeting.held_on)
    ).all()
    assert weekly[-1].status == MinutesStatus.DRAFT
    assert all(m.status == MinutesStatus.APPROVED for m in weekly[:-1])
    provider = session.scalars(select(Meeting).where(Meeting.service_id.is_(None))).one()
    assert provider.status == MinutesStatus.APPROVED


def test_names_with_accents_are_stored_as_typed(session: Session) -> None:
    names = set(session.scalars(select(Person.name)))
    assert {"Zoë Hart", "Siobhán Murphy", "Łukasz Nowak", "Nguyễn Thị Lan"} <= names
    provider_level = session.scalars(select(Person.role).where(Person.service_id.is_(None))).all()
    assert sorted(provider_level) == ["Nominated individual", "Provider governance lead"]


def test_second_seed_is_refused(session: Session) -> None:
    with pytest.raises(DatabaseNotEmpty, match="already has data"):
        seed_demo(session, TODAY)


def test_dates_move_with_today() -> None:
    later = TODAY + timedelta(weeks=3)
    with _session() as first, _session() as second:
        a, b = seed_demo(first, TODAY), seed_demo(second, later)
        assert a == b  # the same counts: deterministic apart from the dates
        plan_dates = [
            s.scalars(select(Plan.report_date).order_by(Plan.id)).all() for s in (first, second)
        ]
        assert [d + timedelta(weeks=3) for d in plan_dates[0] if d] == plan_dates[1]
        reviews = [
            s.scalars(select(Review.review_date).order_by(Review.id)).all() for s in (first, second)
        ]
        assert [d + timedelta(weeks=3) for d in reviews[0]] == reviews[1]
        for s, day in ((first, TODAY), (second, later)):
            gate = closure_gate(s, _action(s, MEDICINES_ACTION), day)
            assert gate.ready_for_sign_off


def test_attachments_are_copied_when_a_folder_is_given(tmp_path: Path) -> None:
    with _session() as s:
        summary = seed_demo(s, TODAY, attachments_dir=tmp_path)
        stored = s.scalars(select(Attachment)).all()
        assert summary.attachments == len(stored) >= 1
        for attachment in stored:
            assert (tmp_path / attachment.stored_name).read_text(encoding="utf-8")
