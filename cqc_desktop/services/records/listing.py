"""The long lists staff scroll through: tracker rows and incidents (observations, handovers and logs
are in ``log_listing``).

Sorting, filtering and searching happen in SQL and rows come a page at a time by keyset
(``listing.keyset_page``), so a tracker with 200,000 rows opens as fast as one with twenty. Rows come
back as plain frozen dataclasses that outlive the session. ``every_row`` walks the same query to the
end for exports, so an export holds exactly what the list shows under its filter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import Action, Finding, HandoverRecord, Incident, Person, Plan, Tracker, TrackerEntry
from ...models.enums import ActionStatus
from ...models.search_index import INCIDENT_SEARCH
from ..errors import NotFound
from ..listing import PAGE_SIZE, Page, keyset_page, like_any
from ..text_search import contains
from .tracker_values import BadValue, to_date

T = TypeVar("T")
_LOWEST_NUMBER = -1.0e15  # sorts blank numbers first without NULLs (which break keyset paging)
EARLIEST = date(1900, 1, 1)


def _search_terms(text: str) -> list[str]:
    """The search text, plus its ISO form when it is a date typed the UK way."""
    text = text.strip()
    terms = [text]
    with contextlib.suppress(BadValue):
        terms.append(to_date("Search", text).isoformat())
    return terms


def _pattern(text: str) -> str:
    """LIKE pattern for "contains ``text``", its own % and _ taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def in_dates(
    column: Any, date_from: date | None, date_to: date | None, *, timestamps: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions keeping ``column`` between the two days, both included (either may be open).
    A timestamp column runs from the start of ``date_from`` to before the day after ``date_to``."""
    conditions: list[ColumnElement[bool]] = []
    if date_from is not None:
        conditions.append(column >= (day_start(date_from) if timestamps else date_from))
    if date_to is not None:
        if timestamps:
            conditions.append(column < day_start(date_to + timedelta(days=1)))
        else:
            conditions.append(column <= date_to)
    return conditions


def sorted_page(
    session: Session,
    stmt: Select[Any],
    sort: ColumnElement[Any],
    row_id: Any,
    make: Callable[..., T],
    *,
    descending: bool,
    after: tuple[Any, int] | None,
    limit: int,
) -> Page:
    """One page of a list's ``stmt`` by keyset, each row made by ``make`` from its columns. The
    statement ends with the sort value and the row id (``keyset_page`` reads the next key from
    them), so ``make`` gets the columns before those two."""
    page = keyset_page(
        session, stmt, sort=sort, row_id=row_id, descending=descending, after=after, limit=limit
    )
    return Page([make(*row[:-2]) for row in page.rows], page.last_key, page.more)


# Made once: building an alias is a measurable part of each page's statement.
_RECORDER = aliased(Person, name="recorder")
_REVIEWER = aliased(Person, name="reviewer")


# --- tracker rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerQuery:
    tracker_id: int
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    column: str = ""  # a column key to filter on ...
    column_value: str = ""  # ... and the text it must contain (or equal, for a choice)


@dataclass(frozen=True)
class EntryRow:
    id: int
    entry_date: date
    values: dict[str, Any]
    recorded_by: str


def tracker_sort(tracker: Tracker, key: str) -> ColumnElement[Any]:
    """The SQL sort expression for "entry_date" or a column key; never NULL."""
    if key == "entry_date":
        return TrackerEntry.entry_date  # type: ignore[return-value]
    column = next((c for c in tracker.columns if c["key"] == key), None)
    if column is None:
        return TrackerEntry.entry_date  # type: ignore[return-value]
    node = TrackerEntry.values[key]
    if column["type"] == "number":
        return func.coalesce(node.as_float(), _LOWEST_NUMBER)
    return func.coalesce(func.lower(node.as_string()), "")


def _tracker_conditions(tracker: Tracker, query: TrackerQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [TrackerEntry.tracker_id == tracker.id]
    conditions += in_dates(TrackerEntry.entry_date, query.date_from, query.date_to)
    if query.search.strip():
        # search_text is stored lower-cased and sits in the tracker's index, so a plain LIKE on
        # the lower-cased words reads index entries alone (lower() on each row would not help).
        conditions.append(
            TrackerEntry.search_text.like(_pattern(query.search.lower()), escape="\\")
        )
    column = next((c for c in tracker.columns if c["key"] == query.column), None)
    if column is not None and query.column_value.strip():
        node = TrackerEntry.values[column["key"]]
        want = query.column_value.strip()
        if column["type"] == "yes/no":
            conditions.append(node.as_boolean() == want.lower().startswith("y"))
        elif column["type"] == "choice":
            conditions.append(func.lower(node.as_string()) == want.lower())
        else:
            terms = _search_terms(want.lower())
            conditions.append(or_(*(like_any([func.lower(node.as_string())], t) for t in terms)))
    return conditions


def _tracker_stmt(tracker: Tracker, query: TrackerQuery, sort: ColumnElement[Any]) -> Select[Any]:
    recorder = _RECORDER
    return (
        select(
            TrackerEntry.id,
            TrackerEntry.entry_date,
            TrackerEntry.values,
            func.coalesce(recorder.name, ""),
            sort,
            TrackerEntry.id,
        )
        .outerjoin(recorder, recorder.id == TrackerEntry.recorded_by_id)
        .where(*_tracker_conditions(tracker, query))
    )


def _entry(entry_id: int, entry_date: date, values: Any, recorded_by: str) -> EntryRow:
    return EntryRow(entry_id, entry_date, dict(values or {}), recorded_by)


def tracker_page(
    session: Session,
    query: TrackerQuery,
    sort: str = "entry_date",
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    tracker = session.get(Tracker, query.tracker_id)
    if tracker is None:
        raise NotFound("That tracker no longer exists.")
    expr = tracker_sort(tracker, sort)
    stmt = _tracker_stmt(tracker, query, expr)
    return sorted_page(
        session,
        stmt,
        expr,
        TrackerEntry.id,
        _entry,
        descending=descending,
        after=after,
        limit=limit,
    )


def tracker_count(session: Session, query: TrackerQuery) -> int:
    """How many rows match; counted on the index, without reading the rows."""
    tracker = session.get(Tracker, query.tracker_id)
    if tracker is None:
        return 0
    stmt = select(func.count(TrackerEntry.id)).where(*_tracker_conditions(tracker, query))
    return int(session.scalar(stmt) or 0)


# --- incidents --------------------------------------------------------------------------------

INCIDENT_STATES = {
    "": "All incidents",
    "open": "Open",
    "awaiting_review": "Awaiting management review",
    "late": "7-day learning late",
    "met": "Learning met within 7 days",
    "closed": "Closed",
}


@dataclass(frozen=True)
class IncidentQuery:
    service_id: int | None
    today: date
    search: str = ""
    incident_type: str = ""
    severity: str = ""
    state: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class IncidentRow:
    id: int
    reference: str
    occurred_at: datetime
    incident_type: str
    severity: str
    person_ref: str
    location: str
    reported_by: str
    reviewed_on: date | None
    reviewer: str
    learning_point: str
    handover_date: date | None
    actions_completed_on: date | None
    closed_on: date | None
    reopened_on: date | None
    learning_met: bool
    family_informed: bool
    cqc_notification: str
    action_ref: str
    description: str
    immediate_action: str
    immediate_controls: str


INCIDENT_SORTS: dict[str, ColumnElement[Any]] = {
    "occurred": Incident.occurred_at,  # type: ignore[dict-item]
    "reference": Incident.reference,  # type: ignore[dict-item]
    "type": Incident.incident_type,  # type: ignore[dict-item]
    "severity": Incident.severity,  # type: ignore[dict-item]
    "person": func.lower(Incident.person_ref),
    "location": func.lower(Incident.location),
    "reviewed": func.coalesce(Incident.reviewed_on, EARLIEST),
    "learning": func.coalesce(Incident.actions_completed_on, EARLIEST),
}


def _incident_conditions(session: Session, query: IncidentQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.service_id is not None:
        conditions.append(Incident.service_id == query.service_id)
    if query.incident_type:
        conditions.append(Incident.incident_type == query.incident_type)
    if query.severity:
        conditions.append(Incident.severity == query.severity)
    conditions += in_dates(Incident.occurred_at, query.date_from, query.date_to, timestamps=True)
    late_before = day_start(query.today - timedelta(days=7))
    state_filters: dict[str, ColumnElement[bool]] = {
        "open": Incident.closed_on.is_(None),
        "awaiting_review": Incident.reviewed_on.is_(None),
        "late": Incident.learning_met.is_(False) & (Incident.occurred_at < late_before),
        "met": Incident.learning_met.is_(True),
        "closed": Incident.closed_on.is_not(None),
    }
    if query.state in state_filters:
        conditions.append(state_filters[query.state])
    if query.search.strip():
        conditions.append(
            contains(
                session,
                INCIDENT_SEARCH,
                Incident.id,
                [
                    Incident.reference,
                    Incident.person_ref,
                    Incident.location,
                    Incident.description,
                    Incident.learning_point,
                    Incident.reported_by,
                ],
                query.search,
            )
        )
    return conditions


def _incident_stmt(session: Session, query: IncidentQuery, sort_key: str) -> Select[Any]:
    return _incident_select(sort_key).where(*_incident_conditions(session, query))


_incident_selects: dict[str, Select[Any]] = {}


def _incident_select(sort_key: str) -> Select[Any]:
    """The list's columns and joins for one sort, built once: putting together a 24-column select
    took longer than SQLite took to run it. Statements are immutable, so each page adds its own
    filters to a shared one safely."""
    found = _incident_selects.get(sort_key)
    if found is not None:
        return found
    reviewer = _REVIEWER
    columns: list[Any] = [
        Incident.id,
        Incident.reference,
        Incident.occurred_at,
        Incident.incident_type,
        Incident.severity,
        Incident.person_ref,
        Incident.location,
        Incident.reported_by,
        Incident.reviewed_on,
        func.coalesce(reviewer.name, ""),
        Incident.learning_point,
        HandoverRecord.handover_date,
        Incident.actions_completed_on,
        Incident.closed_on,
        Incident.reopened_on,
        Incident.learning_met,
        Incident.family_informed,
        Incident.cqc_notification,
        func.coalesce(Action.reference, ""),
        Incident.description,
        Incident.immediate_action,
        Incident.immediate_controls,
        INCIDENT_SORTS[sort_key],
        Incident.id,
    ]
    found = (
        select(*columns)
        .outerjoin(reviewer, reviewer.id == Incident.reviewer_id)
        .outerjoin(HandoverRecord, HandoverRecord.id == Incident.handover_id)
        .outerjoin(Action, Action.id == Incident.action_id)
    )
    _incident_selects[sort_key] = found
    return found


def incident_page(
    session: Session,
    query: IncidentQuery,
    sort: str = "occurred",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    if sort not in INCIDENT_SORTS:
        sort = "occurred"
    stmt = _incident_stmt(session, query, sort)
    return sorted_page(
        session,
        stmt,
        INCIDENT_SORTS[sort],
        Incident.id,
        IncidentRow,
        descending=descending,
        after=after,
        limit=limit,
    )


# --- helpers for every list -------------------------------------------------------------------


def every_row(
    load: Callable[[tuple[Any, int] | None, int], Page], *, chunk: int = 2000
) -> Iterator[Any]:
    """Walk a paged query to its end (exports), one chunk in memory at a time."""
    after: tuple[Any, int] | None = None
    while True:
        page = load(after, chunk)
        yield from page.rows
        if not page.more:
            return
        after = page.last_key


@dataclass(frozen=True)
class ActionChoice:
    id: int
    label: str


def action_choices(
    session: Session, service_id: int, *, include_id: int | None = None
) -> list[ActionChoice]:
    """Open actions of the home's plans, for "link to an action" pickers (plus the one already
    linked, even if it has since closed)."""
    stmt = (
        select(Action.id, Action.reference, Action.title)
        .join(Finding, Finding.id == Action.finding_id)
        .join(Plan, Plan.id == Finding.plan_id)
        .where(Plan.service_id == service_id, Action.archived.is_(False))
        .where(
            or_(
                Action.status != ActionStatus.CLOSED.value,
                Action.id == (include_id if include_id is not None else literal(-1)),
            )
        )
        .order_by(Action.reference, Action.id)
    )
    return [
        ActionChoice(aid, f"{ref} — {title}" if ref else title)
        for aid, ref, title in session.execute(stmt)
    ]


def incident_counts(session: Session, query: IncidentQuery) -> tuple[int, int]:
    """(how many incidents match, how many of those at the same home and filters, whatever the
    "show" choice, have their 7-day learning late): the Incidents tab's summary line. One pass
    over the matching rows when the choice allows (a search reads its matches once, not twice)."""
    if query.state not in ("", "late"):
        return incident_count(session, query), incident_count(session, replace(query, state="late"))
    late = Incident.learning_met.is_(False) & (
        Incident.occurred_at < day_start(query.today - timedelta(days=7))
    )
    stmt = select(func.count(Incident.id), func.count(case((late, 1)))).where(
        *_incident_conditions(session, query)
    )
    shown, late_count = session.execute(stmt).one()
    return int(shown or 0), int(late_count or 0)


def incident_count(session: Session, query: IncidentQuery) -> int:
    """How many incidents match. The list's joins only add columns (each finds at most one
    row), so the count reads the incident table, and mostly its indexes, alone."""
    stmt = select(func.count(Incident.id)).where(*_incident_conditions(session, query))
    return int(session.scalar(stmt) or 0)
