"""Setting up a new database: the provider, the first care home, its registered manager and the
administrator's account, in one step, so the app is ready to use when it finishes.

Until this has run, a new database has nobody to sign in as; the app and the command line refuse
to work on it "as system" with full rights and offer this instead (see ``needs_setting_up``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Person, Service, User
from ..errors import NotAllowed, Problems, ValidationError
from ..trust import users
from .homes import HomeInput, add_home, set_provider_name
from .staff import StaffInput, add_staff

REGISTERED_MANAGER = "Registered manager"


@dataclass
class SetUpInput:
    provider: str
    home: HomeInput
    username: str
    display_name: str
    password: str
    confirm: str
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetUpResult:
    home_id: int
    user_id: int
    person_id: int | None

    def describe(self, provider: str, home: str, username: str) -> str:
        return (
            f"Set up {provider} with {home}. Sign in as {username} (administrator) to add "
            "staff, more homes and other users."
        )


def has_data(session: Session) -> bool:
    """Anything at all in the database: homes, people or users."""
    return any(
        session.scalar(select(func.count()).select_from(table)) for table in (Service, Person, User)
    )


def needs_setting_up(session: Session) -> bool:
    """A new database nobody can sign in to yet (only set-up, or the demo, may change it)."""
    return not users.has_users(session)


def set_up(session: Session, data: SetUpInput) -> SetUpResult:
    """Provider, first home, its registered manager on the staff list, and the administrator
    (linked to the registered manager when they are the same person). All or nothing."""
    if has_data(session):
        raise NotAllowed(
            "This database has already been set up; sign in and use Administration ▸ Homes "
            "and Staff to add to it."
        )
    p = Problems()
    provider = " ".join(data.provider.split())
    p.require(
        "provider",
        provider,
        "Enter the provider's name (the organisation registered "
        "with CQC; for a single home it may be the home's own name).",
    )
    p.require("name", data.home.name, "Give the care home a name.")
    username = data.username.strip()
    p.require("username", username, "Choose a username for the administrator, e.g. zoe.hart.")
    if p.errors:
        p.raise_if_any()
    errors: dict[str, str] = {}
    for step in (
        lambda: set_provider_name(session, provider),
        lambda: add_home(session, data.home),
    ):
        try:
            step()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    home = session.scalars(select(Service)).one()
    person_id: int | None = None
    if home.registered_manager:
        person = add_staff(
            session, StaffInput(home.registered_manager, REGISTERED_MANAGER, [home.id])
        )
        person_id = person.id
    user = users.create_first_administrator(
        session, username, data.display_name, data.password, data.confirm
    )
    same = " ".join(data.display_name.split()).casefold() == home.registered_manager.casefold()
    if person_id is not None and same:
        user.person_id = person_id
    session.flush()
    return SetUpResult(home.id, user.id, user.person_id)
