"""Plain data for the printed documents, read with SQL and worked out by the same services the
screens use (measure progress, SPC, the closure gate), so a report never disagrees with the app.

Reports (``cqc_desktop/reports``) only lay these dataclasses out; they never query the database.
This module holds what several documents share: periods, homes, the action register and "where
progress is partial and why"; measure series are in ``report_data_measures``. The documents' own
data is in the other ``report_data_*`` modules.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ...models import Action, ActionStep, Finding, Measure, Person, Plan, Review, Service
from ...models.enums import ActionStatus
from ..errors import NotFound, ValidationError
from ..plans.closure import closure_gate, gate_settings

CLOSED_WITHOUT_EVIDENCE = "Closed without full evidence"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


# --- free text in packs that leave the home ---------------------------------------------------


def free_text_scrubber(session: Session) -> Callable[[str], str]:
    """Free text (an incident description) as a pack prints it: people receiving care are
    recorded by reference, so unless names are allowed (``privacy.allow_names``) a "Mrs Smith"
    typed into a note is printed as withheld. References themselves are printed as recorded."""
    from ..trust import settings
    from ..trust.privacy import SETTING, Redactor

    if settings.get(session, SETTING):
        return lambda text: text
    redactor = Redactor()
    return redactor.text


# --- periods and homes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive date range with the words a report heading uses for it."""

    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The day figures are worked out for: the period's end, or today if that is sooner."""
        return min(self.end, today)


def month_period(text: str) -> Period:
    """ "2026-11" → 01/11/2026 to 30/11/2026, "November 2026"."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValidationError.single(
            "month", f"'{text}' is not a month: give it as YYYY-MM, for example 2026-11."
        )
    year, month = int(match[1]), int(match[2])
    last = calendar.monthrange(year, month)[1]
    start = date(year, month, 1)
    return Period(start, date(year, month, last), start.strftime("%B %Y"))


def month_of(day: date) -> Period:
    return month_period(f"{day.year}-{day.month:02d}")


def date_range(start: date, end: date) -> Period:
    if end < start:
        raise ValidationError.single(
            "end", "The end of the period cannot be before its start; swap the dates."
        )
    return Period(start, end, f"{start:%d/%m/%Y} to {end:%d/%m/%Y}")


@dataclass(frozen=True)
class HomeInfo:
    id: int
    name: str
    provider_name: str
    address: str
    cqc_location_id: str
    current_rating: str


def home_info(service: Service) -> HomeInfo:
    return HomeInfo(
        service.id,
        service.name,
        service.provider_name,
        service.address,
        service.cqc_location_id,
        service.current_rating,
    )


def homes(session: Session) -> list[HomeInfo]:
    """Every care home that is not archived, by name."""
    stmt = select(Service).where(Service.archived.is_(False)).order_by(Service.name)
    return [home_info(s) for s in session.scalars(stmt)]


def find_home(session: Session, name: str | None) -> HomeInfo:
    """The home called ``name`` (any case), or the only home when no name is given."""
    all_homes = homes(session)
    if not all_homes:
        raise NotFound("There is no care home in this database yet.")
    names = ", ".join(h.name for h in all_homes)
    if name is None or not name.strip():
        if len(all_homes) == 1:
            return all_homes[0]
        raise ValidationError.single(
            "service", f"This database has {len(all_homes)} care homes ({names}): choose one."
        )
    wanted = name.strip().lower()
    for home in all_homes:
        if home.name.lower() == wanted:
            return home
    raise NotFound(f"There is no care home called '{name.strip()}' (homes: {names}).")


def get_home(session: Session, service_id: int) -> HomeInfo:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound("That care home could not be found.")
    return home_info(service)


# --- the action register -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    """One action as the register prints it, with status and RAG as at the report date."""

    id: int
    reference: str
    title: str
    service: str
    plan_id: int
    plan_title: str
    finding_id: int
    finding_reference: str
    finding_title: str
    key_question: str
    regulation: str
    risk_area: str
    lead: str
    lead_role: str
    status: str
    rag: str
    due_date: date
    next_review: date | None
    review_frequency: str
    steps_done: int
    steps_total: int
    closed_on: date | None
    closed_by: str
    closed_with_override: bool
    closure_rationale: str
    override_reason: str
    reopen_count: int
    reopened_on: date | None

    @property
    def closed(self) -> bool:
        return self.status == ActionStatus.CLOSED.value

    @property
    def flag(self) -> str:
        """ "Closed without full evidence" for an override closure; never hidden in any report."""
        return CLOSED_WITHOUT_EVIDENCE if self.closed and self.closed_with_override else ""

    @property
    def label(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def overdue_days(self, as_of: date) -> int | None:
        """Days past its due date for an action not closed by ``as_of``; None when not late."""
        if self.closed or self.due_date >= as_of:
            return None
        return (as_of - self.due_date).days

    def review_overdue_days(self, as_of: date) -> int | None:
        if self.closed or self.next_review is None or self.next_review >= as_of:
            return None
        return (as_of - self.next_review).days


def action_lines(
    session: Session,
    as_of: date,
    *,
    service_ids: Sequence[int] | None = None,
    plan_id: int | None = None,
    action_ids: Iterable[int] | None = None,
) -> list[ActionLine]:
    """Actions that are not archived, in plan, finding and action order.

    RAG is the one set at the latest review on or before ``as_of``; an action closed after
    ``as_of`` is shown as still in progress then.
    """
    lead, closer = aliased(Person), aliased(Person)
    steps = (
        select(
            ActionStep.action_id.label("action_id"),
            func.count(ActionStep.id).label("total"),
            func.count(ActionStep.done_on).label("done"),
        )
        .group_by(ActionStep.action_id)
        .subquery()
    )
    stmt = (
        select(
            Action,
            Finding,
            Plan,
            Service.name,
            lead.name,
            lead.role,
            closer.name,
            func.coalesce(steps.c.total, 0),
            func.coalesce(steps.c.done, 0),
        )
        .join(Finding, Action.finding_id == Finding.id)
        .join(Plan, Finding.plan_id == Plan.id)
        .join(Service, Plan.service_id == Service.id)
        .join(lead, Action.accountable_lead_id == lead.id)
        .outerjoin(closer, Action.closed_by_id == closer.id)
        .outerjoin(steps, steps.c.action_id == Action.id)
        .where(Action.archived.is_(False), Plan.archived.is_(False))
        .order_by(Service.name, Plan.report_date, Plan.id, Finding.id, Action.id)
    )
    if service_ids is not None:
        stmt = stmt.where(Plan.service_id.in_(list(service_ids)))
    if plan_id is not None:
        stmt = stmt.where(Plan.id == plan_id)
    if action_ids is not None:
        stmt = stmt.where(Action.id.in_(list(action_ids)))
    rows = session.execute(stmt).all()
    rags = _rag_as_of(session, [r[0].id for r in rows], as_of)
    lines = []
    for action, finding, plan, service, lead_name, lead_role, closer_name, total, done in rows:
        closed = action.status == ActionStatus.CLOSED.value
        closed_later = closed and action.closed_on is not None and action.closed_on > as_of
        lines.append(
            ActionLine(
                id=action.id,
                reference=action.reference,
                title=action.title,
                service=service,
                plan_id=plan.id,
                plan_title=plan.title,
                finding_id=finding.id,
                finding_reference=finding.reference,
                finding_title=finding.title,
                key_question=finding.key_question,
                regulation=finding.breached_regulation,
                risk_area=finding.risk_area,
                lead=lead_name,
                lead_role=lead_role or "",
                status=ActionStatus.IN_PROGRESS.value if closed_later else action.status,
                rag=rags.get(action.id, action.rag),
                due_date=action.due_date,
                next_review=action.next_review_date,
                review_frequency=action.review_frequency,
                steps_done=int(done),
                steps_total=int(total),
                closed_on=None if closed_later else action.closed_on,
                closed_by=closer_name or "",
                closed_with_override=action.closed_with_override and not closed_later,
                closure_rationale=action.closure_rationale,
                override_reason=action.override_reason,
                reopen_count=action.reopen_count,
                reopened_on=action.reopened_on,
            )
        )
    return lines


def _rag_as_of(session: Session, action_ids: list[int], as_of: date) -> dict[int, str]:
    if not action_ids:
        return {}
    stmt = (
        select(Review.action_id, Review.rag)
        .where(Review.action_id.in_(action_ids), Review.review_date <= as_of)
        .order_by(Review.review_date, Review.id)
    )
    # Later rows overwrite earlier ones, leaving each action's latest review.
    return {action_id: rag for action_id, rag in session.execute(stmt)}


# --- where progress is partial, and why --------------------------------------------------------


@dataclass(frozen=True)
class ProgressGap:
    """An open action and, in the closure gate's own words, what still stands between it and
    closing. ``ready_for_sign_off`` is True when only the manager's sign-off is missing."""

    action: ActionLine
    unmet: tuple[tuple[str, str], ...]  # (condition, why)
    ready_for_sign_off: bool


def progress_gaps(session: Session, lines: Sequence[ActionLine], as_of: date) -> list[ProgressGap]:
    settings = gate_settings(session)
    open_ids = [line.id for line in lines if not line.closed]
    # The gate reads each action's steps and measure points; loading them for every open action
    # in three queries here saves it three queries per action (100 actions on a large home).
    loaded: dict[int, Action] = {}
    # Held until the gates have run: the session only keeps objects something refers to.
    _measures: list[Measure] = []
    if open_ids:
        loaded = {
            action.id: action
            for action in session.scalars(
                select(Action).where(Action.id.in_(open_ids)).options(selectinload(Action.steps))
            )
        }
        _measures = list(
            session.scalars(
                select(Measure)
                .where(Measure.action_id.in_(open_ids))
                .options(selectinload(Measure.points))
            )
        )
    gaps = []
    for line in lines:
        if line.closed:
            continue
        action = loaded.get(line.id)
        if action is None:  # pragma: no cover - the line was read in this session
            continue
        result = closure_gate(session, action, as_of, settings=settings)
        unmet = tuple((c.label, c.why) for c in result.unmet if c.key != "sign_off")
        gaps.append(ProgressGap(line, unmet, result.ready_for_sign_off))
    return gaps


@dataclass(frozen=True)
class OpenStep:
    action: ActionLine
    description: str
    owner: str
    due_date: date | None


def open_steps(session: Session, lines: Sequence[ActionLine], due_by: date) -> list[OpenStep]:
    """Steps not done whose due date is on or before ``due_by`` (overdue ones included)."""
    by_id = {line.id: line for line in lines if not line.closed}
    if not by_id:
        return []
    stmt = (
        select(ActionStep.action_id, ActionStep.description, Person.name, ActionStep.due_date)
        .outerjoin(Person, ActionStep.owner_id == Person.id)
        .where(
            ActionStep.action_id.in_(list(by_id)),
            ActionStep.done_on.is_(None),
            ActionStep.due_date <= due_by,
        )
        .order_by(ActionStep.due_date, ActionStep.action_id, ActionStep.position)
    )
    return [
        OpenStep(by_id[action_id], text, owner or "", due)
        for action_id, text, owner, due in session.execute(stmt)
    ]
