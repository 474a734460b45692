"""Setting up a new database: the provider, the first care home, its registered manager and the
administrator's account, in one step, so the app is ready to use when it finishes.

Until this has run, a new database has nobody to sign in as; the app and the command line refuse
to work on it "as system" with full rights and offer this instead (see ``needs_setting_up``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Person, Service, User
from ..errors import NotAllowed, Problems, ValidationError
from ..spreadsheets import Sheet
from ..trust import users
from .homes import HomeInput, add_home, set_provider_name
from .staff import StaffInput, add_staff
from .staff_import import StaffImportResult, StaffPreview, import_staff, preview_sheet

REGISTERED_MANAGER = "Registered manager"


@dataclass
class SetUpInput:
    provider: str
    home: HomeInput
    username: str
    display_name: str
    password: str
    confirm: str
    staff_list: Sheet | None = None
    """A staff list to import into the first home (optional); refused whole if any row is wrong."""


@dataclass(frozen=True)
class SetUpResult:
    home_id: int
    user_id: int
    person_id: int | None
    staff: StaffImportResult | None = None
    recovery_code: str = ""  # shown once, to print and lock away (users recover)


def has_data(session: Session) -> bool:
    """Anything at all in the database: homes, people or users."""
    return any(
        session.scalar(select(func.count()).select_from(table)) for table in (Service, Person, User)
    )


def needs_setting_up(session: Session) -> bool:
    """A new database nobody can sign in to yet (only set-up, or the demo, may change it)."""
    return not users.has_users(session)


def set_up(session: Session, data: SetUpInput) -> SetUpResult:
    """Provider, first home, its registered manager on the staff list, the staff list if one is
    given, and the administrator (linked to the registered manager when they are the same
    person). All or nothing: the caller's unit of work commits, or rolls everything back."""
    _refuse_if_set_up(session)
    if not data.username.strip():
        raise ValidationError.single(
            "username", "Choose a username for the administrator, e.g. zoe.hart."
        )
    home, person_id = _organisation(session, data)
    staff = None
    if data.staff_list is not None:
        preview = preview_sheet(session, home.id, data.staff_list)
        if not preview.ok:
            raise ValidationError({"staff_list": preview.describe()})
        staff = import_staff(session, preview)
    user = users.create_first_administrator(
        session, data.username.strip(), data.display_name, data.password, data.confirm
    )
    same = " ".join(data.display_name.split()).casefold() == home.registered_manager.casefold()
    if person_id is not None and same:
        user.person_id = person_id
    session.flush()
    code = users.issue_recovery_code(session)
    return SetUpResult(home.id, user.id, user.person_id, staff, code)


def preview_staff_list(session: Session, data: SetUpInput, sheet: Sheet) -> StaffPreview:
    """What importing ``sheet`` into the first home would do, before set-up has run: the home and
    its registered manager are made in ``session`` for the check, and the caller throws them
    away (``Database.reading`` rolls back)."""
    home, _person_id = _organisation(session, data)
    return preview_sheet(session, home.id, sheet)


def _refuse_if_set_up(session: Session) -> None:
    if has_data(session):
        raise NotAllowed(
            "This database has already been set up; sign in and use Administration ▸ Homes "
            "and Staff to add to it."
        )


def _organisation(session: Session, data: SetUpInput) -> tuple[Service, int | None]:
    _refuse_if_set_up(session)
    p = Problems()
    provider = " ".join(data.provider.split())
    p.require(
        "provider",
        provider,
        "Enter the provider's name (the organisation registered "
        "with CQC; for a single home it may be the home's own name).",
    )
    p.require("name", data.home.name, "Give the care home a name.")
    p.raise_if_any()
    set_provider_name(session, provider)
    home = add_home(session, data.home)
    person_id: int | None = None
    if home.registered_manager:
        person = add_staff(
            session, StaffInput(home.registered_manager, REGISTERED_MANAGER, [home.id])
        )
        person_id = person.id
    return home, person_id
