"""What the registered manager sees first: overdue reviews, what is due this week, who holds what.

Every figure is one SQL aggregate or a short indexed query, so the dashboard stays quick on a
provider's ten-home database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ...models import Action, Finding, Person, Plan, Service
from ...models.enums import ActionStatus
from ..setup.people import works_at


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    reference: str
    title: str
    lead: str
    service: str
    rag: str
    status: str
    next_review: date | None
    due_date: date
    days_overdue: int  # review days overdue (negative: days until due)
    closed_with_override: bool = False


@dataclass(frozen=True)
class LeadLoad:
    person_id: int
    lead: str
    role: str
    open_actions: int
    overdue_reviews: int
    red: int


AnySelect = Select[*tuple[Any, ...]]

_ROW_COLUMNS = (
    Action.id,
    Action.reference,
    Action.title,
    Person.name,
    Service.name,
    Action.rag,
    Action.status,
    Action.next_review_date,
    Action.due_date,
    Action.closed_with_override,
)


def _open_actions(service_id: int | None) -> AnySelect:
    # Plain columns, not ``Action`` objects: the rows are only read, and building a few hundred
    # ORM objects cost more than the query itself.
    stmt: AnySelect = (
        select(*_ROW_COLUMNS)
        .join(Person, Action.accountable_lead_id == Person.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return stmt


def _row(values: Any, today: date) -> ActionRow:
    """An ActionRow from the ``_ROW_COLUMNS`` at the start of ``values``."""
    aid, reference, title, lead, service, rag, status, review, due, override = values[:10]
    return ActionRow(
        action_id=aid,
        reference=reference,
        title=title,
        lead=lead,
        service=service,
        rag=rag,
        status=status,
        next_review=review,
        due_date=due,
        days_overdue=(today - review).days if review else 0,
        closed_with_override=override,
    )


def _rows(session: Session, stmt: AnySelect, today: date) -> list[ActionRow]:
    return [_row(values, today) for values in session.execute(stmt)]


def overdue_reviews(
    session: Session, today: date, service_id: int | None = None
) -> list[ActionRow]:
    stmt = (
        _open_actions(service_id)
        .where(Action.next_review_date < today)
        .order_by(Action.next_review_date, Action.id)
    )
    return _rows(session, stmt, today)


def totals_by(counts: dict[tuple[str, str], int], part: int) -> dict[str, int]:
    """Totals from ``Snapshot.counts`` by key question (``part`` 0) or by RAG (``part`` 1)."""
    out: dict[str, int] = {}
    for key, n in counts.items():
        out[key[part]] = out.get(key[part], 0) + n
    return out


@dataclass(frozen=True)
class Summary:
    open_actions: int
    overdue_reviews: int
    due_this_week: int
    closed_sustained: int
    closed_override: int


@dataclass(frozen=True)
class Snapshot:
    """Everything the dashboard shows about actions, from one read of the open actions."""

    overdue: list[ActionRow]
    due: list[ActionRow]
    actions_due: list[ActionRow]
    leads: list[LeadLoad]
    summary: Summary
    counts: dict[tuple[str, str], int]
    """Open actions by (key question, RAG); see ``totals_by``."""


def snapshot(
    session: Session, today: date, service_id: int | None = None, days: int = 7
) -> Snapshot:
    """The dashboard's lists, summary and counts in two queries instead of one each.

    Open actions are few even for a provider (hundreds, where tracker rows are hundreds of
    thousands), so they are read once and sorted into the lists here rather than asked for in
    one query per list (tests/unit/plans/test_dashboard_snapshot.py works the same figures out
    from the actions themselves).
    """
    stmt = _open_actions(service_id).add_columns(Person.id, Person.role, Finding.key_question)
    horizon = today + timedelta(days=days)
    overdue: list[ActionRow] = []
    due: list[ActionRow] = []
    actions_due: list[ActionRow] = []
    loads: dict[int, list[Any]] = {}
    counts: dict[tuple[str, str], int] = {}
    total = 0
    for values in session.execute(stmt):
        row = _row(values, today)
        pid, role, kq = values[10:]
        lead, rag, review, due_on = row.lead, row.rag, row.next_review, row.due_date
        total += 1
        late = review is not None and review < today
        if late:
            overdue.append(row)
        elif review is not None and review <= horizon:
            due.append(row)
        if due_on <= horizon:
            actions_due.append(row)
        load = loads.setdefault(pid, [lead, role or "", 0, 0, 0])
        load[2] += 1
        load[3] += late
        load[4] += rag == "Red"
        counts[(kq, rag)] = counts.get((kq, rag), 0) + 1
    overdue.sort(key=lambda r: (r.next_review, r.action_id))
    due.sort(key=lambda r: (r.next_review, r.action_id))
    actions_due.sort(key=lambda r: (r.due_date, r.action_id))
    leads = [LeadLoad(pid, *load) for pid, load in loads.items()]
    leads.sort(key=lambda r: (-r.open_actions, r.lead))
    closed_stmt = (
        select(Action.closed_with_override, func.count(Action.id))
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Action.status == ActionStatus.CLOSED.value, Action.archived.is_(False))
        .group_by(Action.closed_with_override)
    )
    if service_id is not None:
        closed_stmt = closed_stmt.where(Plan.service_id == service_id)
    closed = {bool(override): int(n) for override, n in session.execute(closed_stmt)}
    summary = Summary(
        open_actions=total,
        overdue_reviews=len(overdue),
        due_this_week=len(due),
        closed_sustained=closed.get(False, 0),
        closed_override=closed.get(True, 0),
    )
    return Snapshot(overdue, due, actions_due, leads, summary, counts)


def staff(session: Session, service_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, name, role) of the active people for a home and the provider-level people, by name
    (as ``people.list_people``, without building a Person object for each of a provider's staff)."""
    stmt = (
        select(Person.id, Person.name, Person.role)
        .where(Person.active.is_(True))
        .order_by(Person.name)
    )
    if service_id is not None:
        stmt = stmt.where(works_at(service_id))
    return [(pid, name, role or "") for pid, name, role in session.execute(stmt)]
