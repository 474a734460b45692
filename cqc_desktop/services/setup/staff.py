"""The staff list: people per care home, with job title, start and leaving dates.

Nobody is ever deleted: a person may lead actions, have made entries or chaired meetings, and the
record of that must keep their name. Someone who leaves is marked as left (with the date), drops
out of every picker for new work, and keeps their name on everything they did. A person may work
in more than one home: the home they are listed under plus further homes (``PersonHome``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Person, PersonHome, Service
from ..errors import Problems
from ..trust.permissions import Permission, require
from .people import get_person, works_at

EMAIL_MAX = 200


@dataclass
class StaffInput:
    """A member of staff as a form, the command line or an imported row describes them."""

    name: str
    job_title: str = ""
    home_ids: list[int] = field(default_factory=list)
    """The homes they work in; the first is the one they are listed under. Empty: provider-wide."""
    start_date: date | None = None
    leaving_date: date | None = None
    email: str = ""


@dataclass(frozen=True)
class StaffRow:
    """One line of the staff list, as the window and the command line show it."""

    id: int
    name: str
    job_title: str
    homes: tuple[str, ...]
    start_date: date | None
    leaving_date: date | None
    email: str
    active: bool

    @property
    def status(self) -> str:
        return "Active" if self.active else "Left"


def tidy_name(name: str) -> str:
    return " ".join(name.split())


def check_staff(p: Problems, data: StaffInput, *, prefix: str = "") -> None:
    """The rules a person's details must meet (shared with the import, which names the row)."""
    name = tidy_name(data.name)
    p.require("name", name, f"{prefix}Enter the person's name.")
    if len(name) > 200:
        p.add("name", f"{prefix}Keep the name to 200 characters.")
    if len(data.job_title.strip()) > 100:
        p.add("job_title", f"{prefix}Keep the job title to 100 characters.")
    email = data.email.strip()
    if email and ("@" not in email or " " in email or len(email) > EMAIL_MAX):
        p.add("email", f"{prefix}{email} is not an email address; leave it blank if unknown.")
    if data.start_date and data.leaving_date and data.leaving_date < data.start_date:
        p.add("leaving_date", f"{prefix}The leaving date is before the start date.")


def _check_homes(session: Session, p: Problems, home_ids: list[int]) -> None:
    for home_id in home_ids:
        home = session.get(Service, home_id)
        if home is None or home.archived:
            p.add("homes", "Choose the care home from the list.")


def add_staff(session: Session, data: StaffInput) -> Person:
    require(session, Permission.EDIT_PLANS)
    p = Problems()
    check_staff(p, data)
    _check_homes(session, p, data.home_ids)
    p.raise_if_any()
    person = Person(name=tidy_name(data.name))
    _apply(person, data)
    session.add(person)
    session.flush()
    _set_homes(session, person, data.home_ids)
    return person


def edit_staff(session: Session, person_id: int, data: StaffInput) -> Person:
    require(session, Permission.EDIT_PLANS)
    person = get_person(session, person_id)
    p = Problems()
    check_staff(p, data)
    _check_homes(session, p, [h for h in data.home_ids if h not in homes_of(session, person)])
    p.raise_if_any()
    person.name = tidy_name(data.name)
    _apply(person, data)
    _set_homes(session, person, data.home_ids)
    session.flush()
    return person


def _apply(person: Person, data: StaffInput) -> None:
    person.role = " ".join(data.job_title.split())
    person.email = data.email.strip()
    person.start_date = data.start_date
    person.leaving_date = data.leaving_date
    person.active = data.leaving_date is None or data.leaving_date > date.today()
    person.service_id = data.home_ids[0] if data.home_ids else None


def _set_homes(session: Session, person: Person, home_ids: list[int]) -> None:
    extra = [h for h in dict.fromkeys(home_ids[1:]) if h != person.service_id]
    current = {
        link.service_id: link
        for link in session.scalars(select(PersonHome).where(PersonHome.person_id == person.id))
    }
    for service_id, link in current.items():
        if service_id not in extra:
            session.delete(link)
    for service_id in extra:
        if service_id not in current:
            session.add(PersonHome(person_id=person.id, service_id=service_id))
    session.flush()


def mark_left(session: Session, person_id: int, leaving_date: date) -> Person:
    """The person has left: kept on every record, offered for nothing new."""
    require(session, Permission.EDIT_PLANS)
    person = get_person(session, person_id)
    if person.start_date and leaving_date < person.start_date:
        p = Problems()
        p.add("leaving_date", "The leaving date is before the start date.")
        p.raise_if_any()
    person.leaving_date = leaving_date
    person.active = False
    session.flush()
    return person


def rejoin(session: Session, person_id: int) -> Person:
    """Undo "left" (marked by mistake, or the person came back)."""
    require(session, Permission.EDIT_PLANS)
    person = get_person(session, person_id)
    person.leaving_date = None
    person.active = True
    session.flush()
    return person


def homes_of(session: Session, person: Person) -> list[int]:
    """The homes a person works in, the one they are listed under first."""
    extra = session.scalars(
        select(PersonHome.service_id)
        .where(PersonHome.person_id == person.id)
        .order_by(PersonHome.service_id)
    )
    first = [person.service_id] if person.service_id is not None else []
    return first + [h for h in extra if h != person.service_id]


def list_staff(
    session: Session, *, service_id: int | None = None, include_left: bool = True
) -> list[StaffRow]:
    """The staff list for a home (or everyone), by name; people who have left last."""
    stmt = select(Person).order_by(Person.active.desc(), Person.name)
    if service_id is not None:
        stmt = stmt.where(works_at(service_id))
    if not include_left:
        stmt = stmt.where(Person.active.is_(True))
    people = list(session.scalars(stmt))
    names = {i: n for i, n in session.execute(select(Service.id, Service.name))}
    links: dict[int, list[int]] = {}
    for person_id, home_id in session.execute(
        select(PersonHome.person_id, PersonHome.service_id).order_by(PersonHome.service_id)
    ):
        links.setdefault(person_id, []).append(home_id)
    rows = []
    for person in people:
        ids = ([person.service_id] if person.service_id is not None else []) + [
            h for h in links.get(person.id, []) if h != person.service_id
        ]
        homes = tuple(names[h] for h in ids if h in names) or ("All homes",)
        rows.append(
            StaffRow(
                person.id,
                person.name,
                person.role,
                homes,
                person.start_date,
                person.leaving_date,
                person.email,
                person.active,
            )
        )
    return rows


def staff_input_of(session: Session, person: Person) -> StaffInput:
    return StaffInput(
        name=person.name,
        job_title=person.role,
        home_ids=homes_of(session, person),
        start_date=person.start_date,
        leaving_date=person.leaving_date,
        email=person.email,
    )
