"""One meeting: who was there, the agenda, the minute of the selected item, approval and addenda."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import Evidence, MeetingItem
from ...models.enums import MeetingType, MinutesStatus
from ...services.errors import ServiceError
from ...services.governance import agenda, meetings
from ...services.governance.minutes import link_minute_as_evidence
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import Unsaved, ask_unsaved, report_problem
from ..widgets.signed_in import SplitterMemory, actor_of, can, muted, table_view
from ..widgets.table_models import RowsModel
from .agenda_dialogs import AddItemDialog, AgendaDialog
from .link_evidence_dialog import LinkEvidenceDialog
from .meeting_dialog import AddendumDialog, ApproveDialog, MeetingDialog
from .meeting_summary import DRAFT_MARK, ITEM_COLUMNS, ItemRow, describe_meeting, item_rows
from .minutes_editor import MinutesEditor


class MeetingPanel(QWidget):
    """Everything about the selected meeting."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.meeting_id: int | None = None
        self.service_id: int | None = None
        self.status = ""
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Minutes status")
        self.people = muted()
        self.people.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = {
            "edit": QPushButton("&Details…"),
            "agenda": QPushButton("&Build agenda…"),
            "add": QPushButton("Add &item…"),
            "remove": QPushButton("Re&move"),
            "up": QPushButton("▲ &Up"),
            "down": QPushButton("▼ Do&wn"),
            "approve": QPushButton("Appro&ve minutes…"),
            "addendum": QPushButton("Add adde&ndum…"),
            "evidence": QPushButton("Link minute as e&vidence…"),
        }
        for key, name in (
            ("up", "Move item up"),
            ("down", "Move item down"),
            ("remove", "Remove item"),
        ):
            self.buttons[key].setAccessibleName(name)
            self.buttons[key].setToolTip(name)
        self.buttons["evidence"].setToolTip(
            "Record the selected item's approved minute as governance-minutes evidence for an action"
        )
        self.items_model: RowsModel[ItemRow] = RowsModel(
            ITEM_COLUMNS,
            lambda r: r.item_id,
            foreground=lambda r, c: DRAFT_MARK if c == 3 and r.has_draft else None,
        )
        self.items_view = table_view(self.items_model, "Agenda items", stretch=2)
        self.items_view.setMinimumHeight(120)
        self.editor = MinutesEditor(ctx)
        # The review timeline is fitted once per item shown (``_load_item``): with ResizeToContents
        # each of its ~75 cells re-measured whole columns, ~55 ms an item.
        timeline_header = self.editor.timeline.horizontalHeader()
        for col in range(self.editor.timeline.columnCount()):
            if timeline_header.sectionResizeMode(col) == QHeaderView.ResizeMode.ResizeToContents:
                timeline_header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addenda.setAccessibleName("Addenda")
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = muted("Choose a meeting, or press Ctrl+N for a new one.")
        self._build()
        self.items_view.selectionModel().currentRowChanged.connect(self._item_changed)
        self.editor.sig_saved.connect(self._minute_saved)
        self.buttons["edit"].clicked.connect(self.edit_details)
        self.buttons["agenda"].clicked.connect(self.build_agenda)
        self.buttons["add"].clicked.connect(self.add_item)
        self.buttons["remove"].clicked.connect(self.remove_item)
        self.buttons["up"].clicked.connect(self.move_up)
        self.buttons["down"].clicked.connect(self.move_down)
        self.buttons["approve"].clicked.connect(self.approve)
        self.buttons["addendum"].clicked.connect(self.add_addendum)
        self.buttons["evidence"].clicked.connect(self.link_evidence)
        self._current_item: int | None = None
        self.load(None)

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.state_label)
        bar = QHBoxLayout()
        for key in ("edit", "agenda"):
            bar.addWidget(self.buttons[key])
        bar.addStretch(1)
        for key in ("approve", "addendum"):
            bar.addWidget(self.buttons[key])
        item_bar = QHBoxLayout()
        item_bar.setContentsMargins(0, 0, 0, 0)
        for key in ("add", "up", "down", "remove"):
            item_bar.addWidget(self.buttons[key])
        item_bar.addStretch(1)
        item_bar.addWidget(self.buttons["evidence"])
        agenda_box = QWidget()
        agenda_column = QVBoxLayout(agenda_box)
        agenda_column.setContentsMargins(0, 0, 0, 0)
        agenda_column.addWidget(self.items_view, 1)
        agenda_column.addLayout(item_bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(agenda_box)
        split.addWidget(self.editor)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        SplitterMemory(split, "governance/agenda_split", (0.3, 0.7))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.people)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.addenda)
        layout.addWidget(self.empty)

    # --- loading ---------------------------------------------------------------------------
    def load(self, meeting_id: int | None, *, item_id: int | None = None) -> None:
        self.meeting_id = meeting_id
        showing = meeting_id is not None
        for widget in (self.heading, self.state_label, self.people, self.items_view, self.editor):
            widget.setVisible(showing)
        for button in self.buttons.values():
            button.setVisible(showing)
        self.empty.setVisible(not showing)
        if meeting_id is None:
            self.addenda.setVisible(False)
            self.items_model.set_rows([])
            self.editor.clear()
            return
        with self.ctx.db.reading() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            self.service_id = meeting.service_id
            self.status = meeting.status
            summary = describe_meeting(session, meeting)
            rows = item_rows(session, meeting)
        self.heading.setText(summary.heading)
        self.people.setText(summary.people_html)
        self.state_label.setText(summary.state)
        colour = "#1e5631" if summary.locked else "#7a5b00"
        style = f"color: {colour}; font-weight: 600;"
        # A style sheet set again, even unchanged, re-polishes and re-lays out the whole panel.
        if self.state_label.styleSheet() != style:
            self.state_label.setStyleSheet(style)
        self.addenda.setText(summary.addenda_html)
        self.addenda.setVisible(bool(summary.addenda_html))
        # A model reset re-lays out the agenda and repaints it: only when the items did change.
        if rows != [self.items_model.row_at(n) for n in range(self.items_model.rowCount())]:
            self.items_model.set_rows(rows)
        wanted = item_id if item_id is not None else self._current_item
        row = next((n for n, r in enumerate(rows) if r.item_id == wanted), 0 if rows else None)
        if row is None:
            self._current_item = None
            self.editor.clear()
        else:
            self._reselect(rows[row].item_id)
            same = rows[row].item_id == self._current_item == self.editor.item_id
            # A refresh from elsewhere must not throw away a minute being typed.
            if not (same and self.editor.is_dirty()):
                self._current_item = rows[row].item_id
                self._load_item(rows[row].item_id)
        self._update_buttons()

    def _load_item(self, item_id: int) -> None:
        if not self.editor.load(item_id):
            return  # nothing changed, so the timeline keeps its fitted widths
        timeline = self.editor.timeline
        header = timeline.horizontalHeader()
        for col in range(timeline.columnCount()):
            if header.sectionResizeMode(col) == QHeaderView.ResizeMode.Interactive:
                timeline.resizeColumnToContents(col)

    def _update_buttons(self) -> None:
        draft = self.status != MinutesStatus.APPROVED
        has_item = self._selected_item() is not None
        for key in ("edit", "agenda", "add"):
            self.buttons[key].setEnabled(draft and can(self.ctx, Permission.RECORD))
        for key in ("remove", "up", "down"):
            self.buttons[key].setEnabled(draft and has_item and can(self.ctx, Permission.RECORD))
        self.buttons["approve"].setEnabled(draft and can(self.ctx, Permission.APPROVE_MINUTES))
        self.buttons["addendum"].setEnabled(not draft and can(self.ctx, Permission.RECORD))
        self.buttons["evidence"].setEnabled(not draft and has_item)

    def _selected_item(self) -> int | None:
        index = self.items_view.currentIndex()
        if not index.isValid():
            return None
        return self.items_model.row_at(index.row()).item_id

    def _item_changed(self) -> None:
        item_id = self._selected_item()
        if item_id == self._current_item:
            return
        if self.editor.is_dirty():
            choice = ask_unsaved(self, "minute")
            if choice is Unsaved.CANCEL or (choice is Unsaved.SAVE and not self.editor.save()):
                self._reselect(self._current_item)
                return
            if choice is Unsaved.DISCARD:
                self.editor.discard_drafts()
        else:
            self.editor.flush_drafts()
        self._current_item = item_id
        if item_id is None:
            self.editor.clear()
        else:
            self._load_item(item_id)
        self._update_buttons()

    def _reselect(self, item_id: int | None) -> None:
        row = next(
            (
                n
                for n in range(self.items_model.rowCount())
                if self.items_model.row_at(n).item_id == item_id
            ),
            None,
        )
        if row is not None:
            self.items_view.selectionModel().blockSignals(True)
            self.items_view.selectionModel().setCurrentIndex(
                self.items_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.items_view.selectionModel().blockSignals(False)

    def confirm_leave(self) -> bool:
        """Before another meeting is shown: save or discard an unsaved minute (True: go on)."""
        if not self.editor.is_dirty():
            self.editor.flush_drafts()
            return True
        choice = ask_unsaved(self, "minute")
        if choice is Unsaved.CANCEL:
            return False
        if choice is Unsaved.SAVE:
            return self.editor.save()
        self.editor.discard_drafts()
        return True

    # --- commands --------------------------------------------------------------------------
    def _changed(self, *what: str) -> None:
        self.load(self.meeting_id)
        for name in what:
            self.ctx.sig_data_changed.emit(name)

    def _minute_saved(self, item_id: int) -> None:
        self._current_item = item_id
        self._changed("meeting", "review")

    def edit_details(self) -> None:
        if self.meeting_id is None:
            return
        dialog = MeetingDialog(self.ctx, self, meeting_id=self.meeting_id)
        if dialog.exec():
            self._changed("meeting")

    def build_agenda(self) -> None:
        if self.meeting_id is None:
            return
        try:
            with self.ctx.db.reading() as session:
                entries = agenda.build_agenda(session, self.meeting_id, self.ctx.today())
                meeting = meetings.get_meeting(session, self.meeting_id)
                before = meetings.previous_meeting(session, meeting)
                since = (
                    f"since the last {before.meeting_type.lower()} on {uk_date(before.held_on)}"
                    if before
                    else "for the first meeting of this kind"
                )
                provider = meeting.meeting_type == MeetingType.PROVIDER_GOVERNANCE
        except ServiceError as exc:
            report_problem(self, "Build agenda", exc)
            return
        scope = "every home" if provider else "the home"
        dialog = AgendaDialog(
            self,
            entries,
            f"Built from the data for {scope}, {since}. Untick anything the meeting will not "
            "take; items already on the agenda are not added twice.",
        )
        if not dialog.exec():
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                agenda.apply_agenda(session, self.meeting_id, dialog.chosen())
        except ServiceError as exc:
            report_problem(self, "Build agenda", exc)
            return
        self._changed("meeting")

    def add_item(self) -> None:
        if self.meeting_id is None:
            return
        dialog = AddItemDialog(self.ctx, self, self.meeting_id)
        if dialog.exec():
            self._current_item = dialog.item_id
            self._changed("meeting")

    def remove_item(self) -> None:
        item_id = self._selected_item()
        if item_id is None:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                meetings.remove_meeting_item(session, item_id)
        except ServiceError as exc:
            report_problem(self, "Remove item", exc)
            return
        self._current_item = None
        self._changed("meeting")

    def move_up(self) -> None:
        self.move_item(-1)

    def move_down(self) -> None:
        self.move_item(1)

    def move_item(self, offset: int) -> None:
        item_id = self._selected_item()
        if item_id is None:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                meetings.move_meeting_item(session, item_id, offset)
        except ServiceError as exc:
            report_problem(self, "Move item", exc)
            return
        self._changed("meeting")

    def approve(self) -> None:
        if self.meeting_id is None or not self.confirm_leave():
            return
        dialog = ApproveDialog(self.ctx, self, self.meeting_id)
        if dialog.exec():
            self._changed("meeting")

    def add_addendum(self) -> None:
        if self.meeting_id is None:
            return
        dialog = AddendumDialog(self.ctx, self, self.meeting_id)
        if dialog.exec():
            self._changed("meeting")

    def link_evidence(self) -> None:
        item_id = self._selected_item()
        if item_id is None:
            return
        with self.ctx.db.reading() as session:
            item = session.get(MeetingItem, item_id)
            if item is None:
                return
            meeting = item.meeting
            heading = (
                f"{meeting.meeting_type} minutes, {uk_date(meeting.held_on)}, item "
                f"{item.position + 1}: {item.title}"
            )
            default_action, service_id = item.action_id, meeting.service_id
        today = self.ctx.today()

        def link(
            s: Session, action_id: int, supports: str, by: int | None, on: date | None, title: str
        ) -> Evidence:
            return link_minute_as_evidence(
                s,
                item_id,
                action_id,
                supports=supports,
                tested_by_id=by,
                tested_on=on,
                title=title,
                today=today,
            )

        dialog = LinkEvidenceDialog(
            self.ctx,
            self,
            heading=heading,
            service_id=service_id,
            default_action=default_action,
            default_title="",
            link=link,
        )
        if dialog.exec():
            self.ctx.sig_data_changed.emit("evidence")
