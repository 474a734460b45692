"""The open database and the app-wide "data changed" signal every view listens to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from ..db import Database
from ..services.trust.permissions import Actor, Permission


class AppContext(QObject):
    """Shared by every tab: the database, what "today" is, and change notifications."""

    sig_data_changed = Signal(str)
    """Carries what changed, e.g. "action", "review", "evidence", or "*" for everything."""

    sig_database_opened = Signal()
    """Emitted after a different database has been opened; views reload from scratch."""

    sig_actor_changed = Signal()
    """Emitted after a different user has signed in; views re-check what the role may do."""

    def __init__(
        self,
        db: Database,
        *,
        demo: bool = False,
        today: Callable[[], date] = date.today,
        actor: Actor | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.demo = demo
        self._today = today
        self.actor = actor
        """The signed-in user. None only where no sign-in applies (tests, a database nobody has
        signed up to yet): then, as in the services, nothing is restricted."""
        self.needs_sign_in = False
        """True after a different database was opened and nobody has signed in to it yet."""

    def can(self, permission: Permission) -> bool:
        """Whether to show or enable a command: the same rule the services enforce."""
        return self.actor is None or self.actor.can(permission)

    def set_actor(self, actor: Actor | None) -> None:
        self.actor = actor
        self.needs_sign_in = False
        self.db.note_signed_in(actor.username if actor else "")
        self.sig_actor_changed.emit()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One user action as the signed-in user: ``with ctx.unit_of_work() as session:``."""
        with self.db.unit_of_work(self.actor) as session:
            yield session

    def today(self) -> date:
        return self._today()

    def replace_database(
        self, db: Database, *, demo: bool = False, actor: Actor | bool | None = False
    ) -> None:
        """Switch to another database. Pass the ``actor`` signed in to it; without one the app
        asks for a sign-in before anything else (``needs_sign_in``)."""
        old = self.db
        self.db = db
        self.demo = demo
        if actor is False:
            self.needs_sign_in = True
        else:
            self.actor = actor if isinstance(actor, Actor) else None
            self.needs_sign_in = False
        old.dispose()
        self.sig_database_opened.emit()
        self.sig_data_changed.emit("*")
