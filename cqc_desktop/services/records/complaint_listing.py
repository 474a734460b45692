"""The complaints and compliments book as a list (paged, sorted and filtered in SQL) and its
themes: complaints counted by category and by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import Action, Complaint, Person
from ...models.enums import ComplaintKind
from ..listing import PAGE_SIZE, Page, like_any
from .complaints import ComplaintState, state_of
from .listing import EARLIEST, in_dates, sorted_page

COMPLAINT_STATES = ("", "open", "overdue", "answered")
"""Filter values: everything, not yet answered, a step overdue, answered."""

_HANDLER = aliased(Person, name="handler")


@dataclass(frozen=True)
class ComplaintQuery:
    service_id: int | None
    today: date
    kind: str = ""
    state: str = ""
    category: str = ""
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    reference: str
    kind: str
    received_on: date
    from_type: str
    from_ref: str
    channel: str
    category: str
    severity: str
    summary: str
    handled_by: str
    acknowledge_by: date | None
    acknowledged_on: date | None
    respond_by: date | None
    responded_on: date | None
    finding: str
    outcome: str
    learning: str
    action_ref: str
    action_id: int | None
    state: ComplaintState


COMPLAINT_SORTS: dict[str, ColumnElement[Any]] = {
    "received": Complaint.received_on,  # type: ignore[dict-item]
    "reference": Complaint.reference,  # type: ignore[dict-item]
    "kind": Complaint.kind,  # type: ignore[dict-item]
    "category": Complaint.category,  # type: ignore[dict-item]
    "respond_by": func.coalesce(Complaint.respond_by, EARLIEST),
}


def _stmt(query: ComplaintQuery, sort: ColumnElement[Any]) -> Select[Any]:
    columns: list[Any] = [
        Complaint.id,
        Complaint.reference,
        Complaint.kind,
        Complaint.received_on,
        Complaint.from_type,
        Complaint.from_ref,
        Complaint.channel,
        Complaint.category,
        Complaint.severity,
        Complaint.summary,
        func.coalesce(_HANDLER.name, ""),
        Complaint.acknowledge_by,
        Complaint.acknowledged_on,
        Complaint.respond_by,
        Complaint.responded_on,
        Complaint.finding,
        Complaint.outcome,
        Complaint.learning,
        func.coalesce(Action.reference, ""),
        Complaint.action_id,
        sort,
        Complaint.id,
    ]
    stmt: Select[Any] = (
        select(*columns)
        .outerjoin(_HANDLER, _HANDLER.id == Complaint.handled_by_id)
        .outerjoin(Action, Action.id == Complaint.action_id)
    )
    if query.service_id is not None:
        stmt = stmt.where(Complaint.service_id == query.service_id)
    if query.kind:
        stmt = stmt.where(Complaint.kind == query.kind)
    if query.category:
        stmt = stmt.where(Complaint.category == query.category)
    complaint = Complaint.kind == ComplaintKind.COMPLAINT.value
    if query.state == "open":
        stmt = stmt.where(complaint, Complaint.responded_on.is_(None))
    elif query.state == "overdue":
        stmt = stmt.where(
            complaint,
            Complaint.responded_on.is_(None),
            or_(
                Complaint.respond_by < query.today,
                Complaint.acknowledged_on.is_(None) & (Complaint.acknowledge_by < query.today),
            ),
        )
    elif query.state == "answered":
        stmt = stmt.where(complaint, Complaint.responded_on.is_not(None))
    stmt = stmt.where(*in_dates(Complaint.received_on, query.date_from, query.date_to))
    if query.search.strip():
        stmt = stmt.where(
            like_any(
                [
                    Complaint.reference,
                    Complaint.from_ref,
                    Complaint.summary,
                    Complaint.investigation,
                    Complaint.outcome,
                    Complaint.learning,
                ],
                query.search,
            )
        )
    return stmt


def complaint_page(
    session: Session,
    query: ComplaintQuery,
    sort: str = "received",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    expr = COMPLAINT_SORTS.get(sort, COMPLAINT_SORTS["received"])

    def make(*values: Any) -> ComplaintRow:
        state = state_of(values[2], *values[11:15], query.today)  # type: ignore[call-arg]
        return ComplaintRow(*values, state)  # type: ignore[call-arg]

    return sorted_page(
        session,
        _stmt(query, expr),
        expr,
        Complaint.id,
        make,
        descending=descending,
        after=after,
        limit=limit,
    )


# --- themes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Themes:
    """Complaints received in a period, counted by category, by month ("2026-11") and both."""

    months: list[str]
    by_category: dict[str, int]
    by_month: dict[str, int]
    grid: dict[tuple[str, str], int]
    total: int
    compliments: int


def themes(
    session: Session,
    service_id: int | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Themes:
    """Complaint themes for a home (or all homes) over a period, and the compliments received."""
    rows = session.execute(
        select(Complaint.kind, Complaint.category, Complaint.received_on).where(
            *([Complaint.service_id == service_id] if service_id is not None else []),
            *in_dates(Complaint.received_on, date_from, date_to),
        )
    ).all()
    grid: dict[tuple[str, str], int] = {}
    by_category: dict[str, int] = {}
    by_month: dict[str, int] = {}
    compliments = 0
    for kind, category, received in rows:
        if kind != ComplaintKind.COMPLAINT:
            compliments += 1
            continue
        month = f"{received:%Y-%m}"
        grid[(category, month)] = grid.get((category, month), 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        by_month[month] = by_month.get(month, 0) + 1
    ordered = dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])))
    return Themes(sorted(by_month), ordered, by_month, grid, sum(by_category.values()), compliments)
