"""The Plan → Finding tree beside the action list, and the open-action counts the dashboard shows
by key question and RAG. A handful of grouped queries, whatever the number of actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import BindParameter, Executable, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from ...models import Action, Finding, Person, Plan, Service
from ...models.enums import ActionStatus

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


_SERVICE: BindParameter[int] = bindparam("service_id")


@cache
def _tree_statements(
    one_home: bool, include_archived: bool
) -> tuple[Executable, Executable, Executable]:
    """The tree's three statements for one shape of filter, built once: building and keying
    them afresh on every refresh cost as much as running them."""
    plan_stmt = (
        select(Plan.id, Plan.title, Service.name, Plan.origin, Plan.report_date, Plan.archived)
        .join(Service, Plan.service_id == Service.id)
        .order_by(func.coalesce(Plan.report_date, FAR_FUTURE).desc(), Plan.id.desc())
    )
    # The findings of those same plans, by joining on the same conditions: an IN list of every
    # plan id was turned into one literal per plan on each refresh.
    plan_ids = select(Plan.id)
    if one_home:
        plan_stmt = plan_stmt.where(Plan.service_id == _SERVICE)
        plan_ids = plan_ids.where(Plan.service_id == _SERVICE)
    if not include_archived:
        plan_stmt = plan_stmt.where(Plan.archived.is_(False))
        plan_ids = plan_ids.where(Plan.archived.is_(False))
    finding_stmt = (
        select(
            Finding.plan_id,
            Finding.id,
            Finding.reference,
            Finding.title,
            Finding.key_question,
            Finding.risk_area,
            Finding.score,
            Finding.rag,
        )
        .where(Finding.plan_id.in_(plan_ids.scalar_subquery()))
        .order_by(Finding.plan_id, Finding.id)
    )
    # Action counts per finding in one grouped pass over the action table: cheaper than an outer
    # join from each finding, which reads every action row through the finding index.
    open_case = case(
        (and_(Action.status != ActionStatus.CLOSED.value, Action.archived.is_(False)), 1),
        else_=0,
    )
    live_case = case((Action.archived.is_(False), 1), else_=0)
    count_stmt = select(Action.finding_id, func.sum(open_case), func.sum(live_case)).group_by(
        Action.finding_id
    )
    return plan_stmt, finding_stmt, count_stmt


def plan_tree(
    session: Session, service_id: int | None = None, *, include_archived: bool = False
) -> list[PlanNode]:
    """Plans (newest report first) with their findings and action counts: three queries in all.
    Read through the session's connection, so changes not yet flushed are not seen."""
    plan_stmt, finding_stmt, count_stmt = _tree_statements(service_id is not None, include_archived)
    params = {"service_id": service_id} if service_id is not None else {}
    # Core execution (the rows are plain tuples, not ORM entities): the ORM layer's own handling of
    # these statements cost more than the queries themselves on a ten-home provider.
    conn = session.connection()
    plan_rows = conn.execute(plan_stmt, params).all()
    if not plan_rows:
        return []
    finding_rows = conn.execute(finding_stmt, params).all()
    counts = {
        finding_id: (int(open_n or 0), int(live_n or 0))
        for finding_id, open_n, live_n in conn.execute(count_stmt).all()
    }
    by_plan: dict[int, list[FindingNode]] = {r[0]: [] for r in plan_rows}
    none = (0, 0)
    for plan_id, fid, reference, title, key_question, risk_area, score, rag in finding_rows:
        open_n, live_n = counts.get(fid, none)
        by_plan[plan_id].append(
            FindingNode(fid, reference, title, key_question, risk_area, score, rag, open_n, live_n)
        )
    nodes = []
    for plan_id, title, service, origin, report_date, archived in plan_rows:
        findings = by_plan[plan_id]
        nodes.append(
            PlanNode(
                plan_id,
                title,
                service,
                origin,
                report_date,
                bool(archived),
                sum(f.open_actions for f in findings),
                sum(f.actions for f in findings),
                findings,
            )
        )
    return nodes


# --- dashboard figures -----------------------------------------------------------------------


@cache
def _leads_statement(one_home: bool) -> Executable:
    stmt = (
        select(Person.id, Person.name)
        .join(Action, Action.accountable_lead_id == Person.id)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .distinct()
        .order_by(Person.name)
    )
    return stmt.where(Plan.service_id == _SERVICE) if one_home else stmt


def leads(session: Session, service_id: int | None = None) -> list[tuple[int, str]]:
    """People who lead at least one action (for the Lead filter), by name (through the session's
    connection, as ``plan_tree``)."""
    params = {"service_id": service_id} if service_id is not None else {}
    rows = session.connection().execute(_leads_statement(service_id is not None), params)
    return [(pid, name) for pid, name in rows]
