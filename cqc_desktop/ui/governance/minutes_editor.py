"""Minuting one agenda item: discussion, challenge, assurance and the decision.

Long text is auto-saved as a draft a moment after typing pauses (and when the field loses focus),
so a crash loses nothing; the draft is kept apart from the minute until "Save minute". For an item
about an action the decision is that action's review, so the action's review timeline is shown
underneath with this meeting's review marked.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import inspect as sa_inspect

from ...formatting import uk_date
from ...models import Action, MeetingItem, Review
from ...models.enums import MeetingDecision, MinutesStatus, Rag
from ...services.errors import ServiceError, ValidationError
from ...services.governance import minute_drafts
from ...services.governance.minutes import MinuteInput, item_review, record_minute
from ...services.setup import people
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.draft_keeper import DraftKeeper, local_time
from ..widgets.forms import ErrorLabel, OptionalDateEdit, report_problem, select_data, text_box
from ..widgets.signed_in import actor_of, can, compact_rows, fill_people, muted
from ..widgets.table_models import RAG_BACKGROUND

PLACEHOLDERS = {
    "discussion": "What was discussed, in the meeting's words",
    "challenge": "Questions asked, and who asked them",
    "assurance": "What evidence was seen: tracker, audit, observation…",
}
LONG_FIELDS = ("discussion", "challenge", "assurance")


class MinutesEditor(QWidget):
    """The minute of the selected agenda item."""

    sig_saved = Signal(int)
    """Carries the item id after its minute was saved."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.item_id: int | None = None
        # Everything the shown item was filled from (``load``): an unchanged F5 touches no widget.
        self._snapshot: Hashable = None
        self.meeting_id: int | None = None
        self.service_id: int | None = None
        self._clean: Hashable = None
        self._locked = True
        self._has_action = False

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600; font-size: 11pt;")
        # What the agenda builder found (incident themes, measure readings): read-only, scrolls.
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setTabChangesFocus(True)
        self.detail.setAccessibleName("What the data showed for this item")
        self.detail.setStyleSheet("QPlainTextEdit { background: #f4f4f4; color: #333; }")
        lines = self.detail.fontMetrics().lineSpacing()
        self.detail.setMaximumHeight(lines * 4 + 12)
        self.detail.setMinimumHeight(lines * 2 + 12)
        self.boxes = {
            "discussion": text_box(6),
            "challenge": text_box(2),
            "assurance": text_box(2),
        }
        self.keepers = {name: DraftKeeper(ctx, box, name) for name, box in self.boxes.items()}
        for keeper in self.keepers.values():
            keeper.sig_saved.connect(self._draft_saved)
        self.decision = QComboBox()
        self.decision.addItem("— no decision —", "")
        for value in MeetingDecision:
            self.decision.addItem(value.value, value.value)
        self.rag = QComboBox()
        for value in Rag:
            self.rag.addItem(value.value, value.value)
        self.owner = QComboBox()
        self.due = OptionalDateEdit("Due", ctx.today())
        self.carried = QCheckBox("Not discussed: carry forward")
        self.errors = {
            name: ErrorLabel() for name in (*LONG_FIELDS, "decision", "owner_id", "due_date", "rag")
        }
        self.general = ErrorLabel()
        self.draft_note = muted()
        self.discard_button = QPushButton("Discard draft")
        self.save_button = QPushButton("&Save minute")
        self.save_button.setToolTip("Save this item's minute (Ctrl+S)")
        self.timeline_label = QLabel("This action's reviews (a decision here is one of them):")
        self.timeline = QTableWidget(0, 5)
        self._build()
        self.discard_button.clicked.connect(self.discard_drafts)
        self.save_button.clicked.connect(self.save)
        QShortcut(
            QKeySequence.StandardKey.Save,
            self,
            self.save,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.decision.currentIndexChanged.connect(self._decision_changed)
        self.carried.toggled.connect(self._decision_changed)
        self.clear()

    def _build(self) -> None:
        for name, box in self.boxes.items():
            box.setAccessibleName(name.capitalize())
        for box in self.boxes.values():
            box.setMaximumHeight(16777215)  # grow with the window; the form is mostly these
        self.decision.setAccessibleName("Decision")
        self.rag.setAccessibleName("RAG rating")
        self.owner.setAccessibleName("Decision owner")
        self.due.setAccessibleName("Decision due date")
        self.timeline.setAccessibleName("Review timeline of the action")
        self.timeline.setHorizontalHeaderLabels(["Date", "Level", "Decision", "RAG", "Progress"])
        self.timeline.verticalHeader().hide()
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.timeline.setTabKeyNavigation(False)
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.timeline.setMinimumHeight(90)
        compact_rows(self.timeline)

        grid = QGridLayout()
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.addWidget(self._labelled("&Discussion", "discussion"), 0, 0, 2, 1)
        grid.addWidget(self._labelled("C&hallenge", "challenge"), 0, 1)
        grid.addWidget(self._labelled("&Assurance", "assurance"), 1, 1)

        decide = QHBoxLayout()
        for text, widget in (
            ("D&ecision:", self.decision),
            ("&RAG:", self.rag),
            ("&Owner:", self.owner),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            decide.addWidget(label)
            decide.addWidget(widget, 1 if widget is self.owner else 0)

        actions = QHBoxLayout()
        actions.addWidget(self.due)
        actions.addWidget(self.carried)
        actions.addWidget(self.draft_note, 1)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(grid, 3)
        layout.addLayout(decide)
        for name in ("decision", "rag", "owner_id", "due_date"):
            layout.addWidget(self.errors[name])
        layout.addWidget(self.general)
        layout.addLayout(actions)
        layout.addWidget(self.timeline_label)
        layout.addWidget(self.timeline, 2)
        self.setTabOrder(self.boxes["discussion"], self.boxes["challenge"])
        self.setTabOrder(self.boxes["challenge"], self.boxes["assurance"])
        self.setTabOrder(self.boxes["assurance"], self.decision)

    def _labelled(self, text: str, name: str) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        label = QLabel(text)
        label.setBuddy(self.boxes[name])
        column.addWidget(label)
        column.addWidget(self.boxes[name], 1)
        column.addWidget(self.errors[name])
        return holder

    # --- loading ---------------------------------------------------------------------------
    def clear(self) -> None:
        for keeper in self.keepers.values():
            keeper.unbind()
        self.item_id = None
        self._snapshot = None
        self._has_action = False
        self.title.setText("Choose an agenda item to minute it.")
        self.detail.hide()
        for box in self.boxes.values():
            box.blockSignals(True)
            box.clear()
            box.blockSignals(False)
        self._set_locked(True)
        self.timeline_label.hide()
        self.timeline.hide()
        self.draft_note.setText("")
        self.discard_button.hide()
        self._clear_errors()
        self._clean = self.state()

    def load(self, item_id: int, *, force: bool = False) -> bool:
        """Read the item again and show it. Returns False when everything read is what is already
        shown (and nothing was typed): then no widget is touched, as re-setting texts, combos and
        the timeline re-lays out and repaints the whole tab (most of an F5's cost)."""
        with self.ctx.db.reading() as session:
            item = session.get(MeetingItem, item_id)
            if item is None:
                self.clear()
                return True
            meeting = item.meeting
            drafts = minute_drafts.drafts_for(session, meeting.id)
            review = item_review(session, item.id)
            action = session.get(Action, item.action_id) if item.action_id else None
            reviews = (
                sorted(action.reviews, key=lambda r: (r.review_date, r.id), reverse=True)
                if action is not None
                else []
            )
            staff = people.list_people(session, service_id=meeting.service_id)
            snapshot = (
                _values(item),
                _values(meeting),
                tuple(sorted((d.key, d.text, d.saved_at) for d in drafts.values())),
                _values(review),
                _values(action),
                tuple(_values(r) for r in reviews),
                tuple((p.id, p.name, p.role) for p in staff),
                can(self.ctx, Permission.RECORD),
            )
            if (
                not force
                and item.id == self.item_id
                and snapshot == self._snapshot
                and not self.is_dirty()
            ):
                self._clear_errors()
                return False
            self._snapshot = snapshot
            self.item_id, self.meeting_id, self.service_id = item.id, meeting.id, meeting.service_id
            fill_people(
                self.owner,
                session,
                meeting.service_id,
                blank="— no owner —",
                selected=item.owner_id,
            )
            restored = []
            for name, keeper in self.keepers.items():
                key = minute_drafts.item_key(item.id, name)
                if keeper.bind(meeting.id, key, getattr(item, name), drafts.get(key)):
                    restored.append(drafts[key])
            select_data(self.decision, item.decision)
            self.carried.setChecked(item.carried_forward)
            self.due.set_value(item.due_date)
            select_data(
                self.rag, review.rag if review else (action.rag if action else Rag.AMBER.value)
            )
            self._has_action = action is not None
            self._load_timeline(action, reviews, review)
            kind = f"{item.kind} · " if item.kind else ""
            self.title.setText(f"{item.position + 1}. {kind}{item.title}")
            self.detail.setPlainText(item.detail)
            self.detail.setVisible(bool(item.detail))
            self._set_locked(meeting.status == MinutesStatus.APPROVED)
            self._clear_errors()
            self._clean = self._saved_state(item, review, action)
        if restored:
            latest = max(d.saved_at for d in restored)
            self.draft_note.setText(
                f"Restored text auto-saved at {local_time(latest)} that is not yet in the minutes."
            )
            self.discard_button.show()
        else:
            self.draft_note.setText("")
            self.discard_button.hide()
        self._decision_changed()
        return True

    def _saved_state(
        self, item: MeetingItem, review: Review | None, action: Action | None
    ) -> Hashable:
        rag = review.rag if review else (action.rag if action else Rag.AMBER.value)
        return (
            item.discussion,
            item.challenge,
            item.assurance,
            item.decision if not item.carried_forward else "",
            item.owner_id,
            item.due_date,
            rag if action is not None else None,
            item.carried_forward,
        )

    def _load_timeline(
        self, action: Action | None, rows: Sequence[Review], review: Review | None
    ) -> None:
        self.timeline_label.setVisible(action is not None)
        self.timeline.setVisible(action is not None)
        if action is None:
            return
        self.timeline.setRowCount(len(rows))
        for row, r in enumerate(rows):
            mine = review is not None and r.id == review.id
            cells = [
                uk_date(r.review_date) + (" (this meeting)" if mine else ""),
                r.level,
                r.decision,
                r.rag,
                r.progress,
            ]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(r.notes or r.progress)
                if col == 3 and r.rag in RAG_BACKGROUND:
                    cell.setBackground(RAG_BACKGROUND[r.rag])
                if mine:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.timeline.setItem(row, col, cell)
            if mine:
                self.timeline.scrollToItem(self.timeline.item(row, 0))
        self.timeline_label.setText(
            f"{action.reference} {action.title}: its reviews (a decision here is one of them)"
        )

    def _set_locked(self, locked: bool) -> None:
        # A viewer reads minutes exactly as approved ones are read.
        locked = locked or not can(self.ctx, Permission.RECORD)
        self._locked = locked
        for name, box in self.boxes.items():
            box.setReadOnly(locked)
            # A hint in an empty locked box would read as if it had been minuted.
            box.setPlaceholderText("" if locked else PLACEHOLDERS[name])
        editable = not locked and self.item_id is not None
        for widget in (self.decision, self.owner, self.due, self.carried, self.save_button):
            widget.setEnabled(editable)
        self.rag.setEnabled(editable and self._has_action)

    def _decision_changed(self) -> None:
        if self._locked:
            return
        carried = self.carried.isChecked()
        self.decision.setEnabled(not carried)
        decision = self.decision.currentData() or ""
        needs_owner = decision in (MeetingDecision.CHANGE_CONTROLS, MeetingDecision.ESCALATE)
        self.owner.setToolTip("Needed for “Change controls” and “Escalate”." if needs_owner else "")

    # --- state -----------------------------------------------------------------------------
    def state(self) -> Hashable:
        return (
            *(self.boxes[n].toPlainText() for n in LONG_FIELDS),
            "" if self.carried.isChecked() else (self.decision.currentData() or ""),
            self.owner.currentData(),
            self.due.value(),
            self.rag.currentData() if self._has_action else None,
            self.carried.isChecked(),
        )

    def is_dirty(self) -> bool:
        return self.item_id is not None and not self._locked and self.state() != self._clean

    def flush_drafts(self) -> None:
        for keeper in self.keepers.values():
            keeper.flush()

    def _draft_saved(self, _key: str) -> None:
        now = datetime.now().strftime("%H:%M")
        self.draft_note.setText(f"Draft auto-saved at {now}; “Save minute” puts it in the minutes.")
        self.discard_button.show()

    def discard_drafts(self) -> None:
        if self.item_id is None:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                minute_drafts.discard_drafts(session, f"item:{self.item_id}:")
        except ServiceError as exc:
            report_problem(self, "Discard draft", exc)
            return
        self.load(self.item_id, force=True)

    # --- saving ----------------------------------------------------------------------------
    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.set_error("")

    def save(self) -> bool:
        if self.item_id is None or self._locked:
            return False
        data = MinuteInput(
            discussion=self.boxes["discussion"].toPlainText(),
            challenge=self.boxes["challenge"].toPlainText(),
            assurance=self.boxes["assurance"].toPlainText(),
            decision="" if self.carried.isChecked() else (self.decision.currentData() or ""),
            owner_id=self.owner.currentData(),
            due_date=self.due.value(),
            rag=self.rag.currentData() if self._has_action else None,
            carried_forward=self.carried.isChecked(),
        )
        self._clear_errors()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                record_minute(session, self.item_id, data, today=self.ctx.today())
        except ValidationError as exc:
            rest = []
            for key, message in exc.errors.items():
                label = self.errors.get(key)
                if label is not None:
                    label.set_error(message)
                else:
                    rest.append(message)
            self.general.set_error(" ".join(rest))
            return False
        except ServiceError as exc:
            report_problem(self, "Save minute", exc)
            return False
        item_id = self.item_id
        self.load(item_id, force=True)
        self.sig_saved.emit(item_id)
        return True


def _values(record: Any) -> Hashable:
    """Every column of a record (None for none), to tell whether it changed since last shown."""
    if record is None:
        return None
    return tuple(getattr(record, a.key) for a in sa_inspect(record).mapper.column_attrs)
