"""The Plan → Finding tree beside the action list, and the open-action counts the dashboard shows
by key question and RAG. A handful of grouped queries, whatever the number of actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..models import Action, Finding, Person, Plan, Service
from ..models.enums import ActionStatus

FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True)
class FindingNode:
    finding_id: int
    reference: str
    title: str
    key_question: str
    risk_area: str
    score: int
    rag: str
    open_actions: int
    actions: int


@dataclass(frozen=True)
class PlanNode:
    plan_id: int
    title: str
    service: str
    origin: str
    report_date: date | None
    archived: bool
    open_actions: int
    actions: int
    findings: list[FindingNode]


def plan_tree(
    session: Session, service_id: int | None = None, *, include_archived: bool = False
) -> list[PlanNode]:
    """Plans (newest report first) with their findings and action counts: two queries in all."""
    plan_stmt = (
        select(Plan.id, Plan.title, Service.name, Plan.origin, Plan.report_date, Plan.archived)
        .join(Service, Plan.service_id == Service.id)
        .order_by(func.coalesce(Plan.report_date, FAR_FUTURE).desc(), Plan.id.desc())
    )
    if service_id is not None:
        plan_stmt = plan_stmt.where(Plan.service_id == service_id)
    if not include_archived:
        plan_stmt = plan_stmt.where(Plan.archived.is_(False))
    plan_rows = session.execute(plan_stmt).all()
    ids = [r[0] for r in plan_rows]
    # The findings of those same plans, by joining on the same conditions: an IN list of every
    # plan id was turned into one literal per plan on each refresh.
    plan_ids = select(Plan.id)
    if service_id is not None:
        plan_ids = plan_ids.where(Plan.service_id == service_id)
    if not include_archived:
        plan_ids = plan_ids.where(Plan.archived.is_(False))
    open_case = case(
        (and_(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False)), 1),
        else_=0,
    )
    live_case = case((Action.archived.is_(False), 1), else_=0)
    finding_rows = (
        session.execute(
            select(
                Finding.plan_id,
                Finding.id,
                Finding.reference,
                Finding.title,
                Finding.key_question,
                Finding.risk_area,
                Finding.score,
                Finding.rag,
                func.coalesce(func.sum(open_case), 0),
                func.coalesce(func.sum(live_case), 0),
            )
            .outerjoin(Action, Action.finding_id == Finding.id)
            .where(Finding.plan_id.in_(plan_ids.scalar_subquery()))
            .group_by(Finding.id)
            .order_by(Finding.plan_id, Finding.id)
        ).all()
        if ids
        else []
    )
    by_plan: dict[int, list[FindingNode]] = {pid: [] for pid in ids}
    for row in finding_rows:
        by_plan[row[0]].append(
            FindingNode(
                finding_id=row[1],
                reference=row[2],
                title=row[3],
                key_question=row[4],
                risk_area=row[5],
                score=row[6],
                rag=row[7],
                open_actions=int(row[8]),
                actions=int(row[9]),
            )
        )
    return [
        PlanNode(
            plan_id=r[0],
            title=r[1],
            service=r[2],
            origin=r[3],
            report_date=r[4],
            archived=bool(r[5]),
            open_actions=sum(f.open_actions for f in by_plan[r[0]]),
            actions=sum(f.actions for f in by_plan[r[0]]),
            findings=by_plan[r[0]],
        )
        for r in plan_rows
    ]


# --- dashboard figures -----------------------------------------------------------------------


def open_counts_by_key_question_and_rag(
    session: Session, service_id: int | None = None
) -> dict[tuple[str, str], int]:
    """Open (not closed, not archived) actions counted by (key question, RAG)."""
    stmt = (
        select(Finding.key_question, Action.rag, func.count(Action.id))
        .join(Action, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .where(
            Action.status != ActionStatus.CLOSED.value,
            Action.archived.is_(False),
            Plan.archived.is_(False),
        )
        .group_by(Finding.key_question, Action.rag)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return {(kq, rag): int(n) for kq, rag, n in session.execute(stmt)}


def leads(session: Session, service_id: int | None = None) -> list[tuple[int, str]]:
    """People who lead at least one action (for the Lead filter), by name."""
    stmt = (
        select(Person.id, Person.name)
        .join(Action, Action.accountable_lead_id == Person.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .distinct()
        .order_by(Person.name)
    )
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return [(pid, name) for pid, name in session.execute(stmt)]
