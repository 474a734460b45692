"""The dashboard's one-read snapshot says what the actions themselves say, worked out by hand."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cqc_desktop.models import Action, Finding, Plan
from cqc_desktop.models.enums import ActionStatus
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.services.plans import dashboard
from cqc_desktop.services.setup import people

TODAY = date(2026, 11, 26)


def _actions(session: Session, service_id: int | None) -> list[Action]:
    stmt = select(Action).join(Finding).join(Plan).where(Action.archived.is_(False))
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return list(session.scalars(stmt))


def _ids(actions: list[Action], key: object) -> list[int]:
    return [a.id for a in sorted(actions, key=key)]  # type: ignore[arg-type]


@pytest.mark.parametrize("days_on", [0, 9, 40])
def test_snapshot_matches_the_actions_worked_out_by_hand(session: Session, days_on: int) -> None:
    seed_demo(session, TODAY)
    today = TODAY + timedelta(days=days_on)  # later days: more reviews overdue, more due
    week = today + timedelta(days=7)
    homes = [None] + [s.id for s in people.list_services(session)]
    for sid in homes:
        snap = dashboard.snapshot(session, today, sid)
        every = _actions(session, sid)
        open_ = [a for a in every if a.status != ActionStatus.CLOSED.value]
        closed = [a for a in every if a.status == ActionStatus.CLOSED.value]
        late = [a for a in open_ if a.next_review_date and a.next_review_date < today]
        due = [a for a in open_ if a.next_review_date and today <= a.next_review_date <= week]
        by_review = lambda a: (a.next_review_date, a.id)  # noqa: E731
        assert [r.action_id for r in snap.overdue] == _ids(late, by_review)
        assert [r.action_id for r in snap.due] == _ids(due, by_review)
        assert [r.action_id for r in snap.actions_due] == _ids(
            [a for a in open_ if a.due_date <= week], lambda a: (a.due_date, a.id)
        )
        assert snap.overdue == dashboard.overdue_reviews(session, today, sid)
        row = next(iter(snap.overdue + snap.due), None)
        if row is not None:
            action = session.get(Action, row.action_id)
            assert action is not None
            assert (row.title, row.lead, row.rag) == (
                action.title,
                action.accountable_lead.name,
                action.rag,
            )
            assert row.days_overdue == (today - action.next_review_date).days
        leads = Counter(a.accountable_lead_id for a in open_)
        names = {a.accountable_lead_id: a.accountable_lead.name for a in open_}
        assert [(r.person_id, r.lead, r.open_actions) for r in snap.leads] == sorted(
            ((pid, names[pid], n) for pid, n in leads.items()), key=lambda t: (-t[2], t[1])
        )
        assert {r.person_id: r.overdue_reviews for r in snap.leads} == {
            pid: sum(1 for a in late if a.accountable_lead_id == pid) for pid in leads
        }
        assert {r.person_id: r.red for r in snap.leads} == {
            pid: sum(1 for a in open_ if a.accountable_lead_id == pid and a.rag == "Red")
            for pid in leads
        }
        assert snap.summary == dashboard.Summary(
            open_actions=len(open_),
            overdue_reviews=len(late),
            due_this_week=len(due),
            closed_sustained=sum(1 for a in closed if not a.closed_with_override),
            closed_override=sum(1 for a in closed if a.closed_with_override),
        )
        assert snap.counts == dict(Counter((a.finding.key_question, a.rag) for a in open_))
        assert dashboard.totals_by(snap.counts, 1) == dict(Counter(a.rag for a in open_))
        assert dashboard.totals_by(snap.counts, 0) == dict(
            Counter(a.finding.key_question for a in open_)
        )
    later = dashboard.snapshot(session, TODAY + timedelta(days=40))
    assert later.overdue and later.summary.closed_override  # the test has teeth


def test_staff_lists_active_people_of_the_home_and_the_provider(session: Session) -> None:
    seed_demo(session, TODAY)
    home = people.list_services(session)[0]
    expected = [
        (p.id, p.name, p.role or "") for p in people.list_people(session, service_id=home.id)
    ]
    assert dashboard.staff(session, home.id) == expected
    assert len(dashboard.staff(session)) >= len(expected)
