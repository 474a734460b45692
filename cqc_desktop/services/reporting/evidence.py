"""Evidence, steps and oversight of actions, as the inspection pack and the action plan print
them: evidence with its tester and attached files, steps with their owners, and every review and
meeting discussion of an action in date order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...models import ActionStep, Attachment, Evidence, Meeting, MeetingItem, Person, Review
from ..reference import source_types


@dataclass(frozen=True)
class AttachmentLine:
    evidence_number: str
    evidence_title: str
    action_reference: str
    original_name: str
    stored_name: str
    sha256: str
    size_bytes: int
    check: str


@dataclass(frozen=True)
class EvidenceLine:
    number: str  # E1, E2 … in the order the pack prints them
    title: str
    description: str
    source_type: str  # its name, e.g. "Staff observation"
    category: str
    supports: str
    collected_on: date
    tested_by: str
    tested_on: date | None
    attachments: tuple[AttachmentLine, ...]


@dataclass(frozen=True)
class StepLine:
    description: str
    owner: str
    recorded_in: str
    due_date: date | None
    done_on: date | None

    def overdue_days(self, as_of: date) -> int | None:
        """Days past its due date for a step not done; None when done, undated or not late."""
        if self.done_on is not None or self.due_date is None or self.due_date >= as_of:
            return None
        return (as_of - self.due_date).days


@dataclass(frozen=True)
class OversightLine:
    on: date
    forum: str  # "Manager review", "Weekly governance (minutes approved)", …
    who: str
    decision: str
    rag: str
    text: str


def step_lines(session: Session, ids: list[int]) -> dict[int, list[StepLine]]:
    out: dict[int, list[StepLine]] = defaultdict(list)
    rows = session.execute(
        select(ActionStep, Person.name)
        .outerjoin(Person, ActionStep.owner_id == Person.id)
        .where(ActionStep.action_id.in_(ids))
        .order_by(ActionStep.action_id, ActionStep.position, ActionStep.id)
    )
    for step, owner in rows:
        out[step.action_id].append(
            StepLine(step.description, owner or "", step.recorded_in, step.due_date, step.done_on)
        )
    return out


def evidence_lines(session: Session, ids: list[int]) -> dict[int, list[EvidenceLine]]:
    """Evidence per action, oldest first, with attachments (numbered later by the pack)."""
    names = {s.code: s.name for s in source_types()}
    tester = aliased(Person)
    rows = session.execute(
        select(Evidence, tester.name)
        .outerjoin(tester, Evidence.tested_by_id == tester.id)
        .where(Evidence.action_id.in_(ids))
        .order_by(Evidence.action_id, Evidence.collected_on, Evidence.id)
    ).all()
    files: dict[int, list[Attachment]] = defaultdict(list)
    evidence_ids = [e.id for e, _ in rows]
    if evidence_ids:
        for att in session.scalars(
            select(Attachment)
            .where(Attachment.evidence_id.in_(evidence_ids))
            .order_by(Attachment.id)
        ):
            files[att.evidence_id].append(att)
    out: dict[int, list[EvidenceLine]] = defaultdict(list)
    for e, tested_by in rows:
        out[e.action_id].append(
            EvidenceLine(
                number="",
                title=e.title,
                description=e.description,
                source_type=names.get(e.source_type, e.source_type),
                category=e.category,
                supports=e.supports,
                collected_on=e.collected_on,
                tested_by=tested_by or "",
                tested_on=e.tested_on,
                attachments=tuple(
                    AttachmentLine(
                        "", e.title, "", a.original_name, a.stored_name, a.sha256, a.size_bytes, ""
                    )
                    for a in files[e.id]
                ),
            )
        )
    return out


def oversight_lines(session: Session, ids: list[int]) -> dict[int, list[OversightLine]]:
    """Reviews (with the meeting they were minuted at) and meeting items without a review."""
    reviewer = aliased(Person)
    out: dict[int, list[OversightLine]] = defaultdict(list)
    linked: set[int] = set()
    rows = session.execute(
        select(Review, reviewer.name, Meeting.meeting_type, Meeting.status)
        .join(reviewer, Review.reviewer_id == reviewer.id)
        .outerjoin(MeetingItem, Review.meeting_item_id == MeetingItem.id)
        .outerjoin(Meeting, MeetingItem.meeting_id == Meeting.id)
        .where(Review.action_id.in_(ids))
        .order_by(Review.review_date, Review.id)
    )
    for review, who, meeting_type, status in rows:
        if review.meeting_item_id is not None:
            linked.add(review.meeting_item_id)
        forum = (
            f"{meeting_type} (minutes {status.lower()})"
            if meeting_type
            else f"{review.level} review"
        )
        text = review.progress
        if review.notes.strip():
            text = f"{text}\nNotes: {review.notes.strip()}".strip()
        out[review.action_id].append(
            OversightLine(review.review_date, forum, who, review.decision, review.rag, text)
        )
    chair = aliased(Person)
    items = session.execute(
        select(MeetingItem, Meeting, chair.name)
        .join(Meeting, MeetingItem.meeting_id == Meeting.id)
        .outerjoin(chair, Meeting.chair_id == chair.id)
        .where(MeetingItem.action_id.in_(ids))
    )
    for item, meeting, chair_name in items:
        if item.id in linked or item.action_id is None:
            continue
        text = " ".join(x for x in (item.discussion, item.challenge) if x)
        out[item.action_id].append(
            OversightLine(
                meeting.held_on,
                f"{meeting.meeting_type} (minutes {meeting.status.lower()})",
                chair_name or "",
                item.decision,
                "",
                text,
            )
        )
    for lines in out.values():
        lines.sort(key=lambda o: o.on)
    return out
