"""Checking the alert triggers for the dashboard, just after it has been painted.

``alerts.scan`` stores an alert for each trigger that has newly fired: a write, and on a provider's
database a tenth of a second or more. The dashboard's refresh therefore only reads; the check runs
once the dashboard has been painted, whenever one is due (the first showing, each change to the
records, a new day), so neither the window's first picture nor a refresh waits for it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ...services.errors import ServiceError
from ...services.plans import alerts
from ..context import AppContext


class AlertCheck(QObject):
    """Runs the triggers after the next paint of ``widget`` while ``due`` is set."""

    sig_checked = Signal(int)
    """Carries how many new alerts the triggers raised (0 when none fired since the last check)."""

    def __init__(self, ctx: AppContext, widget: QWidget) -> None:
        super().__init__(widget)
        self.ctx = ctx
        self.widget = widget
        self.due = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)  # after the whole paint pass, not inside it
        self._timer.timeout.connect(self.run)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # After a paint, not a show: a window is shown before the screen has drawn it, and the
        # triggers must not hold back that picture.
        # getattr: while a closing window is torn down Qt can still hand this filter an event
        # after Python has cleared the object's attributes.
        if (
            event.type() == QEvent.Type.Paint
            and getattr(self, "due", False)
            and watched is getattr(self, "widget", None)
        ):
            self._timer.start()
        return False

    def run(self) -> int:
        """Store an alert for each trigger that has newly fired; returns how many.

        The triggers are facts about the records, so this writes whoever is signed in (as
        ``alerts.scan`` explains).
        """
        self.due = False
        try:
            with self.ctx.db.unit_of_work() as session:
                raised = alerts.scan(session, self.ctx.today())
        except ServiceError:
            # The database is busy or cannot be written just now. Alerts are derived facts, so
            # nothing is lost: the next change or the next day checks again.
            return 0
        self.sig_checked.emit(raised)
        return raised
