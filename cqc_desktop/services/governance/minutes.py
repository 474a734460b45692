"""The minute of an agenda item, and the rule that a decision on an action IS that action's review.

One record, seen from both sides: minuting "change controls" on an action item creates the action's
review (``Review.meeting_item_id`` points back at the item), and editing the draft minute changes
that same review rather than adding another. "Close" goes through the closure gate exactly as a
review on the action's own screen does; "Note" makes no review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Action, Evidence, MeetingItem, MinuteDraft, Person, Review
from ...models.enums import (
    ActionStatus,
    Decision,
    MeetingDecision,
    MeetingType,
    MinutesStatus,
    Rag,
    ReviewFrequency,
    ReviewLevel,
    Supports,
)
from ..errors import NotAllowed, Problems, ValidationError
from ..plans.actions import record_review
from ..plans.closure import closure_gate, gate_settings
from ..plans.evidence import EvidenceInput, add_evidence
from ..plans.scheduling import next_review_date
from ..trust.permissions import Permission, require
from .meetings import check_people, ensure_editable, get_item

# Decisions that hand someone work, so they need an owner and a date.
DECISIONS_NEEDING_OWNER = (MeetingDecision.CHANGE_CONTROLS, MeetingDecision.ESCALATE)
# What each meeting decision records on the action; "Note" records nothing.
REVIEW_DECISION: dict[str, Decision] = {
    MeetingDecision.CONTINUE: Decision.CONTINUE,
    MeetingDecision.CHANGE_CONTROLS: Decision.CHANGE_CONTROLS,
    MeetingDecision.ESCALATE: Decision.ESCALATE,
    MeetingDecision.CLOSE: Decision.CLOSE,
}


def _check_minute(
    session: Session,
    item: MeetingItem,
    discussion: str,
    decision: str,
    owner_id: int | None,
    due_date: date | None,
) -> Problems:
    p = Problems()
    p.require("discussion", discussion, "Summarise the discussion.")
    if decision:
        p.choice("decision", decision, MeetingDecision, "decision")
    if decision in DECISIONS_NEEDING_OWNER:
        if owner_id is None:
            p.add("owner_id", f"A decision to {decision.lower()} needs an owner.")
        if due_date is None:
            p.add("due_date", f"A decision to {decision.lower()} needs a date it is due.")
    check_people(
        p,
        session,
        "owner_id",
        [owner_id] if owner_id is not None else [],
        "Choose the owner from the staff list.",
    )
    if due_date is not None and due_date < item.meeting.held_on:
        p.add("due_date", "The due date cannot be before the meeting.")
    return p


def _apply(
    item: MeetingItem,
    discussion: str,
    challenge: str,
    assurance: str,
    decision: str,
    owner_id: int | None,
    due_date: date | None,
    carried_forward: bool = False,
) -> None:
    item.discussion = discussion.strip()
    item.challenge = challenge.strip()
    item.assurance = assurance.strip()
    item.decision = decision
    item.owner_id = owner_id
    item.due_date = due_date
    item.carried_forward = carried_forward


def record_item_minute(
    session: Session,
    item_id: int,
    discussion: str,
    challenge: str,
    assurance: str,
    decision: str,
    owner_id: int | None = None,
    due_date: date | None = None,
) -> MeetingItem:
    """Minute one agenda item WITHOUT touching the action's reviews.

    For loaders that write the matching review themselves (the demo builder). Everything a user
    does goes through ``record_minute``, which keeps the minute and the review as one record.
    """
    require(session, Permission.RECORD)
    item = get_item(session, item_id)
    ensure_editable(item.meeting)
    _check_minute(session, item, discussion, decision, owner_id, due_date).raise_if_any()
    _apply(item, discussion, challenge, assurance, decision, owner_id, due_date)
    session.flush()
    return item


@dataclass
class MinuteInput:
    discussion: str
    challenge: str = ""
    assurance: str = ""
    decision: str = ""
    owner_id: int | None = None
    due_date: date | None = None
    # RAG the meeting gave the action (action items only); None keeps the action's current RAG.
    rag: str | None = None
    # Not discussed: carried to the next meeting of the same kind.
    carried_forward: bool = False


def item_review(session: Session, item_id: int) -> Review | None:
    """The action review this item's decision made, if any."""
    return session.scalar(select(Review).where(Review.meeting_item_id == item_id))


def _review_notes(item: MeetingItem, data: MinuteInput, owner: Person | None) -> str:
    meeting = item.meeting
    lines = [f"{meeting.meeting_type} on {uk_date(meeting.held_on)}, item {item.position + 1}."]
    if data.challenge.strip():
        lines.append(f"Challenge: {data.challenge.strip()}")
    if data.assurance.strip():
        lines.append(f"Assurance: {data.assurance.strip()}")
    if owner is not None:
        due = f", due {uk_date(data.due_date)}" if data.due_date else ""
        lines.append(f"Owner: {owner.name}{due}.")
    return "\n".join(lines)


def _withdraw(session: Session, review: Review) -> None:
    """Remove a draft minute's review and put the action's schedule back as it was without it."""
    action = review.action
    session.delete(review)
    session.flush()
    session.expire(action, ["reviews"])
    if action.status != ActionStatus.CLOSED:
        rest = [r for r in action.reviews if r.id != review.id]
        last = max(rest, key=lambda r: (r.review_date, r.id), default=None)
        if last is not None:
            action.rag = last.rag
        action.next_review_date = next_review_date(
            last.review_date if last else None,
            ReviewFrequency(action.review_frequency),
            action.created_at.date(),
        )


def _check_review(
    session: Session,
    item: MeetingItem,
    action: Action,
    wanted: Decision,
    rag: str,
    rationale: str,
    today: date,
) -> Person:
    """Everything record_review would refuse, checked before anything changes."""
    require(session, Permission.EDIT_PLANS)
    meeting = item.meeting
    p = Problems()
    chair = session.get(Person, meeting.chair_id) if meeting.chair_id is not None else None
    if chair is None:
        p.add(
            "decision",
            "Choose the chair of the meeting first: a decision on an action is recorded as the "
            "chair's review of it.",
        )
    if meeting.held_on > today:
        p.add("decision", "A decision on an action can be minuted only once the meeting is held.")
    p.choice("rag", rag, Rag, "RAG rating")
    if action.status == ActionStatus.CLOSED and wanted != Decision.CONTINUE:
        p.add(
            "decision",
            "This action is already closed: minute “Continue” for continued oversight, or reopen "
            "it from the action.",
        )
    p.raise_if_any()
    assert chair is not None
    if wanted == Decision.CLOSE:
        require(session, Permission.CLOSE_ACTIONS)
        gate = closure_gate(
            session,
            action,
            today,
            signed_off_by=chair,
            rationale=rationale,
            settings=gate_settings(session),
        )
        if not gate.passed:
            unmet = "; ".join(f"{c.label}: {c.why}" for c in gate.unmet)
            raise ValidationError.single("decision", f"The action cannot close yet. {unmet}")
    return chair


def record_minute(session: Session, item_id: int, data: MinuteInput, *, today: date) -> MeetingItem:
    """Save the minute of one item and keep its action's review in step with the decision."""
    require(session, Permission.RECORD)
    item = get_item(session, item_id)
    meeting = item.meeting
    ensure_editable(meeting)
    decision = "" if data.carried_forward else data.decision
    p = _check_minute(session, item, data.discussion, decision, data.owner_id, data.due_date)
    if data.carried_forward:
        p.errors.pop("discussion", None)  # not discussed: that is why it is carried forward
    p.raise_if_any()
    action = session.get(Action, item.action_id) if item.action_id is not None else None
    wanted = REVIEW_DECISION.get(decision) if action is not None else None
    existing = item_review(session, item.id)
    if existing is not None and existing.decision == Decision.CLOSE:
        if wanted != Decision.CLOSE:
            raise NotAllowed(
                f"This minute closed the action on {uk_date(existing.review_date)}. To undo that, "
                "reopen the action from its review timeline."
            )
        _apply(item, data.discussion, data.challenge, data.assurance, decision, None, None)
        existing.progress = data.discussion.strip()
        session.flush()
        return item
    rag = data.rag or (action.rag if action is not None else "")
    chair = None
    if action is not None and wanted is not None:
        chair = _check_review(session, item, action, wanted, rag, data.discussion, today)
    elif existing is not None:
        require(session, Permission.EDIT_PLANS)
    _apply(
        item,
        data.discussion,
        data.challenge,
        data.assurance,
        decision,
        data.owner_id,
        data.due_date,
        data.carried_forward,
    )
    if existing is not None:
        _withdraw(session, existing)
    if action is not None and wanted is not None and chair is not None:
        owner = session.get(Person, data.owner_id) if data.owner_id is not None else None
        level = (
            ReviewLevel.PROVIDER
            if meeting.meeting_type == MeetingType.PROVIDER_GOVERNANCE
            else ReviewLevel.MANAGER
        )
        record_review(
            session,
            action.id,
            review_date=meeting.held_on,
            reviewer_id=chair.id,
            progress=data.discussion,
            rag=rag,
            decision=wanted.value,
            level=level.value,
            notes=_review_notes(item, data, owner),
            meeting_item_id=item.id,
            today=today,
        )
    session.execute(
        delete(MinuteDraft).where(MinuteDraft.key.startswith(f"item:{item.id}:", autoescape=True))
    )
    session.flush()
    return item


def link_minute_as_evidence(
    session: Session,
    item_id: int,
    action_id: int,
    *,
    supports: str = Supports.YES.value,
    tested_by_id: int | None = None,
    tested_on: date | None = None,
    title: str = "",
    today: date,
) -> Evidence:
    """Record an approved minute as "governance minutes" evidence for an action.

    Only approved minutes: a draft can still change under the evidence that cites it.
    """
    require(session, Permission.RECORD)
    item = get_item(session, item_id)
    meeting = item.meeting
    if meeting.status != MinutesStatus.APPROVED:
        raise NotAllowed("Approve the minutes first: draft minutes can still change.")
    if session.scalar(
        select(Evidence.id).where(
            Evidence.meeting_item_id == item.id, Evidence.action_id == action_id
        )
    ):
        raise NotAllowed("This minute is already linked as evidence for that action.")
    parts = [item.discussion]
    for label, text in (("Challenge", item.challenge), ("Assurance", item.assurance)):
        if text:
            parts.append(f"{label}: {text}")
    if item.decision:
        parts.append(f"Decision: {item.decision}.")
    return add_evidence(
        session,
        action_id,
        EvidenceInput(
            title=title.strip()
            or f"{meeting.meeting_type} minutes {uk_date(meeting.held_on)}: {item.title}"[:200],
            source_type="governance_minutes",
            collected_on=meeting.held_on,
            supports=supports,
            description="\n".join(parts),
            tested_by_id=tested_by_id,
            tested_on=tested_on,
            meeting_item_id=item.id,
        ),
        today=today,
    )
