"""The open database and the app-wide "data changed" signal every view listens to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, Signal

from ..db import Database


class AppContext(QObject):
    """Shared by every tab: the database, what "today" is, and change notifications."""

    sig_data_changed = Signal(str)
    """Carries what changed, e.g. "action", "review", "evidence", or "*" for everything."""

    sig_database_opened = Signal()
    """Emitted after a different database has been opened; views reload from scratch."""

    def __init__(
        self, db: Database, *, demo: bool = False, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__()
        self.db = db
        self.demo = demo
        self._today = today

    def today(self) -> date:
        return self._today()

    def replace_database(self, db: Database, *, demo: bool = False) -> None:
        old = self.db
        self.db = db
        self.demo = demo
        old.dispose()
        self.sig_database_opened.emit()
        self.sig_data_changed.emit("*")
