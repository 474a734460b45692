"""Supervision and competency checks per member of staff, and who is due or overdue.

The next one is due a set time after the last (the intervals are versioned data in
``resources/reference/supervision.json``) unless the supervisor sets another date. Linked to an
action, the notes are evidence for it ("Supervision notes", in CQC's "Feedback from staff and
leaders"). Functions flush but never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ...models import Action, Evidence, Person, Service, Supervision
from ...models.enums import Supports
from ..errors import NotFound, Problems
from ..listing import PAGE_SIZE, Page, like_any
from ..plans.evidence import EvidenceInput, add_evidence
from ..reference import REFERENCE
from ..trust.permissions import Permission, require
from .common import check_action, check_person, load_json, require_service, uk_date
from .listing import in_dates, sorted_page

INTERVALS_FILE = "supervision.json"


@cache
def intervals() -> dict[str, int]:
    """Days between one supervision of each kind and the next, by kind."""
    data = load_json(REFERENCE / INTERVALS_FILE)
    return {k["name"]: int(k["every_days"]) for k in data["kinds"]}


def kinds() -> list[str]:
    return list(intervals())


@dataclass
class SupervisionInput:
    person_id: int | None
    kind: str
    held_on: date
    supervisor_id: int | None = None
    focus: str = ""
    notes: str = ""
    outcome: str = ""
    next_due: date | None = None  # None: the usual interval after ``held_on``
    action_id: int | None = None


def get_supervision(session: Session, supervision_id: int) -> Supervision:
    found = session.get(Supervision, supervision_id)
    if found is None:
        raise NotFound("That supervision record no longer exists.")
    return found


def _check(
    p: Problems, session: Session, service_id: int, d: SupervisionInput, today: date
) -> None:
    check_person(p, session, "person_id", d.person_id, "Choose who was supervised.")
    check_person(
        p,
        session,
        "supervisor_id",
        d.supervisor_id,
        "Choose the supervisor from the staff list.",
        required=False,
    )
    if d.person_id is not None and d.person_id == d.supervisor_id:
        p.add("supervisor_id", "Someone else supervises: choose another supervisor.")
    if d.kind not in intervals():
        p.add("kind", f"Choose the kind from the list ({', '.join(intervals())}).")
    if d.held_on > today:
        p.add("held_on", "A supervision cannot be recorded before it happens.")
    p.require("notes", d.notes, "Write down what was discussed and agreed.")
    if d.next_due is not None and d.next_due <= d.held_on:
        p.add("next_due", f"The next one must be after this one ({uk_date(d.held_on)}).")
    check_action(p, session, "action_id", d.action_id, service_id)


def _apply(s: Supervision, d: SupervisionInput) -> None:
    assert d.person_id is not None
    s.person_id = d.person_id
    s.supervisor_id = d.supervisor_id
    s.kind = d.kind
    s.held_on = d.held_on
    s.focus = d.focus.strip()
    s.notes = d.notes.strip()
    s.outcome = d.outcome.strip()
    s.next_due = d.next_due or d.held_on + timedelta(days=intervals()[d.kind])
    s.action_id = d.action_id


def link_as_evidence(session: Session, s: Supervision, today: date | None) -> None:
    """Add the notes as evidence for the linked action, once per action."""
    require(session, Permission.RECORD)
    if s.action_id is None or session.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.action_id == s.action_id, Evidence.supervision_id == s.id)
    ):
        return
    person = session.get(Person, s.person_id)
    add_evidence(
        session,
        s.action_id,
        EvidenceInput(
            title=f"{s.kind}: {person.name if person else 'staff member'}, {uk_date(s.held_on)}",
            source_type="supervision_notes",
            collected_on=s.held_on,
            supports=Supports.YES.value,
            description="\n".join(
                line
                for line in (
                    s.focus and f"Focus: {s.focus}",
                    s.notes,
                    s.outcome and f"Agreed: {s.outcome}",
                )
                if line
            ),
            supervision_id=s.id,
        ),
        today=today,
    )


def record_supervision(
    session: Session, service_id: int, data: SupervisionInput, *, today: date | None = None
) -> Supervision:
    require(session, Permission.RECORD)
    require_service(session, service_id)
    p = Problems()
    _check(p, session, service_id, data, today or date.today())
    p.raise_if_any()
    record = Supervision(service_id=service_id)
    _apply(record, data)
    session.add(record)
    session.flush()
    link_as_evidence(session, record, today)
    return record


def update_supervision(
    session: Session, supervision_id: int, data: SupervisionInput, *, today: date | None = None
) -> Supervision:
    require(session, Permission.RECORD)
    record = get_supervision(session, supervision_id)
    p = Problems()
    _check(p, session, record.service_id, data, today or date.today())
    p.raise_if_any()
    _apply(record, data)
    session.flush()
    link_as_evidence(session, record, today)
    return record


@dataclass(frozen=True)
class Due:
    """Where one person stands for one kind of supervision: their latest and when the next is."""

    person_id: int
    person: str
    role: str
    service: str
    kind: str
    last_held: date
    next_due: date
    days_overdue: int  # negative: days until due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def due_list(session: Session, today: date, service_id: int | None = None) -> list[Due]:
    """Each active person's latest supervision of each kind and when the next is due, overdue
    first. People never supervised are not listed (nothing says when theirs was due)."""
    latest = (
        select(
            Supervision.person_id,
            Supervision.kind,
            func.max(Supervision.held_on).label("held_on"),
        )
        .group_by(Supervision.person_id, Supervision.kind)
        .subquery()
    )
    last = aliased(Supervision)
    stmt = (
        select(
            Person.id,
            Person.name,
            Person.role,
            Service.name,
            last.kind,
            last.held_on,
            last.next_due,
        )
        .join(latest, latest.c.person_id == Person.id)
        .join(
            last,
            (last.person_id == latest.c.person_id)
            & (last.kind == latest.c.kind)
            & (last.held_on == latest.c.held_on),
        )
        .join(Service, Service.id == last.service_id)
        .where(Person.active.is_(True))
    )
    if service_id is not None:
        stmt = stmt.where(last.service_id == service_id)
    out: dict[tuple[int, str], Due] = {}
    for pid, name, role, home, kind, held, next_due in session.execute(stmt):
        due = next_due or held + timedelta(days=intervals().get(kind, 56))
        out[(pid, kind)] = Due(pid, name, role or "", home, kind, held, due, (today - due).days)
    return sorted(out.values(), key=lambda d: (-d.days_overdue, d.person, d.kind))


# --- the list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionRow:
    id: int
    held_on: date
    person: str
    kind: str
    supervisor: str
    focus: str
    notes: str
    outcome: str
    next_due: date | None
    action_ref: str


_SUPERVISED = aliased(Person, name="supervised")
_SUPERVISOR = aliased(Person, name="supervisor")


def supervision_page(
    session: Session,
    service_id: int | None,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
    *,
    search: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    descending: bool = True,
) -> Page:
    """Supervision records newest first (paged by date), optionally searched."""
    columns: list[Any] = [
        Supervision.id,
        Supervision.held_on,
        _SUPERVISED.name,
        Supervision.kind,
        func.coalesce(_SUPERVISOR.name, ""),
        Supervision.focus,
        Supervision.notes,
        Supervision.outcome,
        Supervision.next_due,
        func.coalesce(Action.reference, ""),
        Supervision.held_on,
        Supervision.id,
    ]
    stmt: Select[Any] = (
        select(*columns)
        .join(_SUPERVISED, _SUPERVISED.id == Supervision.person_id)
        .outerjoin(_SUPERVISOR, _SUPERVISOR.id == Supervision.supervisor_id)
        .outerjoin(Action, Action.id == Supervision.action_id)
    )
    if service_id is not None:
        stmt = stmt.where(Supervision.service_id == service_id)
    stmt = stmt.where(*in_dates(Supervision.held_on, date_from, date_to))
    if search.strip():
        stmt = stmt.where(
            like_any([_SUPERVISED.name, Supervision.focus, Supervision.notes], search)
        )
    return sorted_page(
        session,
        stmt,
        Supervision.held_on,  # type: ignore[arg-type]
        Supervision.id,
        SupervisionRow,
        descending=descending,
        after=after,
        limit=limit,
    )
