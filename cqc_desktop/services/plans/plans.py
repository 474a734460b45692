"""Plans and findings: where an inspection report or concern enters the improvement system."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Finding, FindingStatement, Plan, Service
from ...models.enums import KeyQuestion, Origin, RiskArea
from ..errors import NotAllowed, NotFound, Problems
from ..reference import framework
from ..trust.permissions import Permission, require
from .codes import code_problem, item_ref, normalise_code, suggest_code, with_code
from .scheduling import risk_rag, risk_score


@dataclass
class PlanInput:
    service_id: int | None
    title: str
    origin: str
    report_date: date | None = None
    rating: str = ""
    summary: str = ""
    code: str = ""  # blank: suggested from the title


@dataclass
class FindingInput:
    title: str
    key_question: str
    risk_area: str
    likelihood: int
    impact: int
    statement_codes: list[str] = field(default_factory=list)
    breached_regulation: str = ""
    reference: str = ""
    description: str = ""
    root_cause: str = ""
    immediate_control: str = ""


def taken_codes(session: Session, except_plan_id: int | None = None) -> set[str]:
    stmt = select(Plan.code)
    if except_plan_id is not None:
        stmt = stmt.where(Plan.id != except_plan_id)
    return {c for c in session.scalars(stmt) if c}


def suggest_plan_code(session: Session, title: str, plan_id: int | None = None) -> str:
    """The code a new (or not yet used) plan would get from this title."""
    return suggest_code(title, taken_codes(session, plan_id))


def code_is_fixed(session: Session, plan_id: int) -> bool:
    """A plan's code is part of its references once it has findings, so it no longer changes."""
    return session.scalar(select(Finding.id).where(Finding.plan_id == plan_id).limit(1)) is not None


def _check_code(session: Session, p: Problems, code: str, plan_id: int | None) -> None:
    if not code:
        return
    problem = code_problem(code)
    if problem is not None:
        p.add("code", problem)
    elif code in taken_codes(session, plan_id):
        p.add("code", f"Another plan already has the code {code}; choose a different one.")


def _check_plan(session: Session, data: PlanInput, plan_id: int | None = None) -> None:
    p = Problems()
    _check_code(session, p, normalise_code(data.code), plan_id)
    p.require(
        "title", data.title, "Give the plan a title, for example “CQC inspection March 2026”."
    )
    if data.service_id is None or session.get(Service, data.service_id) is None:
        p.add("service", "Choose the care home this plan is for.")
    p.choice("origin", data.origin, Origin, "origin")
    if data.origin == Origin.CQC_INSPECTION and data.report_date is None:
        p.add(
            "report_date", "Enter the date of the CQC report: the action plan is due 28 days later."
        )
    if data.rating and data.rating not in framework().ratings:
        p.add("rating", f"Choose a rating from the list ({', '.join(framework().ratings)}).")
    p.raise_if_any()


def create_plan(session: Session, data: PlanInput) -> Plan:
    require(session, Permission.EDIT_PLANS)
    _check_plan(session, data)
    assert data.service_id is not None
    plan = Plan(
        service_id=data.service_id,
        title=data.title.strip(),
        code=normalise_code(data.code) or suggest_plan_code(session, data.title),
        origin=data.origin,
        report_date=data.report_date,
        rating=data.rating,
        summary=data.summary.strip(),
    )
    session.add(plan)
    session.flush()
    return plan


def update_plan(session: Session, plan_id: int, data: PlanInput) -> Plan:
    require(session, Permission.EDIT_PLANS)
    plan = get_plan(session, plan_id)
    _check_plan(session, data, plan_id)
    assert data.service_id is not None
    code = normalise_code(data.code) or plan.code
    if code != plan.code and plan.code and code_is_fixed(session, plan_id):
        raise NotAllowed(
            f"The plan code {plan.code} is already part of its findings' and actions' references, "
            "so it can no longer be changed."
        )
    plan.code = code or suggest_plan_code(session, data.title, plan_id)
    plan.service_id = data.service_id
    plan.title = data.title.strip()
    plan.origin = data.origin
    plan.report_date = data.report_date
    plan.rating = data.rating
    plan.summary = data.summary.strip()
    session.flush()
    return plan


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("That plan no longer exists.")
    return plan


def list_plans(session: Session, service_id: int | None = None) -> list[Plan]:
    stmt = select(Plan).where(Plan.archived.is_(False)).order_by(Plan.report_date.desc(), Plan.id)
    if service_id is not None:
        stmt = stmt.where(Plan.service_id == service_id)
    return list(session.scalars(stmt))


def _check_finding(data: FindingInput) -> None:
    p = Problems()
    fw = framework()
    p.require("title", data.title, "Say in a few words what was found.")
    p.choice("key_question", data.key_question, KeyQuestion, "key question")
    p.choice("risk_area", data.risk_area, RiskArea, "risk area")
    for name in ("likelihood", "impact"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            p.add(name, f"{name.capitalize()} must be a whole number from 1 to 5.")
    unknown = [c for c in data.statement_codes if fw.statement(c) is None]
    if unknown:
        p.add("statements", f"Unknown quality statement(s): {', '.join(unknown)}.")
    if data.breached_regulation and fw.regulation_name(data.breached_regulation) is None:
        p.add(
            "breached_regulation",
            "Choose the breached regulation from the list, or leave it blank.",
        )
    p.raise_if_any()


def _apply_finding(finding: Finding, data: FindingInput) -> None:
    finding.title = data.title.strip()
    finding.reference = data.reference.strip()
    finding.description = data.description.strip()
    finding.key_question = data.key_question
    finding.risk_area = data.risk_area
    finding.likelihood = data.likelihood
    finding.impact = data.impact
    finding.score = risk_score(data.likelihood, data.impact)
    finding.rag = risk_rag(finding.score).value
    finding.breached_regulation = data.breached_regulation
    finding.root_cause = data.root_cause.strip()
    finding.immediate_control = data.immediate_control.strip()
    wanted = list(dict.fromkeys(data.statement_codes))
    finding.statements = [
        next((s for s in finding.statements if s.statement_code == code), None)
        or FindingStatement(statement_code=code)
        for code in wanted
    ]


def create_finding(session: Session, plan_id: int, data: FindingInput) -> Finding:
    require(session, Permission.EDIT_PLANS)
    plan = get_plan(session, plan_id)
    _check_finding(data)
    finding = Finding(plan_id=plan_id)
    _apply_finding(finding, data)
    finding.reference = with_code(plan.code, finding.reference)
    if not finding.reference:
        count = len(session.scalars(select(Finding.id).where(Finding.plan_id == plan_id)).all())
        finding.reference = item_ref(plan.code, "F", count + 1)
    session.add(finding)
    session.flush()
    return finding


def update_finding(session: Session, finding_id: int, data: FindingInput) -> Finding:
    require(session, Permission.EDIT_PLANS)
    finding = get_finding(session, finding_id)
    _check_finding(data)
    _apply_finding(finding, data)
    finding.reference = with_code(finding.plan.code, finding.reference)
    session.flush()
    return finding


def get_finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("That finding no longer exists.")
    return finding


def archive_plan(session: Session, plan_id: int) -> Plan:
    """Archive a finished plan and its actions. Nothing is deleted: the history stays reportable."""
    require(session, Permission.EDIT_PLANS)
    plan = get_plan(session, plan_id)
    plan.archived = True
    for finding in plan.findings:
        for action in finding.actions:
            action.archived = True
    session.flush()
    return plan


def restore_plan(session: Session, plan_id: int) -> Plan:
    """Bring an archived plan, and the actions archived with it, back into the lists."""
    require(session, Permission.EDIT_PLANS)
    plan = get_plan(session, plan_id)
    plan.archived = False
    for finding in plan.findings:
        for action in finding.actions:
            action.archived = False
    session.flush()
    return plan


def delete_finding(session: Session, finding_id: int) -> None:
    """Remove a finding entered by mistake. One with actions has history and is never deleted."""
    require(session, Permission.EDIT_PLANS)
    finding = get_finding(session, finding_id)
    if finding.actions:
        raise NotAllowed(
            f"Finding {finding.reference} has actions, so it is kept as part of the plan's "
            "history. Archive the plan when it is finished."
        )
    session.delete(finding)
    session.flush()
