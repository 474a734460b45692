"""Lists of meetings and audit runs that grow without limit: sorted, filtered and paged in SQL.

A provider with ten homes holds a weekly meeting in each for years, so these never load every row;
the UI asks for one keyset page at a time (see ``listing.keyset_page``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session, aliased

from ..models import AuditAnswer, AuditRun, AuditTemplate, Meeting, MeetingItem, Person, Service
from .listing import PAGE_SIZE, Page, keyset_page, like_any

ALL_HOMES = "All homes"


@dataclass(frozen=True)
class MeetingFilter:
    service_id: int | None = None  # a home's list also shows provider meetings (they cover it)
    meeting_type: str = ""
    status: str = ""
    text: str = ""


def _chair() -> Any:
    return aliased(Person, name="chair")


def meeting_page(
    session: Session,
    filters: MeetingFilter,
    sort: str = "held_on",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Rows: id, held_on, meeting_type, home, chair, status, items, decided, sort value, id."""
    chair = _chair()
    items = (
        select(func.count(MeetingItem.id))
        .where(MeetingItem.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    decided = (
        select(func.count(MeetingItem.id))
        .where(MeetingItem.meeting_id == Meeting.id, MeetingItem.decision != "")
        .correlate(Meeting)
        .scalar_subquery()
    )
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
            items.label("items"),
            decided.label("decided"),
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
        # Searching the minutes themselves: "which meeting discussed the sensor mats?"
        minuted = (
            select(MeetingItem.meeting_id)
            .where(
                like_any(
                    [
                        MeetingItem.title.expression,
                        MeetingItem.discussion.expression,
                        MeetingItem.challenge.expression,
                    ],
                    filters.text,
                )
            )
            .scalar_subquery()
        )
        stmt = stmt.where(
            like_any(
                [Meeting.meeting_type.expression, chair_name, Meeting.other_attendees.expression],
                filters.text,
            )
            | Meeting.id.in_(minuted)
        )
    return keyset_page(
        session,
        stmt,
        sort=column,
        row_id=Meeting.id.expression,
        descending=descending,
        after=after,
        limit=limit,
    )


@dataclass(frozen=True)
class AuditRunFilter:
    service_id: int | None = None
    template_key: str = ""
    text: str = ""


def audit_run_page(
    session: Session,
    filters: AuditRunFilter,
    sort: str = "run_on",
    descending: bool = True,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Rows: id, run_on, audit, version, home, auditor, score, previous score, noes, actions
    raised, sort value, id. "Previous" is the run before at the same home, across versions."""
    auditor = aliased(Person, name="auditor")
    before = aliased(AuditRun, name="before")
    before_template = aliased(AuditTemplate, name="before_template")
    previous = (
        select(before.score_percent)
        .join(before_template, before.template_id == before_template.id)
        .where(
            before_template.key == AuditTemplate.key,
            before.service_id == AuditRun.service_id,
            (before.run_on < AuditRun.run_on)
            | ((before.run_on == AuditRun.run_on) & (before.id < AuditRun.id)),
        )
        .order_by(before.run_on.desc(), before.id.desc())
        .limit(1)
        .correlate(AuditRun, AuditTemplate)
        .scalar_subquery()
    )
    noes = (
        select(func.count(AuditAnswer.id))
        .where(AuditAnswer.run_id == AuditRun.id, AuditAnswer.answer == "No")
        .correlate(AuditRun)
        .scalar_subquery()
    )
    raised = (
        select(func.count(AuditAnswer.id))
        .where(AuditAnswer.run_id == AuditRun.id, AuditAnswer.action_id.is_not(None))
        .correlate(AuditRun)
        .scalar_subquery()
    )
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
            previous.label("previous"),
            noes.label("noes"),
            raised.label("raised"),
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
    return keyset_page(
        session,
        stmt,
        sort=column,
        row_id=AuditRun.id.expression,
        descending=descending,
        after=after,
        limit=limit,
    )
