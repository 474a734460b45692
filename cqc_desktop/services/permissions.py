"""Who may do what. Checked inside the services, so the CLI and the UI obey the same rules.

The signed-in user travels with the unit of work in ``session.info["user"]`` (see
``Database.unit_of_work``). A session without a user is the system itself (start-up, migrations,
the demo loader) and is not restricted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from ..models.enums import Role
from .errors import NotAllowed


class Permission(StrEnum):
    RECORD = "enter trackers, observations, incidents, logs and evidence"
    EDIT_PLANS = "change plans, findings, actions, reviews and measures"
    CLOSE_ACTIONS = "close or reopen actions"
    OVERRIDE_CLOSURE = "close an action without full evidence"
    APPROVE_MINUTES = "approve governance minutes"
    MANAGE = "manage users and settings"


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


SESSION_KEY = "user"


def current_actor(session: Session) -> Actor | None:
    actor = session.info.get(SESSION_KEY)
    return actor if isinstance(actor, Actor) else None


def can(session: Session, permission: Permission) -> bool:
    actor = current_actor(session)
    return actor is None or actor.can(permission)


def require(session: Session, permission: Permission) -> None:
    """Raise NotAllowed, in plain English, if the signed-in user's role does not allow this."""
    actor = current_actor(session)
    if actor is not None and not actor.can(permission):
        raise NotAllowed(
            f"Your role ({actor.role.value}) does not allow you to {permission.value}. "
            "Ask a manager."
        )
