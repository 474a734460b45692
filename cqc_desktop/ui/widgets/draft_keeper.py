"""Auto-saving long typed text as a draft, so a crash or a closed laptop loses nothing.

The draft goes in its own table a moment after typing pauses, and when the box loses focus; it is
never the record itself, and saving the record (or discarding the draft) removes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit

from ...services.errors import ServiceError
from ...services.governance import minute_drafts
from ...services.governance.minute_drafts import Draft
from ..context import AppContext
from .signed_in import actor_of

AUTOSAVE_MS = 1500


def local_time(saved_at: datetime) -> str:
    return saved_at.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


class DraftKeeper(QObject):
    """Keeps one text box's unsaved text in the drafts table: after a pause, and on focus-out."""

    sig_saved = Signal(str)
    """Carries the draft key after a draft was written (or cleared)."""

    def __init__(self, ctx: AppContext, editor: QPlainTextEdit, field: str) -> None:
        super().__init__(editor)
        self.ctx = ctx
        self.editor = editor
        self.field = field
        self.meeting_id: int | None = None
        self.key = ""
        self.saved_text = ""  # what the record itself holds
        self._last_written: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.flush)
        editor.textChanged.connect(self._typed)
        editor.installEventFilter(self)

    def bind(self, meeting_id: int, key: str, saved_text: str, draft: Draft | None) -> bool:
        """Point at a record's field; returns True if an unsaved draft was put back."""
        self._timer.stop()
        self.meeting_id, self.key, self.saved_text = meeting_id, key, saved_text
        restored = draft is not None and draft.text != saved_text
        self._last_written = draft.text if draft is not None else None
        self.editor.blockSignals(True)
        self.editor.setPlainText(draft.text if restored and draft is not None else saved_text)
        self.editor.blockSignals(False)
        return restored

    def unbind(self) -> None:
        self._timer.stop()
        self.meeting_id, self.key = None, ""

    def _typed(self) -> None:
        if self.key and not self.editor.isReadOnly():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut and self.key:
            self.flush()
        return False

    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Write the draft now (or clear it when the text matches the saved record again)."""
        self._timer.stop()
        if self.meeting_id is None or not self.key or self.editor.isReadOnly():
            return
        text = self.editor.toPlainText()
        wanted = "" if text == self.saved_text else text
        if wanted == (self._last_written or ""):
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                minute_drafts.save_draft(session, self.meeting_id, self.key, wanted)
        except ServiceError:
            return  # a refused draft must never interrupt typing; the minute save reports it
        self._last_written = wanted
        self.sig_saved.emit(self.key)
