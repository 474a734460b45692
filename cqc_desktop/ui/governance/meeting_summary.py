"""What the meeting panel shows about a meeting, worked out in one read: the heading, who was
there, the minutes' status, the addenda, and one row per agenda item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtGui import QBrush, QColor
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Meeting, Person, Service
from ...models.enums import MinutesStatus
from ...services.governance import minute_drafts
from ..widgets.table_models import Column

DRAFT_MARK = QBrush(QColor("#7a5b00"))


@dataclass(frozen=True)
class ItemRow:
    item_id: int
    number: int
    kind: str
    title: str
    decision: str
    owner: str
    due: date | None
    has_draft: bool
    carried: bool


def _decision_text(r: ItemRow) -> str:
    if r.carried:
        return "Carried forward"
    return r.decision or ("(draft typed)" if r.has_draft else "—")


ITEM_COLUMNS = [
    Column[ItemRow]("#", lambda r: str(r.number), align_right=True),
    Column[ItemRow]("Kind", lambda r: r.kind),
    Column[ItemRow]("Item", lambda r: r.title, tooltip=lambda r: r.title),
    Column[ItemRow]("Decision", _decision_text),
    Column[ItemRow]("Owner", lambda r: r.owner),
    Column[ItemRow]("Due", lambda r: uk_date(r.due)),
]


def item_rows(session: Session, meeting: Meeting) -> list[ItemRow]:
    drafts = minute_drafts.drafts_for(session, meeting.id)
    drafted = {int(k.split(":")[1]) for k in drafts if k.startswith("item:")}
    return [
        ItemRow(
            i.id,
            i.position + 1,
            i.kind,
            i.title,
            i.decision,
            i.owner.name if i.owner else "",
            i.due_date,
            i.id in drafted,
            i.carried_forward,
        )
        for i in meeting.items
    ]


@dataclass(frozen=True)
class MeetingSummary:
    heading: str
    people_html: str
    state: str
    locked: bool
    addenda_html: str


def describe_meeting(session: Session, meeting: Meeting) -> MeetingSummary:
    service = session.get(Service, meeting.service_id) if meeting.service_id else None
    home = service.name if service is not None else "all homes"
    wanted = {*meeting.attendee_ids, meeting.chair_id, meeting.approved_by_id}
    wanted |= {a.author_id for a in meeting.addenda}
    names = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.name).where(Person.id.in_([p for p in wanted if p]))
        )
    }
    present = ", ".join(names[p] for p in meeting.attendee_ids if p in names)
    if meeting.other_attendees:
        present = f"{present}; {meeting.other_attendees}" if present else meeting.other_attendees
    bits = [
        ("Chair", names.get(meeting.chair_id or 0, "not chosen")),
        ("Present", present or "none recorded"),
        ("Apologies", meeting.apologies or "none"),
    ]
    locked = meeting.status == MinutesStatus.APPROVED
    by = names.get(meeting.approved_by_id or 0, "")
    return MeetingSummary(
        heading=f"{meeting.meeting_type} — {uk_date(meeting.held_on)} — {home}",
        people_html=" &nbsp;·&nbsp; ".join(f"<b>{label}:</b> {html(text)}" for label, text in bits),
        state=f"Approved {uk_date(meeting.approved_on)} by {by}: locked"
        if locked
        else "Draft minutes",
        locked=locked,
        addenda_html="<br>".join(
            f"<b>Addendum {uk_date(a.added_on)}</b> "
            f"({html(names.get(a.author_id or 0, ''))}): {html(a.text)}"
            for a in meeting.addenda
        ),
    )


def html(text: str) -> str:
    """User text made safe for a rich-text label (a name with "<" must not become markup)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )
