"""The Plans tab's action list: filtered, sorted and paged in SQL, with each row's figures.

A page of actions costs two queries whatever the size of the database (STYLE.md: sort and filter in
SQL, page with keyset): the page itself, then the figures each row shows (measure status, evidence
counted by source type) as grouped SQL over just that page's actions. Working the figures out for
every action before paging took ~100 ms at 1,000 actions; for one page it is a few milliseconds.
Only sorting by measure or evidence needs the figures for every row, and only that one is joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Float,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from ...models import (
    Action,
    Evidence,
    Finding,
    FindingStatement,
    Measure,
    MeasurePoint,
    Person,
    Plan,
    Service,
)
from ...models.enums import ActionStatus, Rag
from ..listing import PAGE_SIZE, Page, keyset_page, like_any
from ..reference import source_types

# A statement of any number of columns (Select is generic over the tuple of its column types).
AnySelect = Select[*tuple[Any, ...]]

STATUS_OPEN = "Open"
"""Filter value meaning "not closed" (Not started or In progress)."""

STATUS_CHOICES = (STATUS_OPEN, *(s.value for s in ActionStatus))
FAR_FUTURE = date(9999, 12, 31)
Ids = list[int] | BindParameter[Any] | None
"""Action ids to restrict a summary to: a list, a bound "expanding" parameter, or None for all."""


@dataclass(frozen=True)
class PlanFilters:
    """What the Plans tab's filter bar and tree selection ask for. ``None`` means "any"."""

    service_id: int | None = None
    plan_id: int | None = None
    finding_id: int | None = None
    status: str | None = None  # STATUS_OPEN or an ActionStatus value
    risk_area: str | None = None
    lead_id: int | None = None
    key_question: str | None = None
    statement_code: str | None = None
    overdue_only: bool = False
    text: str = ""
    include_archived: bool = False


@dataclass(frozen=True)
class ActionListRow:
    action_id: int
    reference: str
    title: str
    plan_id: int
    plan_title: str
    service: str
    finding_id: int
    finding_reference: str
    finding_title: str
    key_question: str
    risk_area: str
    lead_id: int
    lead: str
    rag: str
    status: str
    due_date: date
    next_review: date | None
    closed_with_override: bool
    archived: bool
    measures: int
    measures_with_data: int
    measures_at_target: int
    latest_value: float | None  # only when the action has exactly one measure
    target: float | None
    evidence_total: int
    evidence_by_type: dict[str, int] = field(default_factory=dict)  # source type name → count
    today: date | None = None

    @property
    def closed(self) -> bool:
        return self.status == ActionStatus.CLOSED

    @property
    def review_overdue(self) -> bool:
        return (
            not self.closed
            and self.next_review is not None
            and self.today is not None
            and self.next_review < self.today
        )

    @property
    def due_overdue(self) -> bool:
        return not self.closed and self.today is not None and self.due_date < self.today

    @property
    def measure_status(self) -> str:
        if self.measures == 0:
            return "No measure"
        if self.measures_with_data == 0:
            return "No data yet"
        if self.measures == 1 and self.latest_value is not None and self.target is not None:
            verdict = "At target" if self.measures_at_target else "Off target"
            return f"{verdict} ({_num(self.latest_value)}; target {_num(self.target)})"
        if self.measures_at_target == self.measures:
            return "All at target"
        return f"{self.measures_at_target} of {self.measures} at target"

    @property
    def measure_short(self) -> str:
        """The measure status in a few characters, for a narrow column."""
        if self.measures == 0:
            return "No measure"
        if self.measures_with_data == 0:
            return "No data yet"
        if self.measures == 1 and self.latest_value is not None and self.target is not None:
            mark = "✔" if self.measures_at_target else "✘"
            return f"{mark} {_num(self.latest_value)} (target {_num(self.target)})"
        return f"{self.measures_at_target}/{self.measures} at target"

    @property
    def evidence_summary(self) -> str:
        if not self.evidence_total:
            return "None"
        parts = ", ".join(f"{name} {n}" for name, n in self.evidence_by_type.items())
        return f"{self.evidence_total}: {parts}"


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


# --- the action list ------------------------------------------------------------------------

# A measure's target: a relative target is a percentage change on the baseline.
_GOAL = case(
    (
        Measure.target_kind == "relative",
        Measure.baseline_value * (1 + Measure.target_value / 100.0),
    ),
    else_=Measure.target_value,
)


def _measure_summary(today: date, action_ids: list[int] | None = None) -> Any:
    """Per action: how many measures, how many have a point, how many have their latest at target."""
    latest_stmt = (
        select(
            MeasurePoint.measure_id.label("measure_id"),
            func.max(MeasurePoint.period_start).label("latest"),
        )
        .where(MeasurePoint.period_start <= today)
        .group_by(MeasurePoint.measure_id)
    )
    if action_ids is not None:
        latest_stmt = latest_stmt.where(
            MeasurePoint.measure_id.in_(select(Measure.id).where(Measure.action_id.in_(action_ids)))
        )
    latest = latest_stmt.subquery()
    point = aliased(MeasurePoint)
    goal = _GOAL
    at_target = case(
        (point.value.is_(None), 0),
        (and_(Measure.direction == "lower", point.value <= goal + 1e-9), 1),
        (and_(Measure.direction == "higher", point.value >= goal - 1e-9), 1),
        else_=0,
    )
    stmt = (
        select(
            Measure.action_id.label("action_id"),
            func.count(Measure.id).label("measures"),
            func.count(point.value).label("with_data"),
            func.sum(at_target).label("at_target"),
            func.max(point.value).label("latest_value"),
            func.max(cast(goal, Float)).label("target"),
        )
        .select_from(Measure)
        .outerjoin(latest, latest.c.measure_id == Measure.id)
        .outerjoin(
            point,
            and_(point.measure_id == Measure.id, point.period_start == latest.c.latest),
        )
        .group_by(Measure.action_id)
    )
    if action_ids is not None:
        stmt = stmt.where(Measure.action_id.in_(action_ids))
    return stmt.subquery()


def _evidence_summary(action_ids: Ids = None) -> Any:
    """Per action: total evidence and "code:count,code:count" by source type (portable SQL)."""
    by_type_stmt = select(
        Evidence.action_id.label("action_id"),
        Evidence.source_type.label("source_type"),
        func.count().label("n"),
    ).group_by(Evidence.action_id, Evidence.source_type)
    if action_ids is not None:
        by_type_stmt = by_type_stmt.where(Evidence.action_id.in_(action_ids))
    by_type = by_type_stmt.subquery()
    return (
        select(
            by_type.c.action_id,
            func.sum(by_type.c.n).label("total"),
            func.aggregate_strings(
                by_type.c.source_type + literal(":") + cast(by_type.c.n, String), ","
            ).label("by_type"),
        )
        .group_by(by_type.c.action_id)
        .subquery()
    )


_RAG_RANK = case((Action.rag == Rag.RED.value, 0), (Action.rag == Rag.AMBER.value, 1), else_=2)
_STATUS_RANK = case(
    (Action.status == ActionStatus.NOT_STARTED.value, 0),
    (Action.status == ActionStatus.IN_PROGRESS.value, 1),
    else_=2,
)


def _sort_columns(measures: Any, evidence: Any) -> dict[str, Any]:
    """Sort expressions; ``measures``/``evidence`` are the summary subqueries (or None)."""
    return {
        "reference": Action.reference,
        "title": Action.title,
        "plan": Plan.title,
        "finding": Finding.id,
        "lead": Person.name,
        "rag": _RAG_RANK,
        "status": _STATUS_RANK,
        "due": Action.due_date,
        "next_review": func.coalesce(Action.next_review_date, FAR_FUTURE),
        "measure": func.coalesce(measures.c.at_target, -1) if measures is not None else None,
        "evidence": func.coalesce(evidence.c.total, 0) if evidence is not None else None,
    }


SORT_KEYS = (
    "reference",
    "title",
    "plan",
    "finding",
    "lead",
    "rag",
    "status",
    "due",
    "next_review",
    "measure",
    "evidence",
)


def _filtered(stmt: AnySelect, filters: PlanFilters, today: date) -> AnySelect:
    f = filters
    if not f.include_archived:
        stmt = stmt.where(Action.archived.is_(False), Plan.archived.is_(False))
    if f.service_id is not None:
        stmt = stmt.where(Plan.service_id == f.service_id)
    if f.plan_id is not None:
        stmt = stmt.where(Finding.plan_id == f.plan_id)
    if f.finding_id is not None:
        stmt = stmt.where(Action.finding_id == f.finding_id)
    if f.status == STATUS_OPEN:
        stmt = stmt.where(Action.status != ActionStatus.CLOSED.value)
    elif f.status:
        stmt = stmt.where(Action.status == f.status)
    if f.risk_area:
        stmt = stmt.where(Finding.risk_area == f.risk_area)
    if f.lead_id is not None:
        stmt = stmt.where(Action.accountable_lead_id == f.lead_id)
    if f.key_question:
        stmt = stmt.where(Finding.key_question == f.key_question)
    if f.statement_code:
        stmt = stmt.where(
            Finding.id.in_(
                select(FindingStatement.finding_id).where(
                    FindingStatement.statement_code == f.statement_code
                )
            )
        )
    if f.overdue_only:
        stmt = stmt.where(
            Action.status != ActionStatus.CLOSED.value,
            or_(Action.next_review_date < today, Action.due_date < today),
        )
    if f.text.strip():
        stmt = stmt.where(
            like_any(
                [
                    c.expression
                    for c in (
                        Action.reference,
                        Action.title,
                        Action.description,
                        Finding.title,
                        Plan.title,
                        Person.name,
                    )
                ],
                f.text,
            )
        )
    return stmt


def action_page(
    session: Session,
    filters: PlanFilters,
    today: date,
    *,
    sort: str = "next_review",
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of actions as ``ActionListRow`` values, filtered and sorted in SQL."""
    if sort not in SORT_KEYS:
        raise ValueError(f"Unknown sort key {sort!r}")
    measures = _measure_summary(today) if sort == "measure" else None
    evidence = _evidence_summary() if sort == "evidence" else None
    sort_col = _sort_columns(measures, evidence)[sort]
    stmt: AnySelect = (
        select(*_ROW_COLUMNS, sort_col, Action.id)
        .select_from(Action)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .join(Person, Action.accountable_lead_id == Person.id)
    )
    if measures is not None:
        stmt = stmt.outerjoin(measures, measures.c.action_id == Action.id)
    if evidence is not None:
        stmt = stmt.outerjoin(evidence, evidence.c.action_id == Action.id)
    stmt = _filtered(stmt, filters, today)
    page = keyset_page(
        session,
        stmt,
        sort=sort_col,
        row_id=Action.id.expression,
        descending=descending,
        after=after,
        limit=limit,
    )
    figures = _figures(session, [r[0] for r in page.rows], today)
    names = {s.code: s.name for s in source_types()}
    rows = [_row(r, figures.get(r[0], _NO_FIGURES), today, names) for r in page.rows]
    return Page(rows=rows, last_key=page.last_key, more=page.more)


_ROW_COLUMNS = (
    Action.id,
    Action.reference,
    Action.title,
    Plan.id,
    Plan.title,
    Service.name,
    Finding.id,
    Finding.reference,
    Finding.title,
    Finding.key_question,
    Finding.risk_area,
    Person.id,
    Person.name,
    Action.rag,
    Action.status,
    Action.due_date,
    Action.next_review_date,
    Action.closed_with_override,
    Action.archived,
)


@dataclass
class _Figures:
    """One action's measure and evidence figures, as the list row shows them."""

    measures: int = 0
    with_data: int = 0
    at_target: int = 0
    latest_value: float | None = None  # the highest latest value (read when one measure)
    target: float | None = None  # the highest target (read when one measure)
    evidence_total: int = 0
    evidence_by_code: dict[str, int] = field(default_factory=dict)


# Built once with bound parameters (building statements afresh for every page cost more than
# running them): ``ids`` holds the page's action ids, ``today`` the day the list is shown for.
_PAGE_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_TODAY: BindParameter[date] = bindparam("today", type_=Date)
_LATEST_VALUE = (
    select(MeasurePoint.value)
    .where(MeasurePoint.measure_id == Measure.id, MeasurePoint.period_start <= _TODAY)
    .order_by(MeasurePoint.period_start.desc())
    .limit(1)
    .correlate(Measure)
    .scalar_subquery()
)
# Each measure of the page with its latest point on or before today: one seek per measure in the
# (measure, period) unique index.
_PAGE_MEASURES = select(
    Measure.action_id, Measure.direction, cast(_GOAL, Float), _LATEST_VALUE
).where(Measure.action_id.in_(_PAGE_IDS))
# Evidence counted by (action, source type) from the index on those two columns alone, then joined
# into "code:n,code:n" per action: 300 rows back rather than ~2,000.
_PAGE_EVIDENCE = select(_evidence_summary(_PAGE_IDS))


def _figures(session: Session, ids: list[int], today: date) -> dict[int, _Figures]:
    """Measure and evidence figures for one page of actions: two queries, not one per row. The
    same figures as ``_measure_summary``/``_evidence_summary``, which sorting by them uses."""
    if not ids:
        return {}
    out = {i: _Figures() for i in ids}
    conn = session.connection()
    measures = conn.execute(_PAGE_MEASURES, {"ids": ids, "today": today}).all()
    for aid, direction, goal, value in measures:
        f = out[aid]
        f.measures += 1
        f.target = goal if f.target is None or (goal is not None and goal > f.target) else f.target
        if value is None:
            continue
        f.with_data += 1
        if f.latest_value is None or value > f.latest_value:
            f.latest_value = value
        if goal is not None and (
            (direction == "lower" and value <= goal + 1e-9)
            or (direction == "higher" and value >= goal - 1e-9)
        ):
            f.at_target += 1
    for aid, total, by_code in conn.execute(_PAGE_EVIDENCE, {"ids": ids}).all():
        f = out[aid]
        f.evidence_total = int(total or 0)
        for part in (by_code or "").split(","):
            code, _, n = part.rpartition(":")
            if code:
                f.evidence_by_code[code] = int(n)
    return out


_NO_FIGURES = _Figures()


def _row(r: Any, f: _Figures, today: date, names: dict[str, str]) -> ActionListRow:
    one = f.measures == 1
    return ActionListRow(
        action_id=r[0],
        reference=r[1],
        title=r[2],
        plan_id=r[3],
        plan_title=r[4],
        service=r[5],
        finding_id=r[6],
        finding_reference=r[7],
        finding_title=r[8],
        key_question=r[9],
        risk_area=r[10],
        lead_id=r[11],
        lead=r[12],
        rag=r[13],
        status=r[14],
        due_date=r[15],
        next_review=r[16],
        closed_with_override=bool(r[17]),
        archived=bool(r[18]),
        measures=f.measures,
        measures_with_data=f.with_data,
        measures_at_target=f.at_target,
        latest_value=f.latest_value if one else None,
        target=f.target if one else None,
        evidence_total=f.evidence_total,
        evidence_by_type=_by_type(f.evidence_by_code, names),
        today=today,
    )


def _by_type(by_code: dict[str, int], names: dict[str, str]) -> dict[str, int]:
    """{source type code: n} → {source type name: n}, most first; ``names`` maps code → name."""
    counts = {names.get(code, code): n for code, n in by_code.items()}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def count_actions(session: Session, filters: PlanFilters, today: date) -> int:
    """How many actions match (for the "n actions" line under the list)."""
    stmt: AnySelect = (
        select(func.count(Action.id))
        .select_from(Action)
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Person, Action.accountable_lead_id == Person.id)
    )
    return int(session.scalar(_filtered(stmt, filters, today)) or 0)
