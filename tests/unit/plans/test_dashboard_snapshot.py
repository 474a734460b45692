"""The dashboard's one-read snapshot says exactly what the separate dashboard queries say."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Finding, Plan
from cqc_desktop.models.enums import ActionStatus
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.plans import dashboard
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


def _open_by_rag(session: Session, service_id: int | None) -> dict[str, int]:
    """Open actions by RAG, counted directly."""
    stmt = (
        select(Action.rag, func.count())
        .join(Finding)
        .join(Plan)
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
        .group_by(Action.rag)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return {rag: n for rag, n in session.execute(stmt)}


@pytest.mark.parametrize("days_on", [0, 9, 40])
def test_snapshot_matches_the_separate_queries(session: Session, days_on: int) -> None:
    seed_demo(session, TODAY)
    today = TODAY + timedelta(days=days_on)  # later days: more reviews overdue, more due
    homes = [None] + [s.id for s in people.list_services(session)]
    for sid in homes:
        snap = dashboard.snapshot(session, today, sid)
        assert snap.overdue == dashboard.overdue_reviews(session, today, sid)
        assert snap.due == dashboard.reviews_due(session, today, 7, sid)
        assert snap.actions_due == dashboard.actions_due(session, today, 7, sid)
        assert snap.leads == dashboard.open_actions_per_lead(session, today, sid)
        assert snap.summary == dashboard.summary(session, today, sid)
        assert snap.counts == dashboard.open_counts(session, sid)
        assert dashboard.totals_by(snap.counts, 1) == _open_by_rag(session, sid)
    assert dashboard.snapshot(session, TODAY + timedelta(days=40)).overdue  # the test has teeth


def test_staff_lists_active_people_of_the_home_and_the_provider(session: Session) -> None:
    seed_demo(session, TODAY)
    home = people.list_services(session)[0]
    expected = [
        (p.id, p.name, p.role or "") for p in people.list_people(session, service_id=home.id)
    ]
    assert dashboard.staff(session, home.id) == expected
    assert len(dashboard.staff(session)) >= len(expected)
