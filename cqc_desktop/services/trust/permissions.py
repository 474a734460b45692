"""Who may do what. Checked inside the services, so the CLI and the UI obey the same rules.

The signed-in user travels with the unit of work in ``session.info["user"]`` (see
``Database.unit_of_work``). A session without a user is the system itself (start-up, migrations,
the demo loader) and is not restricted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from ...models.enums import Role
from ..errors import NotAllowed


class Permission(StrEnum):
    RECORD = "enter trackers, observations, incidents, logs and evidence"
    EDIT_PLANS = "change plans, findings, actions, reviews and measures"
    CLOSE_ACTIONS = "close or reopen actions"
    OVERRIDE_CLOSURE = "close an action without full evidence"
    APPROVE_MINUTES = "approve governance minutes"
    BACKUP = "back up the database"
    MANAGE = "manage users and settings, restore backups and read the audit trail"


_STAFF = frozenset({Permission.RECORD})
_MANAGER = frozenset(Permission) - {Permission.MANAGE}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.MANAGER: _MANAGER,
    Role.STAFF: _STAFF,
    Role.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the services need to know them (no ORM object: it outlives sessions)."""

    user_id: int | None
    username: str
    role: Role
    person_id: int | None = None
    display_name: str = ""

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def read_only(self) -> bool:
        """A role that may look but never change anything (a visiting inspector, say)."""
        return not ROLE_PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        """How the status bar and messages name the user: "Zoë Hart (manager)"."""
        return f"{self.display_name or self.username} ({self.role.value})"


SESSION_KEY = "user"
SYSTEM_NAME = "system"
"""Who the audit trail names for changes made without a signed-in user (start-up, demo loader)."""


def current_actor(session: Session) -> Actor | None:
    actor = session.info.get(SESSION_KEY)
    return actor if isinstance(actor, Actor) else None


def can(session: Session, permission: Permission) -> bool:
    actor = current_actor(session)
    return actor is None or actor.can(permission)


def who(session: Session) -> str:
    """The username the audit trail records for this unit of work."""
    actor = current_actor(session)
    return actor.username if actor is not None else SYSTEM_NAME


def require(session: Session, permission: Permission) -> None:
    """Raise NotAllowed, in plain English, if the signed-in user's role does not allow this."""
    actor = current_actor(session)
    if actor is not None and not actor.can(permission):
        raise NotAllowed(
            f"Your role ({actor.role.value}) does not allow you to {permission.value}. "
            "Ask a manager."
        )


_OWN_FIELDS = frozenset({"last_login", "password_hash", "display_name", "updated_at"})


def _check_own_row(user: object, actor: Actor) -> None:
    """On your own user row you may sign in, change your password and your shown name; never
    your role, your username or whether the account is switched on."""
    from sqlalchemy import inspect

    state = inspect(user)
    if state.deleted or state.was_deleted:
        raise NotAllowed("You cannot remove your own account; ask another administrator.")
    for attr in state.mapper.column_attrs:
        if attr.key not in _OWN_FIELDS and state.attrs[attr.key].history.has_changes():
            raise NotAllowed(
                f"You cannot change your own {attr.key.replace('_', ' ')} "
                f"(you are {actor.role.value}); ask another administrator."
            )


def check_changes_allowed(session: Session, changed: Iterable[object]) -> None:
    """The last line of defence, run before every flush: whatever a service forgot to check,
    a read-only user never changes anything, and only an administrator changes other users.

    Signing in (last sign-in time) and changing your own password touch only your own user row,
    so they stay allowed for everyone.
    """
    actor = current_actor(session)
    if actor is None:
        return
    from ...models import User  # local: models import nothing from services, keep it that way

    for obj in changed:
        own_row = isinstance(obj, User) and obj.id is not None and obj.id == actor.user_id
        if own_row:
            _check_own_row(obj, actor)
            continue
        if isinstance(obj, User) and not actor.can(Permission.MANAGE):
            raise NotAllowed(
                f"Your role ({actor.role.value}) does not allow you to manage users. "
                "Ask an administrator."
            )
        if actor.read_only:
            raise NotAllowed(
                f"Your role ({actor.role.value}) is read-only: you can look at everything "
                "but not change it."
            )
