"""Data for the CQC action plan (per breached regulation) and for governance minutes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Action, Finding, Meeting, MeetingItem, Person, Plan, Service
from ...models.enums import MinutesStatus, Origin
from ..errors import NotFound
from ..plans.codes import statement_label
from ..reference import framework
from .common import ActionLine, HomeInfo, action_lines, home_info
from .evidence import StepLine, step_lines
from .measures import MeasureSeries, measure_series


@dataclass(frozen=True)
class PlanAction:
    line: ActionLine
    description: str
    steps: tuple[StepLine, ...]
    measures: tuple[MeasureSeries, ...]
    oversight_plan: str
    escalation_route: str
    early_warning_signs: str
    triggers: str


@dataclass(frozen=True)
class PlanFinding:
    reference: str
    title: str
    description: str
    root_cause: str
    immediate_control: str
    statements: tuple[str, ...]  # "S8 Medicines optimisation"
    actions: tuple[PlanAction, ...]


@dataclass(frozen=True)
class RegulationSection:
    code: str
    name: str
    findings: tuple[PlanFinding, ...]


@dataclass(frozen=True)
class ActionPlanDoc:
    home: HomeInfo
    plan_id: int
    title: str
    origin: str
    report_date: date | None
    due: date | None  # to CQC, 28 days after the report: CQC-inspection plans only
    rating: str
    summary: str
    as_of: date
    regulations: tuple[RegulationSection, ...]
    other_findings: tuple[PlanFinding, ...]  # no regulation breached

    @property
    def for_cqc(self) -> bool:
        """Only a plan raised from a CQC inspection is sent to CQC."""
        return self.origin == Origin.CQC_INSPECTION.value


def _regulation_order(code: str) -> tuple[int, str]:
    match = re.match(r"(\d+)(.*)", code)
    return (int(match[1]), match[2]) if match else (999, code)


def action_plan(session: Session, plan_id: int, today: date) -> ActionPlanDoc:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"There is no plan with ID {plan_id}.")
    fw = framework()
    lines = action_lines(session, today, plan_id=plan.id)
    ids = [a.id for a in lines]
    details = {a.id: a for a in session.scalars(select(Action).where(Action.id.in_(ids)))}
    steps = step_lines(session, ids) if ids else {}
    measures: dict[int, list[MeasureSeries]] = defaultdict(list)
    for m in measure_series(session, today, action_ids=ids):
        measures[m.action_id].append(m)
    by_finding: dict[int, list[PlanAction]] = defaultdict(list)
    for line in lines:
        action = details[line.id]
        by_finding[line.finding_id].append(
            PlanAction(
                line=line,
                description=action.description,
                steps=tuple(steps.get(line.id, [])),
                measures=tuple(measures.get(line.id, [])),
                oversight_plan=action.oversight_plan,
                escalation_route=action.escalation_route,
                early_warning_signs=action.early_warning_signs,
                triggers=action.triggers,
            )
        )
    grouped: dict[str, list[PlanFinding]] = defaultdict(list)
    others: list[PlanFinding] = []
    findings = session.scalars(
        select(Finding).where(Finding.plan_id == plan.id).order_by(Finding.id)
    ).all()
    for f in findings:
        names = tuple(
            statement_label(code, st.name)
            for code in f.statement_codes
            if (st := fw.statement(code))
        )
        item = PlanFinding(
            f.reference,
            f.title,
            f.description,
            f.root_cause,
            f.immediate_control,
            names,
            tuple(by_finding.get(f.id, [])),
        )
        if f.breached_regulation.strip():
            grouped[f.breached_regulation.strip()].append(item)
        else:
            others.append(item)
    sections = tuple(
        RegulationSection(code, fw.regulation_name(code) or "", tuple(grouped[code]))
        for code in sorted(grouped, key=_regulation_order)
    )
    return ActionPlanDoc(
        home=home_info(plan.service),
        plan_id=plan.id,
        title=plan.title,
        origin=plan.origin,
        report_date=plan.report_date,
        due=plan.action_plan_due if plan.origin == Origin.CQC_INSPECTION.value else None,
        rating=plan.rating,
        summary=plan.summary,
        as_of=today,
        regulations=sections,
        other_findings=tuple(others),
    )


# --- governance minutes -----------------------------------------------------------------------


@dataclass(frozen=True)
class MinuteItem:
    number: int
    title: str
    kind: str
    action_label: str
    detail: str
    discussion: str
    challenge: str
    assurance: str
    decision: str
    owner: str
    due: date | None
    carried_forward: bool


@dataclass(frozen=True)
class Addendum:
    added_on: date
    author: str
    text: str


@dataclass(frozen=True)
class MinutesDoc:
    meeting_id: int
    home: str  # the home's name, or "All homes" for a provider meeting
    meeting_type: str
    held_on: date
    chair: str
    attendees: tuple[str, ...]
    other_attendees: str
    apologies: str
    status: str
    approved_by: str
    approved_on: date | None
    items: tuple[MinuteItem, ...]
    addenda: tuple[Addendum, ...]

    @property
    def approved(self) -> bool:
        return self.status == MinutesStatus.APPROVED.value


def minutes(session: Session, meeting_id: int) -> MinutesDoc:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting with ID {meeting_id}.")
    people = {p.id: p for p in session.scalars(select(Person))}

    def name(person_id: int | None) -> str:
        person = people.get(person_id) if person_id is not None else None
        return person.name if person else ""

    home = session.get(Service, meeting.service_id) if meeting.service_id else None
    actions = {
        a.id: f"{a.reference} {a.title}".strip()
        for a in session.scalars(
            select(Action).where(
                Action.id.in_([i.action_id for i in meeting.items if i.action_id is not None])
            )
        )
    }
    items = session.scalars(
        select(MeetingItem)
        .where(MeetingItem.meeting_id == meeting.id)
        .order_by(MeetingItem.position, MeetingItem.id)
    ).all()
    return MinutesDoc(
        meeting_id=meeting.id,
        home=home.name if home else "All homes",
        meeting_type=meeting.meeting_type,
        held_on=meeting.held_on,
        chair=name(meeting.chair_id),
        attendees=tuple(
            f"{p.name} ({p.role})" if p.role else p.name
            for pid in meeting.attendee_ids
            if (p := people.get(pid)) is not None
        ),
        other_attendees=meeting.other_attendees,
        apologies=meeting.apologies,
        status=meeting.status,
        approved_by=name(meeting.approved_by_id),
        approved_on=meeting.approved_on,
        items=tuple(
            MinuteItem(
                number=n,
                title=i.title,
                kind=i.kind,
                action_label=actions.get(i.action_id, "") if i.action_id else "",
                detail=i.detail,
                discussion=i.discussion,
                challenge=i.challenge,
                assurance=i.assurance,
                decision=i.decision,
                owner=name(i.owner_id),
                due=i.due_date,
                carried_forward=i.carried_forward,
            )
            for n, i in enumerate(items, start=1)
        ),
        addenda=tuple(Addendum(a.added_on, name(a.author_id), a.text) for a in meeting.addenda),
    )


# --- what can be asked for ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentChoices:
    """What the Reports tab offers in its lists: homes, plans, meetings and blank forms."""

    homes: tuple[tuple[int, str], ...]
    plans: tuple[tuple[int, str], ...]  # (id, "CQC inspection September 2026 — Willow Court")
    meetings: tuple[tuple[int, str], ...]  # newest first
    forms: tuple[tuple[str, str], ...]  # (name, title)


def document_choices(session: Session) -> DocumentChoices:
    from .common import homes
    from .forms import form_catalogue

    all_homes = homes(session)
    several = len(all_homes) > 1
    plans = session.execute(
        select(Plan.id, Plan.title, Plan.report_date, Service.name)
        .join(Service, Plan.service_id == Service.id)
        .where(Plan.archived.is_(False), Service.archived.is_(False))
        .order_by(Plan.report_date.desc(), Plan.id.desc())
    ).all()
    meetings = session.execute(
        select(Meeting.id, Meeting.held_on, Meeting.meeting_type, Meeting.status, Service.name)
        .outerjoin(Service, Meeting.service_id == Service.id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return DocumentChoices(
        homes=tuple((h.id, h.name) for h in all_homes),
        plans=tuple(
            (pid, f"{title} — {home}" if several else title) for pid, title, _, home in plans
        ),
        meetings=tuple(
            (
                mid,
                f"{held:%d/%m/%Y} {kind}"
                + (f" — {home}" if several and home else "" if home else " — all homes")
                + ("" if status == MinutesStatus.APPROVED.value else " (draft)"),
            )
            for mid, held, kind, status, home in meetings
        ),
        forms=tuple((f.name, f.title) for f in form_catalogue(session)),
    )
