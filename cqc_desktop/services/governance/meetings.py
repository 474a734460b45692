"""Governance meetings: who met, the agenda items, approval and dated addenda.

Approved minutes are locked; corrections go in dated addenda so the record stays honest. A provider
governance meeting has no home (``service_id`` None) because it looks across every home. What is
said about each item (the minute, and the review it makes of an action) is in ``minutes``.
Functions add and flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import (
    Action,
    Meeting,
    MeetingAddendum,
    MeetingItem,
    MinuteDraft,
    Person,
    Review,
    Service,
)
from ...models.enums import MeetingType, MinutesStatus
from ..errors import NotAllowed, NotFound, Problems
from ..setup.people import is_manager
from ..trust.conflicts import check_version
from ..trust.permissions import Permission, require

ITEM_KINDS = (
    "Action review",
    "Alert",
    "Measure",
    "Incidents",
    "Audit result",
    "Carried forward",
    "Other",
)


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting no longer exists.")
    return meeting


def get_item(session: Session, item_id: int) -> MeetingItem:
    item = session.get(MeetingItem, item_id)
    if item is None:
        raise NotFound("That agenda item no longer exists.")
    return item


def ensure_editable(meeting: Meeting) -> None:
    """Raise NotAllowed if the minutes are approved; the UI can call this to grey out fields."""
    if meeting.status == MinutesStatus.APPROVED:
        on = uk_date(meeting.approved_on) if meeting.approved_on else "an earlier date"
        raise NotAllowed(
            f"These minutes were approved on {on} and are locked. Add an addendum to correct them."
        )


def check_people(p: Problems, session: Session, field: str, ids: list[int], message: str) -> None:
    if ids and session.scalar(
        select(func.count()).select_from(Person).where(Person.id.in_(ids))
    ) != len(set(ids)):
        p.add(field, message)


def _check_meeting(
    session: Session,
    meeting_type: str,
    service_id: int | None,
    chair_id: int | None,
    attendee_ids: list[int],
) -> None:
    p = Problems()
    p.choice("meeting_type", meeting_type, MeetingType, "meeting type")
    if service_id is None and meeting_type != MeetingType.PROVIDER_GOVERNANCE:
        p.add("service_id", "Choose the care home this meeting covers.")
    elif service_id is not None and session.get(Service, service_id) is None:
        p.add("service_id", "Choose a care home from the list.")
    check_people(
        p,
        session,
        "chair_id",
        [chair_id] if chair_id is not None else [],
        "Choose the chair from the staff list.",
    )
    check_people(
        p,
        session,
        "attendee_ids",
        attendee_ids,
        "Choose attendees from the staff list; add anyone else under other attendees.",
    )
    p.raise_if_any()


def create_meeting(
    session: Session,
    meeting_type: str,
    held_on: date,
    service_id: int | None = None,
    chair_id: int | None = None,
    attendee_ids: tuple[int, ...] | list[int] = (),
    other_attendees: str = "",
    apologies: str = "",
) -> Meeting:
    """A provider governance meeting may cover every home (no service); others belong to one."""
    require(session, Permission.RECORD)
    _check_meeting(session, meeting_type, service_id, chair_id, list(attendee_ids))
    meeting = Meeting(
        meeting_type=meeting_type,
        held_on=held_on,
        service_id=service_id,
        chair_id=chair_id,
        attendee_ids=list(dict.fromkeys(attendee_ids)),
        other_attendees=other_attendees.strip(),
        apologies=apologies.strip(),
        status=MinutesStatus.DRAFT.value,
    )
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(
    session: Session,
    meeting_id: int,
    *,
    held_on: date | None = None,
    chair_id: int | None = None,
    attendee_ids: tuple[int, ...] | list[int] | None = None,
    other_attendees: str | None = None,
    apologies: str | None = None,
) -> Meeting:
    """Change draft minutes' details; arguments left as None keep their value.

    The date cannot move once a decision on an action has been minuted: that decision is the
    action's review, dated the day of the meeting.
    """
    require(session, Permission.RECORD)
    meeting = get_meeting(session, meeting_id)
    ensure_editable(meeting)
    chair = chair_id if chair_id is not None else meeting.chair_id
    attendees = list(attendee_ids) if attendee_ids is not None else list(meeting.attendee_ids)
    _check_meeting(session, meeting.meeting_type, meeting.service_id, chair, attendees)
    if held_on is not None and held_on != meeting.held_on and _reviews_of(session, meeting):
        raise NotAllowed(
            "Decisions on actions have been minuted at this meeting and are dated "
            f"{uk_date(meeting.held_on)}; the meeting date cannot change now."
        )
    meeting.held_on = held_on or meeting.held_on
    meeting.chair_id = chair
    meeting.attendee_ids = list(dict.fromkeys(attendees))
    if other_attendees is not None:
        meeting.other_attendees = other_attendees.strip()
    if apologies is not None:
        meeting.apologies = apologies.strip()
    session.flush()
    return meeting


def _reviews_of(session: Session, meeting: Meeting) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Review)
            .join(MeetingItem, Review.meeting_item_id == MeetingItem.id)
            .where(MeetingItem.meeting_id == meeting.id)
        )
        or 0
    )


def add_meeting_item(
    session: Session,
    meeting_id: int,
    title: str,
    kind: str = "Other",
    action_id: int | None = None,
    *,
    detail: str = "",
    source_key: str = "",
    carried_from_id: int | None = None,
) -> MeetingItem:
    require(session, Permission.RECORD)
    meeting = get_meeting(session, meeting_id)
    ensure_editable(meeting)
    p = Problems()
    p.require("title", title, "Give the agenda item a title.")
    p.require("kind", kind, "Say what kind of item this is.")
    if action_id is not None and session.get(Action, action_id) is None:
        p.add("action_id", "That action no longer exists.")
    p.raise_if_any()
    item = MeetingItem(
        meeting_id=meeting.id,
        position=max((i.position for i in meeting.items), default=-1) + 1,
        kind=kind.strip(),
        title=title.strip()[:300],
        action_id=action_id,
        detail=detail.strip(),
        source_key=source_key,
        carried_from_id=carried_from_id,
    )
    meeting.items.append(item)
    session.flush()
    return item


def remove_meeting_item(session: Session, item_id: int) -> None:
    """Take an item off a draft agenda. Refused once it carries a decision on an action."""
    require(session, Permission.RECORD)
    item = get_item(session, item_id)
    meeting = item.meeting
    ensure_editable(meeting)
    if session.scalar(select(Review.id).where(Review.meeting_item_id == item.id)):
        raise NotAllowed(
            "This item's decision is recorded as the action's review. Change the decision to "
            "“Note” first if the item should come off the agenda."
        )
    session.execute(
        delete(MinuteDraft).where(MinuteDraft.key.startswith(f"item:{item.id}:", autoescape=True))
    )
    for later in session.scalars(select(MeetingItem).where(MeetingItem.carried_from_id == item.id)):
        later.carried_from_id = None
    meeting.items.remove(item)
    session.delete(item)
    for position, other in enumerate(meeting.items):
        other.position = position
    session.flush()


def move_meeting_item(session: Session, item_id: int, offset: int) -> None:
    """Move an item up (-1) or down (+1) the agenda."""
    require(session, Permission.RECORD)
    item = get_item(session, item_id)
    ensure_editable(item.meeting)
    items = list(item.meeting.items)
    here = items.index(item)
    there = max(0, min(len(items) - 1, here + offset))
    items.insert(there, items.pop(here))
    for position, other in enumerate(items):
        other.position = position
    session.flush()
    session.expire(item.meeting, ["items"])


def approve_minutes(
    session: Session,
    meeting_id: int,
    approved_by_id: int,
    on: date,
    *,
    seen_version: int | None = None,
    seen_item_versions: dict[int, int] | None = None,
) -> Meeting:
    """Lock the minutes. Only a manager approves, every item must be minuted, and no typed text
    may be left in an auto-saved draft (it would be lost behind the lock).

    ``seen_version`` (the meeting's) and ``seen_item_versions`` (item id → version) are what the
    approver read: minutes changed on another PC since, or an item added, are not approved unread.
    """
    require(session, Permission.APPROVE_MINUTES)
    meeting = get_meeting(session, meeting_id)
    check_version(session, meeting, seen_version, "meeting")
    if seen_item_versions is not None:
        for item in meeting.items:
            check_version(session, item, seen_item_versions.get(item.id, -1), "agenda item")
    ensure_editable(meeting)
    approver = session.get(Person, approved_by_id)
    p = Problems()
    if approver is None:
        p.add("approved_by_id", "Choose who approved the minutes from the staff list.")
    elif not is_manager(approver):
        p.add(
            "approved_by_id",
            f"{approver.name} is not a manager; minutes are approved by a "
            "manager, quality lead, governance lead or nominated individual.",
        )
    if on < meeting.held_on:
        p.add("approved_on", "Minutes cannot be approved before the meeting was held.")
    if not meeting.items:
        p.add("items", "Add at least one agenda item before approving the minutes.")
    for n, item in enumerate(meeting.items, start=1):
        if not item.carried_forward and not item.discussion.strip():
            p.add(f"items.{n}", f"Item {n} ({item.title}) has no minute yet.")
    drafts = session.scalar(
        select(func.count()).select_from(MinuteDraft).where(MinuteDraft.meeting_id == meeting.id)
    )
    if drafts:
        p.add(
            "drafts",
            "Some typed text is only in an auto-saved draft: save or discard it before approving.",
        )
    p.raise_if_any()
    meeting.status = MinutesStatus.APPROVED.value
    meeting.approved_by_id = approved_by_id
    meeting.approved_on = on
    session.flush()
    return meeting


def add_addendum(
    session: Session, meeting_id: int, author_id: int | None, on: date, text: str
) -> MeetingAddendum:
    """Correct approved minutes without rewriting them; drafts are simply edited instead."""
    require(session, Permission.RECORD)
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MinutesStatus.APPROVED or meeting.approved_on is None:
        raise NotAllowed("These minutes are still a draft: edit them directly instead.")
    p = Problems()
    check_people(
        p,
        session,
        "author_id",
        [author_id] if author_id is not None else [],
        "Choose the author from the staff list.",
    )
    if author_id is None:
        p.add("author_id", "Choose who wrote the addendum.")
    p.require("text", text, "Write the correction.")
    if on < meeting.approved_on:
        p.add(
            "added_on",
            f"An addendum cannot be dated before the minutes were approved "
            f"({uk_date(meeting.approved_on)}).",
        )
    p.raise_if_any()
    addendum = MeetingAddendum(
        meeting_id=meeting.id, added_on=on, author_id=author_id, text=text.strip()
    )
    meeting.addenda.append(addendum)
    session.execute(delete(MinuteDraft).where(MinuteDraft.key == f"meeting:{meeting.id}:addendum"))
    session.flush()
    return addendum


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The last earlier meeting of the same type for the same home (or for the provider)."""
    home = (
        Meeting.service_id.is_(None)
        if meeting.service_id is None
        else Meeting.service_id == meeting.service_id
    )
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.meeting_type == meeting.meeting_type,
            home,
            (Meeting.held_on < meeting.held_on)
            | ((Meeting.held_on == meeting.held_on) & (Meeting.id < meeting.id)),
        )
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(1)
    )
