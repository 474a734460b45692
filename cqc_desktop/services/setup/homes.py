"""The provider and its care homes: the provider's name, adding, changing and archiving homes.

Only an administrator changes these (checked here, so the CLI and the window obey the same
rule). A home is archived, never deleted: its plans, records and minutes stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Service
from ..errors import NotFound, Problems
from ..trust import settings
from ..trust.permissions import Permission, require

PROVIDER_KEY = "provider.name"
# CQC's two care home service types; the field also takes anything typed (e.g. a specialism).
SERVICE_TYPES = ("Care home with nursing", "Care home without nursing")
MAX_BEDS = 1000


@dataclass
class HomeInput:
    """What a form or the command line says about a care home."""

    name: str
    cqc_location_id: str = ""
    registered_manager: str = ""
    beds: int | None = None
    service_type: str = ""
    address: str = ""


def provider_name(session: Session) -> str:
    value = settings.get(session, PROVIDER_KEY)
    return value if isinstance(value, str) else ""


def set_provider_name(session: Session, name: str) -> None:
    require(session, Permission.MANAGE)
    name = " ".join(name.split())
    p = Problems()
    p.require("provider", name, "Enter the provider's name (the organisation registered with CQC).")
    if len(name) > 200:
        p.add("provider", "Keep the provider's name to 200 characters.")
    p.raise_if_any()
    settings.put(session, PROVIDER_KEY, name)
    for home in session.scalars(select(Service)):
        home.provider_name = name
    session.flush()


def _check(session: Session, data: HomeInput, home_id: int | None) -> Problems:
    p = Problems()
    name = " ".join(data.name.split())
    p.require("name", name, "Give the care home a name.")
    if len(name) > 200:
        p.add("name", "Keep the home's name to 200 characters.")
    elif name:
        clash = session.scalar(select(Service).where(func.lower(Service.name) == name.lower()))
        if clash is not None and clash.id != home_id:
            p.add("name", f"There is already a care home called {clash.name}.")
    location = data.cqc_location_id.strip()
    # CQC location IDs look like 1-123456789; checked loosely, as CQC has changed the format.
    if location and (len(location) > 40 or " " in location):
        p.add(
            "cqc_location_id",
            "Type the CQC location ID as it appears on the CQC website, e.g. 1-123456789.",
        )
    if data.beds is not None and not 0 < data.beds <= MAX_BEDS:
        p.add("beds", f"Give the number of beds as a whole number from 1 to {MAX_BEDS}.")
    if len(data.registered_manager.strip()) > 200:
        p.add("registered_manager", "Keep the registered manager's name to 200 characters.")
    if len(data.service_type.strip()) > 100:
        p.add("service_type", "Keep the type of service to 100 characters.")
    return p


def home_problems(session: Session, data: HomeInput, home_id: int | None = None) -> dict[str, str]:
    """What is wrong with a home's details (field → message), without saving anything: lets a
    form that saves later (the set-up wizard) say so on the page where it was typed."""
    return _check(session, data, home_id).errors


def add_home(session: Session, data: HomeInput) -> Service:
    require(session, Permission.MANAGE)
    _check(session, data, None).raise_if_any()
    home = Service(provider_name=provider_name(session))
    _apply(home, data)
    session.add(home)
    session.flush()
    return home


def edit_home(session: Session, home_id: int, data: HomeInput) -> Service:
    require(session, Permission.MANAGE)
    home = get_home(session, home_id)
    _check(session, data, home_id).raise_if_any()
    _apply(home, data)
    session.flush()
    return home


def _apply(home: Service, data: HomeInput) -> None:
    home.name = " ".join(data.name.split())
    home.cqc_location_id = data.cqc_location_id.strip()
    home.registered_manager = " ".join(data.registered_manager.split())
    home.beds = data.beds
    home.service_type = data.service_type.strip()
    home.address = data.address.strip()


def set_archived(session: Session, home_id: int, archived: bool) -> Service:
    """Archive a home (it leaves the pickers; its records stay) or bring it back."""
    require(session, Permission.MANAGE)
    home = get_home(session, home_id)
    if archived and not home.archived:
        others = session.scalar(
            select(func.count())
            .select_from(Service)
            .where(Service.archived.is_(False), Service.id != home_id)
        )
        if not others:
            p = Problems()
            p.add(
                "home", f"{home.name} is the only open care home; add another before archiving it."
            )
            p.raise_if_any()
    home.archived = archived
    session.flush()
    return home


def get_home(session: Session, home_id: int) -> Service:
    home = session.get(Service, home_id)
    if home is None:
        raise NotFound("That care home is no longer in the database.")
    return home


def find_home(session: Session, name: str) -> Service | None:
    wanted = " ".join(name.split()).casefold()
    return next((h for h in session.scalars(select(Service)) if h.name.casefold() == wanted), None)


def list_homes(session: Session, *, include_archived: bool = False) -> list[Service]:
    stmt = select(Service).order_by(Service.archived, Service.name)
    if not include_archived:
        stmt = stmt.where(Service.archived.is_(False))
    return list(session.scalars(stmt))
