"""What the registered manager sees first: overdue reviews, what is due this week, who holds what.

Every figure is one SQL aggregate or a short indexed query, so the dashboard stays quick on a
provider's ten-home database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from ..models import Action, Finding, Person, Plan, Service
from ..models.enums import ActionStatus


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


def _open_actions(service_id: int | None) -> Select[Action, str, str]:
    stmt = (
        select(Action, Person.name, Service.name)
        .join(Person, Action.accountable_lead_id == Person.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return stmt


def _rows(session: Session, stmt: Select[Action, str, str], today: date) -> list[ActionRow]:
    out = []
    for action, lead, service in session.execute(stmt):
        review = action.next_review_date
        out.append(
            ActionRow(
                action_id=action.id,
                reference=action.reference,
                title=action.title,
                lead=lead,
                service=service,
                rag=action.rag,
                status=action.status,
                next_review=review,
                due_date=action.due_date,
                days_overdue=(today - review).days if review else 0,
                closed_with_override=action.closed_with_override,
            )
        )
    return out


def overdue_reviews(
    session: Session, today: date, service_id: int | None = None
) -> list[ActionRow]:
    stmt = (
        _open_actions(service_id)
        .where(Action.next_review_date < today)
        .order_by(Action.next_review_date, Action.id)
    )
    return _rows(session, stmt, today)


def reviews_due(
    session: Session, today: date, days: int = 7, service_id: int | None = None
) -> list[ActionRow]:
    """Reviews falling due from today to ``days`` ahead (not the overdue ones)."""
    stmt = (
        _open_actions(service_id)
        .where(
            Action.next_review_date >= today,
            Action.next_review_date <= today + timedelta(days=days),
        )
        .order_by(Action.next_review_date, Action.id)
    )
    return _rows(session, stmt, today)


def actions_due(
    session: Session, today: date, days: int = 7, service_id: int | None = None
) -> list[ActionRow]:
    """Open actions whose own due date is within ``days`` (or already passed)."""
    stmt = (
        _open_actions(service_id)
        .where(Action.due_date <= today + timedelta(days=days))
        .order_by(Action.due_date, Action.id)
    )
    return _rows(session, stmt, today)


def open_actions_per_lead(
    session: Session, today: date, service_id: int | None = None
) -> list[LeadLoad]:
    stmt = (
        select(
            Person.id,
            Person.name,
            Person.role,
            func.count(Action.id),
            func.sum(case((Action.next_review_date < today, 1), else_=0)),
            func.sum(case((Action.rag == "Red", 1), else_=0)),
        )
        .join(Action, Action.accountable_lead_id == Person.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
        .group_by(Person.id, Person.name, Person.role)
        .order_by(func.count(Action.id).desc(), Person.name)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return [
        LeadLoad(pid, name, role or "", n, int(od or 0), int(red or 0))
        for pid, name, role, n, od, red in session.execute(stmt)
    ]


def counts_by_rag(session: Session, service_id: int | None = None) -> dict[str, int]:
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


def counts_by_key_question(session: Session, service_id: int | None = None) -> dict[str, int]:
    stmt = (
        select(Finding.key_question, func.count(Action.id))
        .join(Action)
        .join(Plan)
        .where(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False))
        .group_by(Finding.key_question)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return {kq: n for kq, n in session.execute(stmt)}


@dataclass(frozen=True)
class Summary:
    open_actions: int
    overdue_reviews: int
    due_this_week: int
    closed_sustained: int
    closed_override: int


def summary(session: Session, today: date, service_id: int | None = None) -> Summary:
    closed = Action.status == ActionStatus.CLOSED.value
    stmt = (
        select(
            func.sum(case((~closed, 1), else_=0)),
            func.sum(case((~closed & (Action.next_review_date < today), 1), else_=0)),
            func.sum(
                case(
                    (
                        ~closed
                        & (Action.next_review_date >= today)
                        & (Action.next_review_date <= today + timedelta(days=7)),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(case((closed & Action.closed_with_override.is_(False), 1), else_=0)),
            func.sum(case((closed & Action.closed_with_override.is_(True), 1), else_=0)),
        )
        .join(Finding)
        .join(Plan)
        .where(Action.archived.is_(False))
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    row = session.execute(stmt).one()
    return Summary(*(int(v or 0) for v in row))
