"""Actions, their steps and reviews, and the only ways an action may be closed or reopened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Action, ActionStep, Finding, Person, Review
from ...models.enums import ActionStatus, Decision, Rag, ReviewFrequency, ReviewLevel
from ..errors import NotAllowed, NotFound, Problems, ValidationError
from ..plans.closure import gate_settings
from ..setup.people import is_manager
from ..trust.conflicts import check_version
from ..trust.permissions import Permission, require
from .closure import GateResult, GateSettings, closure_gate
from .codes import item_ref, with_code
from .scheduling import (
    default_review_frequency,
    frequency_allowed,
    next_review_date,
    slowest_allowed,
)

# Dates outside these years are typing mistakes (and 31/12/9999 + 7 days does not exist).
MIN_DATE, MAX_DATE = date(1990, 1, 1), date(2200, 12, 31)


@dataclass
class StepInput:
    description: str
    owner_id: int | None = None
    recorded_in: str = ""
    due_date: date | None = None
    done_on: date | None = None


@dataclass
class ActionInput:
    title: str
    accountable_lead_id: int | None
    due_date: date | None
    review_frequency: str | None = None  # None: follow the finding's risk
    description: str = ""
    reference: str = ""
    early_warning_signs: str = ""
    escalation_route: str = ""
    oversight_plan: str = ""
    triggers: str = ""
    steps: list[StepInput] = field(default_factory=list)


def get_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    return action


def suggested_frequency(finding: Finding) -> ReviewFrequency:
    return default_review_frequency(finding.score, finding.risk_area)


def _check_action(session: Session, finding: Finding, data: ActionInput) -> ReviewFrequency:
    p = Problems()
    p.require("title", data.title, "Say what will be done.")
    if data.accountable_lead_id is None:
        p.add(
            "accountable_lead",
            "Choose one accountable lead: every action needs exactly one person "
            "who answers for it.",
        )
    else:
        lead = session.get(Person, data.accountable_lead_id)
        if lead is None or not lead.active:
            p.add(
                "accountable_lead",
                "The accountable lead must be someone on the current staff list.",
            )
    if data.due_date is None:
        p.add("due_date", "Enter the date the action is due.")
    frequency = suggested_frequency(finding)
    if data.review_frequency:
        try:
            frequency = ReviewFrequency(data.review_frequency)
        except ValueError:
            p.add("review_frequency", "Choose weekly, fortnightly or monthly reviews.")
        else:
            if not frequency_allowed(frequency, finding.risk_area):
                p.add(
                    "review_frequency",
                    f"{finding.risk_area} actions are reviewed at least "
                    f"{slowest_allowed(finding.risk_area).value.lower()}.",
                )
    for i, step in enumerate(data.steps, start=1):
        if not step.description.strip():
            p.add(f"steps.{i}", f"Step {i} needs a description.")
        elif step.owner_id is not None and session.get(Person, step.owner_id) is None:
            p.add(f"steps.{i}", f"Step {i}: choose the owner from the staff list.")
    p.raise_if_any()
    return frequency


def _apply_steps(action: Action, steps: list[StepInput]) -> None:
    existing = list(action.steps)
    new_steps: list[ActionStep] = []
    for position, data in enumerate(steps):
        step = existing[position] if position < len(existing) else ActionStep()
        step.position = position
        step.description = data.description.strip()
        step.owner_id = data.owner_id
        step.recorded_in = data.recorded_in.strip()
        step.due_date = data.due_date
        step.done_on = data.done_on
        new_steps.append(step)
    action.steps = new_steps


def create_action(session: Session, finding_id: int, data: ActionInput, *, today: date) -> Action:
    require(session, Permission.EDIT_PLANS)
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("That finding no longer exists.")
    frequency = _check_action(session, finding, data)
    assert data.accountable_lead_id is not None and data.due_date is not None
    action = Action(
        finding_id=finding_id,
        title=data.title.strip(),
        accountable_lead_id=data.accountable_lead_id,
        due_date=data.due_date,
        status=ActionStatus.NOT_STARTED.value,
        rag=finding.rag,
        review_frequency=frequency.value,
        review_frequency_overridden=bool(data.review_frequency)
        and frequency != suggested_frequency(finding),
        next_review_date=next_review_date(None, frequency, today),
    )
    _apply_fields(action, data)
    action.reference = with_code(finding.plan.code, action.reference or "")
    if not action.reference:
        count = (
            session.scalar(
                select(func.count())
                .select_from(Action)
                .join(Finding)
                .where(Finding.plan_id == finding.plan_id)
            )
            or 0
        )
        action.reference = item_ref(finding.plan.code, "A", count + 1)
    _apply_steps(action, data.steps)
    session.add(action)
    session.flush()
    return action


def _apply_fields(action: Action, data: ActionInput) -> None:
    action.description = data.description.strip()
    action.reference = data.reference.strip() or action.reference
    action.early_warning_signs = data.early_warning_signs.strip()
    action.escalation_route = data.escalation_route.strip()
    action.oversight_plan = data.oversight_plan.strip()
    action.triggers = data.triggers.strip()


def update_action(
    session: Session, action_id: int, data: ActionInput, *, seen_version: int | None = None
) -> Action:
    """Save the action form. ``seen_version``: the version the form was opened at; if someone
    has saved the action since, a ConflictError says who and nothing is changed."""
    require(session, Permission.EDIT_PLANS)
    action = get_action(session, action_id)
    check_version(session, action, seen_version, "action")
    frequency = _check_action(session, action.finding, data)
    assert data.accountable_lead_id is not None and data.due_date is not None
    action.title = data.title.strip()
    action.accountable_lead_id = data.accountable_lead_id
    action.due_date = data.due_date
    if frequency.value != action.review_frequency:
        action.review_frequency = frequency.value
        action.review_frequency_overridden = frequency != suggested_frequency(action.finding)
        if action.status != ActionStatus.CLOSED:
            last = _last_review_date(action)
            action.next_review_date = next_review_date(last, frequency, action.created_at.date())
    _apply_fields(action, data)
    action.reference = with_code(action.finding.plan.code, action.reference or "")
    _apply_steps(action, data.steps)
    session.flush()
    return action


def set_step_done(session: Session, step_id: int, done_on: date | None) -> ActionStep:
    require(session, Permission.RECORD)
    step = session.get(ActionStep, step_id)
    if step is None:
        raise NotFound("That step no longer exists.")
    step.done_on = done_on
    if done_on and step.action.status == ActionStatus.NOT_STARTED:
        step.action.status = ActionStatus.IN_PROGRESS.value
    session.flush()
    return step


def _last_review_date(action: Action) -> date | None:
    return max((r.review_date for r in action.reviews), default=None)


def record_review(
    session: Session,
    action_id: int,
    *,
    review_date: date,
    reviewer_id: int | None,
    progress: str,
    rag: str,
    decision: str,
    level: str = ReviewLevel.MANAGER.value,
    notes: str = "",
    meeting_item_id: int | None = None,
    today: date | None = None,
    seen_version: int | None = None,
) -> Review:
    """Record a review. "Close" goes through the closure gate; "Reopen" returns to weekly review.

    ``seen_version``: the action's version when the reviewer opened it; a review recorded against
    an action someone has changed since (closed, reopened, re-planned) is refused."""
    require(session, Permission.EDIT_PLANS)
    action = get_action(session, action_id)
    check_version(session, action, seen_version, "action")
    today = today or review_date
    p = Problems()
    reviewer = session.get(Person, reviewer_id) if reviewer_id is not None else None
    if reviewer is None:
        p.add("reviewer", "Choose who carried out the review.")
    p.require("progress", progress, "Summarise the progress seen at this review.")
    p.choice("rag", rag, Rag, "RAG rating")
    p.choice("decision", decision, Decision, "decision")
    p.choice("level", level, ReviewLevel, "review level")
    if review_date > today:
        p.add("review_date", "A review cannot be dated in the future.")
    elif not MIN_DATE <= review_date <= MAX_DATE:
        p.add("review_date", "Check the year of the review date.")
    if action.status == ActionStatus.CLOSED and decision not in (
        Decision.CONTINUE,
        Decision.REOPEN,
    ):
        p.add("decision", "This action is closed: record continued oversight, or reopen it.")
    if action.status != ActionStatus.CLOSED and decision == Decision.REOPEN:
        p.add("decision", "Only a closed action can be reopened.")
    p.raise_if_any()
    assert reviewer is not None
    if decision == Decision.CLOSE:
        # Closing from a review still needs every gate condition: refuse before saving anything.
        close_action(session, action, signed_off_by=reviewer, rationale=progress, today=today)
    review = Review(
        action_id=action.id,
        review_date=review_date,
        reviewer_id=reviewer.id,
        level=level,
        progress=progress.strip(),
        rag=rag,
        decision=decision,
        notes=notes.strip(),
        meeting_item_id=meeting_item_id,
    )
    session.add(review)
    action.rag = rag
    if decision == Decision.REOPEN:
        _reopen(action, today)
    elif action.status != ActionStatus.CLOSED:
        if action.status == ActionStatus.NOT_STARTED:
            action.status = ActionStatus.IN_PROGRESS.value
        action.next_review_date = next_review_date(
            review_date, ReviewFrequency(action.review_frequency), review_date
        )
    session.flush()
    return review


def close_action(
    session: Session,
    action: Action,
    *,
    signed_off_by: Person,
    rationale: str,
    today: date,
    settings: GateSettings | None = None,
    seen_version: int | None = None,
) -> GateResult:
    """Close through the gate. Raises ValidationError naming every unmet condition, and a
    ConflictError when the action has changed since the version the user saw."""
    require(session, Permission.CLOSE_ACTIONS)
    check_version(session, action, seen_version, "action")
    if action.status == ActionStatus.CLOSED:
        raise NotAllowed("This action is already closed.")
    # The gate's thresholds are settings kept in the database, shared by every PC.
    settings = settings or gate_settings(session)
    result = closure_gate(
        session, action, today, signed_off_by=signed_off_by, rationale=rationale, settings=settings
    )
    if not result.passed:
        raise ValidationError({c.key: f"{c.label}: {c.why}" for c in result.unmet})
    _mark_closed(action, signed_off_by, rationale, today)
    session.flush()
    return result


def close_with_override(
    session: Session,
    action: Action,
    *,
    signed_off_by: Person,
    reason: str,
    today: date,
    meeting_item_id: int | None = None,
) -> Review:
    """Close although conditions are unmet. The action is flagged "closed without full evidence".

    Recorded as a review too, so the timeline (and an inspector) sees who overrode and why.
    """
    require(session, Permission.OVERRIDE_CLOSURE)
    p = Problems()
    if action.status == ActionStatus.CLOSED:
        raise NotAllowed("This action is already closed.")
    if not is_manager(signed_off_by):
        p.add(
            "signed_off_by", f"{signed_off_by.name} is not a manager; only a manager can override."
        )
    p.require("reason", reason, "Record why the action is being closed without full evidence.")
    p.raise_if_any()
    _mark_closed(action, signed_off_by, reason, today)
    action.closed_with_override = True
    action.override_reason = reason.strip()
    review = Review(
        action_id=action.id,
        review_date=today,
        reviewer_id=signed_off_by.id,
        level=ReviewLevel.MANAGER.value,
        progress=reason.strip(),
        rag=action.rag,
        decision=Decision.CLOSE.value,
        notes="Closed without full evidence (override).",
        meeting_item_id=meeting_item_id,
    )
    session.add(review)
    session.flush()
    return review


def _mark_closed(action: Action, by: Person, rationale: str, today: date) -> None:
    action.status = ActionStatus.CLOSED.value
    action.closed_on = today
    action.closed_by_id = by.id
    action.closure_rationale = rationale.strip()
    action.closed_with_override = False
    action.override_reason = ""
    action.next_review_date = None


def reopen_action(
    session: Session,
    action: Action,
    *,
    by: Person,
    reason: str,
    today: date,
    meeting_item_id: int | None = None,
) -> Review:
    """Reopen a closed action (performance slipped). Recorded as a review so the timeline shows it."""
    require(session, Permission.CLOSE_ACTIONS)
    return record_review(
        session,
        action.id,
        review_date=today,
        reviewer_id=by.id,
        progress=reason,
        rag=Rag.RED.value,
        decision=Decision.REOPEN.value,
        today=today,
        meeting_item_id=meeting_item_id,
    )


def _reopen(action: Action, today: date) -> None:
    action.status = ActionStatus.IN_PROGRESS.value
    action.review_frequency = ReviewFrequency.WEEKLY.value
    action.review_frequency_overridden = False
    action.next_review_date = today + timedelta(days=ReviewFrequency.WEEKLY.days)
    action.reopened_on = today
    action.reopen_count += 1
    # The closure's rationale and any override reason stay in the review that recorded them.
    action.closed_on = None
    action.closed_by_id = None
    action.closed_with_override = False
    action.closure_rationale = ""
    action.override_reason = ""


def archive_action(session: Session, action: Action) -> None:
    """Archive instead of deleting: an action with history is never removed."""
    require(session, Permission.EDIT_PLANS)
    action.archived = True
    session.flush()


def restore_action(session: Session, action: Action) -> None:
    """Bring an archived action back into the lists (its plan must not be archived)."""
    require(session, Permission.EDIT_PLANS)
    if action.finding.plan.archived:
        raise NotAllowed("Its plan is archived: restore the plan first.")
    action.archived = False
    session.flush()
