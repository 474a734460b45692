"""Lists of meetings and audit runs that grow without limit: sorted, filtered and paged in SQL.

A provider with ten homes holds a weekly meeting in each for years, so these never load every row;
the UI asks for one keyset page at a time (see ``listing.keyset_page``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, bindparam, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from ...models import AuditAnswer, AuditRun, AuditTemplate, Meeting, MeetingItem, Person, Service
from ..listing import PAGE_SIZE, Page, keyset_page, like_any

ALL_HOMES = "All homes"


@dataclass(frozen=True)
class MeetingFilter:
    service_id: int | None = None  # a home's list also shows provider meetings (they cover it)
    meeting_type: str = ""
    status: str = ""
    text: str = ""


def _chair() -> Any:
    return aliased(Person, name="chair")


class MeetingRow(NamedTuple):
    id_: int
    held_on: date
    meeting_type: str
    home: str
    chair: str
    status: str
    items: int
    decided: int
    approved_on: date | None
    sort_value: Any
    id: int


def meeting_page(
    session: Session,
    filters: MeetingFilter,
    sort: str = "held_on",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Rows (``MeetingRow``): id, held_on, meeting_type, home, chair, status, items, decided,
    approved on, sort value, id.

    The page comes first, then its item counts in one grouped query over just its meetings:
    counted per row inside the page query, SQLite counted them for every meeting it sorted."""
    chair = _chair()
    home = func.coalesce(Service.name, literal(ALL_HOMES))
    chair_name = func.coalesce(chair.name, literal(""))
    sorts: dict[str, ColumnElement[Any]] = {
        "held_on": Meeting.held_on.expression,
        "type": Meeting.meeting_type.expression,
        "home": home,
        "chair": chair_name,
        "status": Meeting.status.expression,
    }
    column = sorts.get(sort, sorts["held_on"])
    stmt = (
        select(
            Meeting.id.label("id_"),
            Meeting.held_on,
            Meeting.meeting_type,
            home.label("home"),
            chair_name.label("chair"),
            Meeting.status,
            Meeting.approved_on,
            column.label("sort_value"),
            Meeting.id,
        )
        .outerjoin(Service, Meeting.service_id == Service.id)
        .outerjoin(chair, Meeting.chair_id == chair.id)
    )
    if filters.service_id is not None:
        stmt = stmt.where((Meeting.service_id == filters.service_id) | Meeting.service_id.is_(None))
    if filters.meeting_type:
        stmt = stmt.where(Meeting.meeting_type == filters.meeting_type)
    if filters.status:
        stmt = stmt.where(Meeting.status == filters.status)
    if filters.text.strip():
        # Searching the minutes themselves: "which meeting discussed the sensor mats?" EXISTS
        # per meeting, walked newest first, stops at a page of matches; IN (…) read every item.
        minuted = (
            select(MeetingItem.id)
            .where(
                MeetingItem.meeting_id == Meeting.id,
                like_any(
                    [
                        MeetingItem.title.expression,
                        MeetingItem.discussion.expression,
                        MeetingItem.challenge.expression,
                    ],
                    filters.text,
                ),
            )
            .correlate(Meeting)
            .exists()
        )
        stmt = stmt.where(
            like_any(
                [Meeting.meeting_type.expression, chair_name, Meeting.other_attendees.expression],
                filters.text,
            )
            | minuted
        )
    page = keyset_page(
        session,
        stmt,
        sort=column,
        row_id=Meeting.id.expression,
        descending=descending,
        after=after,
        limit=limit,
    )
    # By position, not by name: a Row's named lookups cost more than the query on a full page.
    counts = _item_counts(session, [r[-1] for r in page.rows])
    rows = [
        MeetingRow._make((*r[:6], *counts.get(r[8], (0, 0)), r[6], r[7], r[8])) for r in page.rows
    ]
    return Page(rows=rows, last_key=page.last_key, more=page.more)


# The per-page figures below are built once, with the page's ids as one bound "expanding"
# parameter: ``in_(list)`` turned each of 300 ids into its own literal on every call (~5 ms).
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_ITEM_COUNTS = (
    select(MeetingItem.meeting_id, func.count(), func.count(case((MeetingItem.decision != "", 1))))
    .where(MeetingItem.meeting_id.in_(_IDS))
    .group_by(MeetingItem.meeting_id)
)
_ANSWER_COUNTS = (
    select(
        AuditAnswer.run_id,
        func.count(case((AuditAnswer.answer == "No", 1))),
        func.count(AuditAnswer.action_id),
    )
    .where(AuditAnswer.run_id.in_(_IDS))
    .group_by(AuditAnswer.run_id)
)


def _item_counts(session: Session, meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Meeting id → (agenda items, items with a decision), for one page of meetings."""
    if not meeting_ids:
        return {}
    found = session.connection().execute(_ITEM_COUNTS, {"ids": meeting_ids}).all()
    return {mid: (int(n), int(d)) for mid, n, d in found}


@dataclass(frozen=True)
class AuditRunFilter:
    service_id: int | None = None
    template_key: str = ""
    text: str = ""


class AuditRunRow(NamedTuple):
    id_: int
    run_on: date
    audit: str
    version: int
    home: str
    auditor: str
    score: float | None
    previous: float | None
    noes: int
    raised: int
    sort_value: Any
    id: int


def audit_run_page(
    session: Session,
    filters: AuditRunFilter,
    sort: str = "run_on",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Rows (``AuditRunRow``): id, run_on, audit, version, home, auditor, score, previous score,
    noes, actions raised, sort value, id. "Previous" is the run before at the same home, across
    versions.

    The page comes first; its previous scores and answer counts follow in two grouped queries over
    just its runs (as correlated subqueries they were worked out for every run sorted, ~30 ms)."""
    auditor = aliased(Person, name="auditor")
    auditor_name = func.coalesce(auditor.name, literal(""))
    sorts: dict[str, ColumnElement[Any]] = {
        "run_on": AuditRun.run_on.expression,
        "audit": AuditTemplate.name.expression,
        "home": Service.name.expression,
        "auditor": auditor_name,
        # -1 sorts "all N/A" runs below every real score without a NULL in the key.
        "score": func.coalesce(AuditRun.score_percent, literal(-1.0)),
    }
    column = sorts.get(sort, sorts["run_on"])
    stmt = (
        select(
            AuditRun.id.label("id_"),
            AuditRun.run_on,
            AuditTemplate.name.label("audit"),
            AuditTemplate.version,
            Service.name.label("home"),
            auditor_name.label("auditor"),
            AuditRun.score_percent.label("score"),
            AuditRun.service_id,
            AuditTemplate.key,
            column.label("sort_value"),
            AuditRun.id,
        )
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .join(Service, AuditRun.service_id == Service.id)
        .outerjoin(auditor, AuditRun.auditor_id == auditor.id)
    )
    if filters.service_id is not None:
        stmt = stmt.where(AuditRun.service_id == filters.service_id)
    if filters.template_key:
        stmt = stmt.where(AuditTemplate.key == filters.template_key)
    if filters.text.strip():
        stmt = stmt.where(
            like_any(
                [AuditTemplate.name.expression, auditor_name, AuditRun.notes.expression],
                filters.text,
            )
        )
    page = keyset_page(
        session,
        stmt,
        sort=column,
        row_id=AuditRun.id.expression,
        descending=descending,
        after=after,
        limit=limit,
    )
    previous = _previous_scores(session, page.rows)
    answers = _answer_counts(session, [r[-1] for r in page.rows])
    # By position (see meeting_page): id_ … score, previous, noes, raised, sort value, id.
    rows = [
        AuditRunRow._make((*r[:7], previous.get(r[10]), *answers.get(r[10], (0, 0)), r[9], r[10]))
        for r in page.rows
    ]
    return Page(rows=rows, last_key=page.last_key, more=page.more)


def _previous_scores(session: Session, runs: Sequence[Any]) -> dict[int, float | None]:
    """Run id → the score of the run before it of the same audit (any version) at the same home.
    ``runs``: the page query's rows (run on at 1, home at 7, audit key at 8, id last).

    One window query over the runs of just the page's audits and homes, up to its latest run."""
    if not runs:
        return {}
    wanted = {r[-1] for r in runs}
    keys = {r[8] for r in runs}
    homes = {r[7] for r in runs}
    previous = (
        func.lag(AuditRun.score_percent)
        .over(
            partition_by=(AuditRun.service_id, AuditTemplate.key),
            order_by=(AuditRun.run_on, AuditRun.id),
        )
        .label("previous")
    )
    stmt = (
        select(AuditRun.id, previous)
        .join(AuditTemplate, AuditRun.template_id == AuditTemplate.id)
        .where(
            AuditTemplate.key.in_(keys),
            AuditRun.service_id.in_(homes),
            AuditRun.run_on <= max(r[1] for r in runs),
        )
    )
    found = session.connection().execute(stmt).all()
    return {run_id: score for run_id, score in found if run_id in wanted}


def _answer_counts(session: Session, run_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Run id → ("No" answers, answers an action was raised from), for one page of runs."""
    if not run_ids:
        return {}
    found = session.connection().execute(_ANSWER_COUNTS, {"ids": run_ids}).all()
    return {rid: (int(n), int(r)) for rid, n, r in found}
