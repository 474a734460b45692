"""Complaints (HSCA Regulation 16) and compliments, logged in one book.

A complaint is acknowledged within 3 working days and answered within 20 (the targets and the bank
holidays are versioned data in ``resources/reference/``); both deadlines are worked out when the
complaint is recorded and stored with it. An acknowledgement or response not given by its date is
overdue; one given after it is late. Compliments have no deadlines. Functions add and flush but
never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...models import Complaint, Service
from ...models.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintFinding,
    ComplaintFrom,
    ComplaintKind,
    ComplaintSeverity,
)
from ..errors import NotFound, Problems
from ..reference import REFERENCE
from ..trust import settings
from ..trust.permissions import Permission, require
from .common import check_action, check_person, load_json, require_service, uk_date
from .incidents import looks_like_full_name
from .working_days import add_working_days

__all__ = [
    "ComplaintInput",
    "ComplaintState",
    "Overdue",
    "Targets",
    "deadlines",
    "get_complaint",
    "next_reference",
    "overdue",
    "record_complaint",
    "state_of",
    "targets",
    "update_complaint",
]

TARGETS_FILE = "complaints.json"
_PREFIX = {ComplaintKind.COMPLAINT.value: "CMP", ComplaintKind.COMPLIMENT.value: "CPL"}


@dataclass(frozen=True)
class Targets:
    version: str
    acknowledge_days: int
    respond_days: int


@cache
def targets() -> Targets:
    data = load_json(REFERENCE / TARGETS_FILE)
    return Targets(
        str(data["version"]),
        int(data["acknowledge_within_working_days"]),
        int(data["respond_within_working_days"]),
    )


def deadlines(received_on: date) -> tuple[date, date]:
    """(acknowledge by, respond by) for a complaint received on ``received_on``."""
    t = targets()
    return add_working_days(received_on, t.acknowledge_days), add_working_days(
        received_on, t.respond_days
    )


@dataclass
class ComplaintInput:
    """What the complaint form holds. A compliment uses the first six fields and the summary."""

    kind: str
    received_on: date
    from_type: str
    from_ref: str
    channel: str
    category: str
    summary: str = ""
    severity: str = ""
    handled_by_id: int | None = None
    acknowledged_on: date | None = None
    investigation: str = ""
    responded_on: date | None = None
    outcome: str = ""
    finding: str = ""
    learning: str = ""
    action_id: int | None = None


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("That complaint or compliment no longer exists.")
    return complaint


def next_reference(session: Session, service_id: int, kind: str, year: int) -> str:
    """The home's next "CMP-YYYY-NNNN" (complaints) or "CPL-YYYY-NNNN" (compliments)."""
    prefix = f"{_PREFIX[kind]}-{year}-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    references = session.scalars(
        select(Complaint.reference).where(
            Complaint.service_id == service_id, Complaint.reference.like(f"{prefix}%")
        )
    )
    numbers = [int(m[1]) for r in references if (m := pattern.fullmatch(r))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _check(p: Problems, session: Session, service_id: int, d: ComplaintInput, today: date) -> None:
    p.choice("kind", d.kind, ComplaintKind, "kind (complaint or compliment)")
    p.choice("from_type", d.from_type, ComplaintFrom, "who it is from")
    p.choice("channel", d.channel, ComplaintChannel, "way it was received")
    p.choice("category", d.category, ComplaintCategory, "category")
    p.require("summary", d.summary, "Say in a sentence or two what was said.")
    if looks_like_full_name(d.from_ref) and not settings.get(session, "privacy.allow_names"):
        p.add(
            "from_ref",
            'Use initials, a room number or a relationship ("daughter of Rm 4"), not a full '
            "name (names are turned off in the privacy settings).",
        )
    if d.received_on > today:
        p.add("received_on", "The date received cannot be in the future.")
    check_action(p, session, "action_id", d.action_id, service_id)
    if d.kind != ComplaintKind.COMPLAINT:
        return
    p.choice("severity", d.severity, ComplaintSeverity, "severity")
    check_person(
        p,
        session,
        "handled_by_id",
        d.handled_by_id,
        "Choose someone from the staff list.",
        required=False,
    )
    for name, on, what in (
        ("acknowledged_on", d.acknowledged_on, "acknowledged"),
        ("responded_on", d.responded_on, "answered"),
    ):
        if on is None:
            continue
        if on < d.received_on:
            p.add(
                name,
                f"It cannot have been {what} before it was received ({uk_date(d.received_on)}).",
            )
        elif on > today:
            p.add(name, f"The date it was {what} cannot be in the future.")
    if d.responded_on is not None:
        if d.acknowledged_on is None:
            p.add(
                "acknowledged_on", "Enter the date it was acknowledged (on or before the response)."
            )
        elif d.acknowledged_on > d.responded_on:
            p.add("acknowledged_on", "The acknowledgement cannot come after the response.")
        p.require("outcome", d.outcome, "Say what the response told the complainant.")
        p.choice("finding", d.finding, ComplaintFinding, "finding (upheld, partly or not)")
    elif d.finding:
        p.add("finding", "Record the response date before saying whether it was upheld.")


def _apply(c: Complaint, d: ComplaintInput) -> None:
    complaint = d.kind == ComplaintKind.COMPLAINT
    c.kind = d.kind
    c.received_on = d.received_on
    c.from_type = d.from_type
    c.from_ref = " ".join(d.from_ref.split())
    c.channel = d.channel
    c.category = d.category
    c.summary = d.summary.strip()
    c.action_id = d.action_id
    c.learning = d.learning.strip()
    c.severity = d.severity if complaint else ""
    c.handled_by_id = d.handled_by_id
    c.acknowledged_on = d.acknowledged_on if complaint else None
    c.investigation = d.investigation.strip() if complaint else ""
    c.responded_on = d.responded_on if complaint else None
    c.outcome = d.outcome.strip() if complaint else ""
    c.finding = d.finding if complaint else ""
    if complaint:
        c.acknowledge_by, c.respond_by = deadlines(d.received_on)
    else:
        c.acknowledge_by = c.respond_by = None


def record_complaint(
    session: Session,
    service_id: int,
    data: ComplaintInput,
    *,
    reference: str = "",
    today: date | None = None,
) -> Complaint:
    """Log a complaint or a compliment; a complaint gets its acknowledgement and response dates."""
    require(session, Permission.RECORD)
    require_service(session, service_id)
    p = Problems()
    _check(p, session, service_id, data, today or date.today())
    reference = reference.strip()
    if reference and session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(
            Complaint.service_id == service_id,
            func.lower(Complaint.reference) == reference.lower(),
        )
    ):
        p.add("reference", f"Another record at this home already has the reference {reference}.")
    p.raise_if_any()
    complaint = Complaint(
        service_id=service_id,
        reference=reference
        or next_reference(session, service_id, data.kind, data.received_on.year),
    )
    _apply(complaint, data)
    session.add(complaint)
    session.flush()
    return complaint


def update_complaint(
    session: Session, complaint_id: int, data: ComplaintInput, *, today: date | None = None
) -> Complaint:
    """Record the acknowledgement, investigation, response and learning, or correct the entry."""
    require(session, Permission.RECORD)
    complaint = get_complaint(session, complaint_id)
    p = Problems()
    if data.kind != complaint.kind:
        p.add(
            "kind", f"This is a {complaint.kind.lower()}; it cannot be changed into another kind."
        )
    _check(p, session, complaint.service_id, data, today or date.today())
    p.raise_if_any()
    _apply(complaint, data)
    session.flush()
    return complaint


# --- where a complaint stands ---------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintState:
    label: str
    acknowledgement_overdue: bool = False
    acknowledgement_late: bool = False
    response_overdue: bool = False
    response_late: bool = False

    @property
    def needs_attention(self) -> bool:
        return self.acknowledgement_overdue or self.response_overdue


def state_of(
    kind: str,
    acknowledge_by: date | None,
    acknowledged_on: date | None,
    respond_by: date | None,
    responded_on: date | None,
    today: date,
) -> ComplaintState:
    """Where a complaint stands on ``today``. Due on the day itself is not yet overdue."""
    if kind != ComplaintKind.COMPLAINT or acknowledge_by is None or respond_by is None:
        return ComplaintState("Compliment")
    ack_overdue = acknowledged_on is None and today > acknowledge_by
    ack_late = acknowledged_on is not None and acknowledged_on > acknowledge_by
    resp_overdue = responded_on is None and today > respond_by
    resp_late = responded_on is not None and responded_on > respond_by
    if responded_on is not None:
        label = "Answered late" if resp_late else "Answered on time"
    elif resp_overdue:
        label = "Response overdue"
    elif ack_overdue:
        label = "Acknowledgement overdue"
    elif acknowledged_on is None:
        label = f"Acknowledge by {uk_date(acknowledge_by)}"
    else:
        label = f"Respond by {uk_date(respond_by)}"
    return ComplaintState(label, ack_overdue, ack_late, resp_overdue, resp_late)


@dataclass(frozen=True)
class Overdue:
    """One overdue step of a complaint, for the dashboard."""

    complaint_id: int
    reference: str
    service: str
    received_on: date
    category: str
    step: str  # "Acknowledgement" or "Response"
    due: date
    days_overdue: int
    summary: str = field(default="")


def overdue(session: Session, today: date, service_id: int | None = None) -> list[Overdue]:
    """Acknowledgements and responses not given by their date, oldest due first."""
    stmt = (
        select(
            Complaint.id,
            Complaint.reference,
            Service.name,
            Complaint.received_on,
            Complaint.category,
            Complaint.acknowledge_by,
            Complaint.acknowledged_on,
            Complaint.respond_by,
            Complaint.summary,
        )
        .join(Service, Service.id == Complaint.service_id)
        .where(
            Complaint.kind == ComplaintKind.COMPLAINT.value,
            Complaint.responded_on.is_(None),
            or_(
                Complaint.respond_by < today,
                (Complaint.acknowledged_on.is_(None) & (Complaint.acknowledge_by < today)),
            ),
        )
    )
    if service_id is not None:
        stmt = stmt.where(Complaint.service_id == service_id)
    out: list[Overdue] = []
    for cid, ref, home, received, category, ack_by, ack_on, respond_by, summary in session.execute(
        stmt
    ):
        steps: list[tuple[str, date | None]] = [("Response", respond_by)]
        if ack_on is None:
            steps.insert(0, ("Acknowledgement", ack_by))
        for step, due in steps:
            if due is not None and due < today:
                days = (today - due).days
                out.append(Overdue(cid, ref, home, received, category, step, due, days, summary))
    out.sort(key=lambda o: (o.due, o.reference, o.step))
    return out
