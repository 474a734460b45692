"""Care homes (services) and the people who hold roles in them."""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ...models import Person, PersonHome, Service
from ..errors import NotFound, Problems
from ..trust.permissions import Permission, require

# Roles that may sign off a closure or approve minutes (until user roles decide it, issue "Trust").
MANAGER_ROLE_WORDS = ("manager", "governance lead", "nominated individual", "quality lead")


def is_manager(person: Person) -> bool:
    role = person.role.lower()
    return any(word in role for word in MANAGER_ROLE_WORDS)


def create_service(
    session: Session,
    name: str,
    *,
    provider_name: str = "",
    address: str = "",
    cqc_location_id: str = "",
    current_rating: str = "Not rated",
) -> Service:
    require(session, Permission.MANAGE)
    problems = Problems()
    name = name.strip()
    problems.require("name", name, "Give the care home a name.")
    if name and session.scalar(
        select(func.count()).where(func.lower(Service.name) == name.lower())
    ):
        problems.add("name", f"There is already a care home called {name}.")
    problems.raise_if_any()
    service = Service(
        name=name,
        provider_name=provider_name.strip(),
        address=address.strip(),
        cqc_location_id=cqc_location_id.strip(),
        current_rating=current_rating,
    )
    session.add(service)
    session.flush()
    return service


def create_person(
    session: Session, name: str, role: str = "", *, service_id: int | None = None, email: str = ""
) -> Person:
    require(session, Permission.EDIT_PLANS)
    problems = Problems()
    problems.require("name", name, "Enter the person's name.")
    if service_id is not None and session.get(Service, service_id) is None:
        problems.add("service", "Choose a care home from the list.")
    problems.raise_if_any()
    person = Person(
        name=name.strip(), role=role.strip(), service_id=service_id, email=email.strip()
    )
    session.add(person)
    session.flush()
    return person


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("That person is no longer on the staff list.")
    return person


def list_services(session: Session, *, include_archived: bool = False) -> list[Service]:
    stmt = select(Service).order_by(Service.name)
    if not include_archived:
        stmt = stmt.where(Service.archived.is_(False))
    return list(session.scalars(stmt))


def list_people(
    session: Session, *, service_id: int | None = None, active_only: bool = True
) -> list[Person]:
    """People for a home (listed there or working there too), plus provider-level people (who
    cover every home)."""
    stmt = select(Person).order_by(Person.name)
    if service_id is not None:
        stmt = stmt.where(works_at(service_id))
    if active_only:
        stmt = stmt.where(Person.active.is_(True))
    return list(session.scalars(stmt))


def works_at(service_id: int) -> ColumnElement[bool]:
    """A where-clause: people listed under the home, working there too, or provider-wide."""
    further = select(PersonHome.person_id).where(PersonHome.service_id == service_id)
    return (Person.service_id == service_id) | Person.service_id.is_(None) | Person.id.in_(further)


def find_person(session: Session, name: str) -> Person | None:
    """Find someone by name, ignoring case in any alphabet ("łukasz nowak" finds Łukasz Nowak).

    SQLite's lower() folds only ASCII, so the comparison is done in Python over the short staff
    list rather than in SQL.
    """
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    exact = session.scalar(select(Person).where(Person.name == name.strip()))
    if exact is not None:
        return exact
    return next(
        (
            p
            for p in session.scalars(select(Person))
            if " ".join(p.name.split()).casefold() == wanted
        ),
        None,
    )


def suggest_username(name: str) -> str:
    """A sign-in name from a person's name: "Zoë Hart" → "zoe.hart" (no accents or spaces)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in ("".join(c for c in w if c.isalnum()) for w in plain.split()) if w]
    return ".".join([words[0], words[-1]] if len(words) > 1 else words)
