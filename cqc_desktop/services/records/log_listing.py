"""The observation log, handover records and the daily logs: paged, sorted and searched in SQL the
same way as the tracker rows and incidents in ``record_listing``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import Action, HandoverRecord, Incident, LogEntry, Observation, Person
from ...models.search_index import OBSERVATION_SEARCH
from ..listing import PAGE_SIZE, Page, like_any
from ..text_search import contains
from .listing import EARLIEST, in_dates, sorted_page

# Made once: building an alias is a measurable part of each page's statement.
_OBSERVER = aliased(Person, name="observer")
_LEAD = aliased(Person, name="lead")
_AUTHOR = aliased(Person, name="author")


def _named_rows(
    columns: list[Any], table: Any, person: Any, person_id: Any, service_id: int | None
) -> Select[Any]:
    """``columns`` of ``table`` with the named person and the linked action joined (either may be
    missing), for one home or, with ``service_id`` None, every home."""
    stmt: Select[Any] = (
        select(*columns)
        .outerjoin(person, person.id == person_id)
        .outerjoin(Action, Action.id == table.action_id)
    )
    return stmt if service_id is None else stmt.where(table.service_id == service_id)


# --- observations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationQuery:
    service_id: int | None
    search: str = ""
    area: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    action_id: int | None = None


@dataclass(frozen=True)
class ObservationRow:
    id: int
    observed_at: datetime
    shift: str
    observer: str
    staff_observed: str
    area: str
    outcome: str
    what_was_seen: str
    feedback_given: str
    follow_up: str
    follow_up_due: date | None
    care_plan_ref: str
    action_ref: str
    action_id: int | None


OBSERVATION_SORTS: dict[str, ColumnElement[Any]] = {
    "observed": Observation.observed_at,  # type: ignore[dict-item]
    "area": Observation.area,  # type: ignore[dict-item]
    "outcome": Observation.outcome,  # type: ignore[dict-item]
    "staff": func.lower(Observation.staff_observed),
    "follow_up_due": func.coalesce(Observation.follow_up_due, EARLIEST),
}


def _observation_stmt(
    session: Session, query: ObservationQuery, sort: ColumnElement[Any]
) -> Select[Any]:
    observer = _OBSERVER
    columns: list[Any] = [
        Observation.id,
        Observation.observed_at,
        Observation.shift,
        func.coalesce(observer.name, ""),
        Observation.staff_observed,
        Observation.area,
        Observation.outcome,
        Observation.what_was_seen,
        Observation.feedback_given,
        Observation.follow_up,
        Observation.follow_up_due,
        Observation.care_plan_ref,
        func.coalesce(Action.reference, ""),
        Observation.action_id,
        sort,
        Observation.id,
    ]
    stmt = _named_rows(columns, Observation, observer, Observation.observer_id, query.service_id)
    if query.area:
        stmt = stmt.where(Observation.area == query.area)
    if query.outcome:
        stmt = stmt.where(Observation.outcome == query.outcome)
    if query.action_id is not None:
        stmt = stmt.where(Observation.action_id == query.action_id)
    stmt = stmt.where(
        *in_dates(Observation.observed_at, query.date_from, query.date_to, timestamps=True)
    )
    if query.search.strip():
        stmt = stmt.where(
            contains(
                session,
                OBSERVATION_SEARCH,
                Observation.id,
                [
                    Observation.staff_observed,
                    Observation.what_was_seen,
                    Observation.feedback_given,
                    Observation.follow_up,
                    Observation.care_plan_ref,
                ],
                query.search,
            )
        )
    return stmt


def observation_page(
    session: Session,
    query: ObservationQuery,
    sort: str = "observed",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    expr = OBSERVATION_SORTS.get(sort, OBSERVATION_SORTS["observed"])
    stmt = _observation_stmt(session, query, expr)
    return sorted_page(
        session,
        stmt,
        expr,
        Observation.id,
        ObservationRow,
        descending=descending,
        after=after,
        limit=limit,
    )


# --- handovers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverQuery:
    service_id: int | None
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class HandoverRow:
    id: int
    handover_date: date
    shift: str
    lead: str
    staff_present: str
    learning_points: str
    understanding_checked: bool
    action_ref: str
    incidents: str = ""  # references of the incidents whose learning was shared here


HANDOVER_SORTS: dict[str, ColumnElement[Any]] = {
    "date": HandoverRecord.handover_date,  # type: ignore[dict-item]
    "shift": HandoverRecord.shift,  # type: ignore[dict-item]
}


def _handover_stmt(query: HandoverQuery, sort: ColumnElement[Any]) -> Select[Any]:
    lead = _LEAD
    columns = [
        HandoverRecord.id,
        HandoverRecord.handover_date,
        HandoverRecord.shift,
        func.coalesce(lead.name, ""),
        HandoverRecord.staff_present,
        HandoverRecord.learning_points,
        HandoverRecord.understanding_checked,
        func.coalesce(Action.reference, ""),
        sort,
        HandoverRecord.id,
    ]
    stmt = _named_rows(columns, HandoverRecord, lead, HandoverRecord.lead_id, query.service_id)
    stmt = stmt.where(*in_dates(HandoverRecord.handover_date, query.date_from, query.date_to))
    if query.search.strip():
        stmt = stmt.where(
            like_any(
                [
                    HandoverRecord.staff_present,
                    HandoverRecord.learning_points,
                ],
                query.search,
            )
        )
    return stmt


def handover_page(
    session: Session,
    query: HandoverQuery,
    sort: str = "date",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    expr = HANDOVER_SORTS.get(sort, HANDOVER_SORTS["date"])
    page = sorted_page(
        session,
        _handover_stmt(query, expr),
        expr,
        HandoverRecord.id,
        HandoverRow,
        descending=descending,
        after=after,
        limit=limit,
    )
    rows: list[HandoverRow] = page.rows
    shared: dict[int, list[str]] = {}
    if rows:
        for handover_id, reference in session.execute(
            select(Incident.handover_id, Incident.reference)
            .where(Incident.handover_id.in_([r.id for r in rows]))
            .order_by(Incident.reference)
        ):
            if handover_id is not None:
                shared.setdefault(handover_id, []).append(reference)
    rows = [
        HandoverRow(**{**r.__dict__, "incidents": ", ".join(shared.get(r.id, []))}) for r in rows
    ]
    return Page(rows, page.last_key, page.more)


# --- logs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogQuery:
    service_id: int | None
    kind: str = ""
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class LogRow:
    id: int
    kind: str
    entry_date: date
    author: str
    text: str
    action_ref: str


LOG_SORTS: dict[str, ColumnElement[Any]] = {
    "date": LogEntry.entry_date,  # type: ignore[dict-item]
    "kind": LogEntry.kind,  # type: ignore[dict-item]
}


def _log_stmt(query: LogQuery, sort: ColumnElement[Any]) -> Select[Any]:
    author = _AUTHOR
    columns = [
        LogEntry.id,
        LogEntry.kind,
        LogEntry.entry_date,
        func.coalesce(author.name, ""),
        LogEntry.text,
        func.coalesce(Action.reference, ""),
        sort,
        LogEntry.id,
    ]
    stmt = _named_rows(columns, LogEntry, author, LogEntry.author_id, query.service_id)
    if query.kind:
        stmt = stmt.where(LogEntry.kind == query.kind)
    stmt = stmt.where(*in_dates(LogEntry.entry_date, query.date_from, query.date_to))
    if query.search.strip():
        stmt = stmt.where(
            or_(
                like_any([LogEntry.text], query.search),
                like_any([author.name], query.search),
            )
        )
    return stmt


def log_page(
    session: Session,
    query: LogQuery,
    sort: str = "date",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    expr = LOG_SORTS.get(sort, LOG_SORTS["date"])
    stmt = _log_stmt(query, expr)
    return sorted_page(
        session, stmt, expr, LogEntry.id, LogRow, descending=descending, after=after, limit=limit
    )
