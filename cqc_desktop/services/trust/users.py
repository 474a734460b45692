"""People who sign in: the first administrator, adding and changing users, and signing in.

Passwords are kept only as a salted scrypt hash (memory-hard, from the standard library); the
parameters are stored with each hash so they can be raised later without breaking old ones.
Nothing here ever logs or returns a password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ...config import RESOURCES
from ...models import AuditLog, Person, RecoveryCode, SignInThrottle, User, utcnow
from ...models.enums import Role
from ..errors import NotAllowed, NotFound, Problems, ServiceError
from ..trust import settings
from .permissions import SESSION_KEY, Actor, Permission, current_actor, require

# 32 MiB and ~0.1 s per check on an office PC: slow for a password-guessing program, unnoticed
# by a person signing in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 128 * 1024 * 1024
MIN_PASSWORD = 10
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,79}")

# Sign-in throttling: after FREE_FAILURES wrong passwords for one username, wait FIRST_WAIT,
# doubling with each further failure up to MAX_WAIT. Per username (known or not), so guessing
# one account does not lock everyone else out.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
RECOVERY_KEY = "(recovery code)"
MAX_WAIT = timedelta(minutes=15)


@cache
def _common() -> frozenset[str]:
    """The bundled list of common breached passwords (NCSC advice: block these rather than
    demand symbols)."""
    text = (RESOURCES / "security" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


log = logging.getLogger(__name__)


ROLE_DESCRIPTIONS = {
    Role.ADMINISTRATOR: "Everything a manager can do, plus users and roles, security and privacy "
    "settings, restoring backups and reading the audit trail.",
    Role.MANAGER: "Everything in plans, records and governance, including closing actions, "
    "closing with an override and approving minutes. Can make backups.",
    Role.STAFF: "Enters trackers, observations, incidents, handovers, logs and evidence. Cannot "
    "change plans, close actions, override the closure gate or approve minutes.",
    Role.VIEWER: "Read-only: can look at everything but change nothing (for example a visiting "
    "inspector or commissioner).",
}


class SignInFailed(ServiceError):
    """Wrong username or password (deliberately not saying which)."""

    def __init__(self, extra: str = "") -> None:
        super().__init__(
            "That username and password do not match. Check them and try again." + extra
        )


class SignInLocked(ServiceError):
    """Too many wrong passwords for this username: it must wait until ``until`` (UTC)."""

    def __init__(self, username: str, until: datetime) -> None:
        self.until = until
        local = until.replace(tzinfo=UTC).astimezone()
        seconds = max(1, int((until - utcnow()).total_seconds() + 0.999))
        wait = f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"
        super().__init__(
            f"Too many wrong passwords for {username}. Try again after {local:%H:%M:%S} "
            f"(in {wait}), or ask an administrator to unlock the account."
        )


# --- password hashing -------------------------------------------------------------------------


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh 16-byte salt per user."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A real hash to check against when the username is unknown, so a wrong username takes as long
# as a wrong password and does not reveal which usernames exist.
@cache
def _dummy_hash() -> str:
    return hash_password("not a real password", salt=b"\0" * 16)


def check_password_rules(p: Problems, field: str, password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        p.add(
            field,
            f"Use a password of at least {MIN_PASSWORD} characters (a few words together are "
            "easy to remember and hard to guess).",
        )
    elif username and password.strip().lower() == username.strip().lower():
        p.add(field, "The password cannot be the username; choose another.")
    elif password.lower() in _common():
        p.add(
            field,
            "That password is on the list of the commonest passwords people use, so it is easy "
            "to guess; choose another.",
        )


# --- reading ----------------------------------------------------------------------------------


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(func.lower(User.username))))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user no longer exists.")
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        person_id=user.person_id,
        display_name=user.display_name,
    )


# --- changing ---------------------------------------------------------------------------------


@dataclass
class UserInput:
    username: str
    display_name: str
    role: str
    person_id: int | None = None
    active: bool = True


def _check_user(session: Session, data: UserInput, user_id: int | None, p: Problems) -> None:
    name = data.username.strip()
    if not _USERNAME.fullmatch(name):
        p.add(
            "username",
            "Use 2 to 80 letters, digits, dots, dashes or underscores for the username "
            "(no spaces), for example zoe.hart.",
        )
    else:
        clash = find_user(session, name)
        if clash is not None and clash.id != user_id:
            p.add("username", f"There is already a user called {clash.username}.")
    if len(data.display_name.strip()) > 200:
        p.add("display_name", "Keep the name to 200 characters.")
    p.choice("role", data.role, Role, "role")
    if data.person_id is not None and session.get(Person, data.person_id) is None:
        p.add("person", "Choose the person from the staff list, or leave it blank.")


def _active_admins(session: Session, excluding: int | None = None) -> int:
    stmt = select(func.count()).where(User.role == Role.ADMINISTRATOR.value, User.active.is_(True))
    if excluding is not None:
        stmt = stmt.where(User.id != excluding)
    return int(session.scalar(stmt) or 0)


def create_first_administrator(
    session: Session, username: str, display_name: str, password: str, confirm: str
) -> User:
    """The first user of a new database. Allowed only while the database has no users at all."""
    if has_users(session):
        raise NotAllowed("This database already has an administrator; ask them to add you.")
    if ever_had_users(session):
        raise NotAllowed(
            "This database has had users, but none are left: someone has removed them outside "
            "CQC Desktop. It stays locked. Restore a backup (signing in as an administrator of "
            "the backup), or use the administrator's recovery code."
        )
    data = UserInput(username, display_name, Role.ADMINISTRATOR.value)
    return _create(session, data, password, confirm)


def ever_had_users(session: Session) -> bool:
    """Whether the audit trail shows a user was ever added (a database once protected by a
    sign-in never falls back to needing none; see also the anchor file)."""
    return (
        session.scalar(
            select(AuditLog.id)
            .where(AuditLog.record_type == User.__name__, AuditLog.operation == "insert")
            .limit(1)
        )
        is not None
    )


# --- the administrator's recovery code -------------------------------------------------------------


def issue_recovery_code(session: Session) -> str:
    """A new one-time recovery code (any older one stops working). Returned once, to be shown or
    printed and kept somewhere safe; only its hash is stored. The set-up of a new database calls
    this straight after ``create_first_administrator``."""
    actor = current_actor(session)
    if actor is not None:
        require(session, Permission.MANAGE)
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_(None))):
        old.used_at = utcnow()
    raw = secrets.token_hex(10).upper()
    code = "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))
    session.add(RecoveryCode(code_hash=hash_password(code)))
    session.flush()
    return code


def recover_administrator(
    session: Session, username: str, code: str, password: str, confirm: str
) -> tuple[User, str]:
    """Set a new password for an administrator with the one-time recovery code. The code is used
    up; a new one is returned (show it once, like the first). Raises SignInFailed if the code is
    wrong (counted like a wrong password)."""
    user = find_user(session, username) if username.strip() else None
    # Guessing codes is throttled on its own (an administrator locked out by wrong passwords
    # can still recover), and for every username at once.
    _check_throttle(session, RECOVERY_KEY)
    wanted = code.strip().upper().replace(" ", "")
    valid = [
        row
        for row in session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_(None)))
        if password_matches(wanted, row.code_hash)
    ]
    if not valid or user is None or user.role != Role.ADMINISTRATOR.value:
        _failed(session, RECOVERY_KEY)
    p = Problems()
    check_password_rules(p, "password", password, user.username)  # type: ignore[union-attr]
    if password != confirm:
        p.add("confirm", "The two passwords are not the same.")
    p.raise_if_any()
    assert user is not None
    valid[0].used_at = utcnow()
    user.password_hash = hash_password(password)
    user.active = True
    _clear_throttle(session, username)
    _clear_throttle(session, RECOVERY_KEY)
    session.flush()
    return user, issue_recovery_code(session)


def create_user(session: Session, data: UserInput, password: str, confirm: str) -> User:
    require(session, Permission.MANAGE)
    return _create(session, data, password, confirm)


def _create(session: Session, data: UserInput, password: str, confirm: str) -> User:
    p = Problems()
    _check_user(session, data, None, p)
    check_password_rules(p, "password", password, data.username.strip())
    if password != confirm:
        p.add("confirm", "The two passwords are not the same.")
    p.raise_if_any()
    user = User(
        username=data.username.strip(),
        display_name=data.display_name.strip(),
        role=data.role,
        password_hash=hash_password(password),
        person_id=data.person_id,
        active=data.active,
    )
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user_id: int, data: UserInput) -> User:
    require(session, Permission.MANAGE)
    user = get_user(session, user_id)
    actor = current_actor(session)
    if (
        actor is not None
        and actor.user_id == user_id
        and (data.role != user.role or bool(data.active) != bool(user.active))
    ):
        raise NotAllowed(
            "You cannot change your own role or switch your own account off; "
            "ask another administrator."
        )
    p = Problems()
    _check_user(session, data, user_id, p)
    losing_admin = user.role == Role.ADMINISTRATOR and user.active
    still_admin = data.role == Role.ADMINISTRATOR and data.active
    if losing_admin and not still_admin and _active_admins(session, excluding=user_id) == 0:
        p.add(
            "role",
            "This is the only active administrator: make someone else an administrator first, "
            "or nobody could manage users.",
        )
    p.raise_if_any()
    user.username = data.username.strip()
    user.display_name = data.display_name.strip()
    user.role = data.role
    user.person_id = data.person_id
    user.active = data.active
    session.flush()
    return user


def reset_password(session: Session, user_id: int, password: str, confirm: str) -> User:
    """An administrator sets a new password for someone who has forgotten theirs."""
    require(session, Permission.MANAGE)
    user = get_user(session, user_id)
    _set_password(user, password, confirm)
    session.flush()
    return user


def change_own_password(session: Session, current: str, password: str, confirm: str) -> User:
    actor = current_actor(session)
    if actor is None or actor.user_id is None:
        raise NotAllowed("Sign in first to change your password.")
    user = get_user(session, actor.user_id)
    if not password_matches(current, user.password_hash):
        raise SignInFailed()
    _set_password(user, password, confirm)
    session.flush()
    return user


def _set_password(user: User, password: str, confirm: str) -> None:
    p = Problems()
    check_password_rules(p, "password", password, user.username)
    if password != confirm:
        p.add("confirm", "The two passwords are not the same.")
    p.raise_if_any()
    user.password_hash = hash_password(password)


def authenticate(
    session: Session, username: str, password: str, *, record_sign_in: bool = True
) -> Actor:
    """Check a username and password; record the sign-in time. Raises SignInFailed, or
    SignInLocked after too many wrong passwords for this username.

    A failure is committed before it is raised (the caller's unit of work then rolls back
    nothing), so the count and the audit-trail entry survive. ``record_sign_in=False`` leaves the
    database untouched on success (read-only commands on a read-only or busy file).
    """
    _check_throttle(session, username)
    user = find_user(session, username) if username.strip() else None
    if user is None or not user.password_hash:
        password_matches(password, _dummy_hash())
        log.info("Sign-in refused: unknown user or no password set")
        _failed(session, username)
    assert user is not None
    if not password_matches(password, user.password_hash):
        log.info("Sign-in refused for user #%d: wrong password", user.id)
        _failed(session, username)
    if not user.active:
        log.info("Sign-in refused for user #%d: account switched off", user.id)
        raise NotAllowed(
            f"The account {user.username} has been switched off; ask an administrator."
        )
    if record_sign_in:
        _clear_throttle(session, username)
    actor = actor_for(user)
    # The trail then shows the user signing themselves in, not "system".
    session.info.setdefault(SESSION_KEY, actor)
    if record_sign_in:
        user.last_login = utcnow()
        session.flush()
    log.info("Signed in: user #%d (%s)", user.id, actor.role.value)
    return actor


def _throttle_key(username: str) -> str:
    return username.strip().lower()[:80]


def _check_throttle(session: Session, username: str) -> None:
    row = session.get(SignInThrottle, _throttle_key(username))
    if row is not None and row.locked_until is not None and row.locked_until > utcnow():
        raise SignInLocked(username.strip(), row.locked_until)


def _failed(session: Session, username: str) -> None:
    """Count a wrong password, lock the username for a while after too many, keep both, raise."""
    key = _throttle_key(username)
    row = session.get(SignInThrottle, key)
    if row is None:
        row = SignInThrottle(username=key, failures=0)
        session.add(row)
    row.failures += 1
    locked: datetime | None = None
    if row.failures >= FREE_FAILURES:
        wait = min(FIRST_WAIT * 2 ** (row.failures - FREE_FAILURES), MAX_WAIT)
        locked = row.locked_until = utcnow() + wait
    try:
        session.commit()
    except DBAPIError:
        session.rollback()  # a read-only or busy file: the failure cannot be counted there
    if locked is not None:
        raise SignInLocked(username.strip(), locked)
    left = FREE_FAILURES - row.failures
    raise SignInFailed(
        f" ({left} more {'try' if left == 1 else 'tries'} before this username must wait)"
        if left <= 2
        else ""
    )


def _clear_throttle(session: Session, username: str) -> None:
    row = session.get(SignInThrottle, _throttle_key(username))
    if row is not None:
        session.delete(row)
        session.flush()


def unlock_sign_in(session: Session, username: str) -> bool:
    """An administrator lets a locked-out username try again now. False if it was not locked."""
    require(session, Permission.MANAGE)
    row = session.get(SignInThrottle, _throttle_key(username))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def confirm_password(session: Session, actor: Actor, password: str) -> bool:
    """For the lock screen: is this the signed-in user's password? Changes nothing."""
    if actor.user_id is None:
        return False
    user = session.get(User, actor.user_id)
    return user is not None and user.active and password_matches(password, user.password_hash)


# --- settings an administrator owns ---------------------------------------------------------------


def set_idle_lock_minutes(session: Session, minutes: int) -> None:
    require(session, Permission.MANAGE)
    if not isinstance(minutes, int) or not 1 <= minutes <= 240:
        p = Problems()
        p.add("idle_lock_minutes", "Lock the screen after between 1 and 240 minutes idle.")
        p.raise_if_any()
    settings.put(session, "security.idle_lock_minutes", minutes)


def idle_lock_minutes(session: Session) -> int:
    try:
        value = int(settings.get(session, "security.idle_lock_minutes"))
    except (TypeError, ValueError):
        return 10
    return min(max(value, 1), 240)


# --- the demo's users ---------------------------------------------------------------------------

# (username, password, role, display name, demo person's name). Listed in README "Demo sign-in".
DEMO_USERS: tuple[tuple[str, str, Role, str, str], ...] = (
    ("admin", "admin-demo", Role.ADMINISTRATOR, "Office administrator", ""),
    ("manager", "manager-demo", Role.MANAGER, "Zoë Hart", "Zoë Hart"),
    ("staff", "staff-demo", Role.STAFF, "Łukasz Nowak", "Łukasz Nowak"),
    ("viewer", "viewer-demo", Role.VIEWER, "Visiting inspector", ""),
)
DEMO_MANAGER = "manager"


@cache
def _demo_hash(username: str, password: str) -> str:
    # Hashed once per process: tests load the demo many times. Each user still has its own salt.
    return hash_password(password)


def create_demo_users(session: Session) -> list[User]:
    """One user per role for the demo (see README "Demo sign-in"). Skips names already taken."""
    require(session, Permission.MANAGE)
    made = []
    for username, password, role, display, person_name in DEMO_USERS:
        if find_user(session, username) is not None:
            continue
        person = (
            session.scalar(select(Person).where(Person.name == person_name))
            if person_name
            else None
        )
        user = User(
            username=username,
            display_name=display,
            role=role.value,
            password_hash=_demo_hash(username, password),
            person_id=person.id if person is not None else None,
            active=True,
        )
        session.add(user)
        made.append(user)
    session.flush()
    return made
