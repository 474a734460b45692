"""Governance tab: the meetings (paged, filtered in SQL) and the selected meeting's minutes.

Choosing a home lists its meetings and the provider governance meetings, which cover every home.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import MeetingType, MinutesStatus
from ...services.errors import NotFound
from ...services.governance.listing import ALL_HOMES, MeetingFilter, meeting_page
from ...services.listing import Page
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import SplitterMemory, can, fill_homes, on_sign_in, table_view
from ..widgets.table_models import RED
from .meeting_dialog import MeetingDialog
from .meeting_panel import MeetingPanel

REFRESH_ON = {
    "*",
    "meeting",
    "review",
    "action",
    "alert",
    "incident",
    "audit",
    "measure",
    "service",
}
SEARCH_DELAY_MS = 300


SHORT_TYPES = {
    MeetingType.WEEKLY_GOVERNANCE.value: "Weekly governance",
    MeetingType.MONTHLY_QUALITY.value: "Monthly quality",
    MeetingType.PROVIDER_GOVERNANCE.value: "Provider governance",
    MeetingType.STAFF.value: "Staff meeting",
}


def _status(row: Any) -> str:
    return "Approved" if row.status == MinutesStatus.APPROVED else "Draft"


MEETING_COLUMNS = [
    PagedColumn("Date", lambda r: uk_date(r.held_on), "held_on"),
    PagedColumn(
        "Meeting",
        lambda r: SHORT_TYPES.get(r.meeting_type, r.meeting_type),
        "type",
        tooltip=lambda r: f"{r.meeting_type}, chaired by {r.chair or 'no chair recorded'}",
    ),
    PagedColumn("Home", lambda r: r.home, "home"),
    PagedColumn(
        "Items",
        lambda r: f"{r.decided}/{r.items}" if r.items else "0",
        tooltip=lambda r: f"{r.decided} of {r.items} items have a decision",
        align_right=True,
    ),
    PagedColumn("Minutes", _status, "status"),
]
STATUS_COL = 4


class GovernanceTab(QWidget):
    """Meetings and minutes: build the agenda, minute decisions, approve, add addenda."""

    title = "&Governance"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("governanceTab")
        self.ctx = ctx
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Meeting type")
        self.kind.addItem("All meetings", "")
        for value in MeetingType:
            self.kind.addItem(value.value, value.value)
        self.state = QComboBox()
        self.state.setAccessibleName("Minutes status")
        self.state.addItem("Draft and approved", "")
        for value in MinutesStatus:
            self.state.addItem(value.value, value.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search meetings and minutes (Ctrl+F)")
        self.search.setAccessibleName("Search meetings and minutes")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("&New meeting…")
        self.new_button.setToolTip("New meeting (Ctrl+N)")
        self.model = PagedTableModel(
            MEETING_COLUMNS,
            self._load_page,
            lambda r: r.id,
            default_sort=("held_on", True),
            foreground=lambda r, c: RED if c == STATUS_COL and r.status != "Approved" else None,
        )
        self.view = table_view(self.model, "Meetings", stretch=1)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #555;")
        self.panel = MeetingPanel(ctx)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._shown: int | None = None
        self._build()
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.home, self.kind, self.state):
            combo.currentIndexChanged.connect(self.reload)
        self.new_button.clicked.connect(self.new_record)
        self.view.selectionModel().currentRowChanged.connect(self._meeting_changed)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        on_sign_in(ctx, lambda: self.reload(data_changed=True))
        self._load_homes()

    def _build(self) -> None:
        bar = QHBoxLayout()
        for text, widget in (
            ("Care &home:", self.home),
            ("&Type:", self.kind),
            ("&Status:", self.state),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        left.setMinimumWidth(400)
        SplitterMemory(split, "governance/split", (0.3, 0.7))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # --- the list --------------------------------------------------------------------------
    def filters(self) -> MeetingFilter:
        return MeetingFilter(
            service_id=self.home.currentData(),
            meeting_type=self.kind.currentData() or "",
            status=self.state.currentData() or "",
            text=self.search.text(),
        )

    def _load_page(
        self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int
    ) -> Page:
        with self.ctx.db.reading() as session:
            return meeting_page(session, self.filters(), sort, descending, after, limit)

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label=ALL_HOMES)
        self.reload(data_changed=True)

    def reload(self, *, data_changed: bool = False) -> None:
        """The list again from its first page. The meeting on the right is loaded again only
        when another one is now selected, or the data may have changed: a new filter or sort
        leaves the selected meeting as it was."""
        keep = self._shown
        self.model.reload()
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.count_label.setText(f"{shown}{more} meeting{'s' if shown != 1 else ''}")
        self.view.setColumnHidden(2, self.home.currentData() is not None)
        self.new_button.setEnabled(can(self.ctx, Permission.RECORD))
        wanted = keep if keep is not None else self._first_id()
        self.select_meeting(wanted, reload=data_changed)

    def _first_id(self) -> int | None:
        return self.model.row_at(0).id if self.model.rowCount() else None

    def select_meeting(self, meeting_id: int | None, *, reload: bool = True) -> None:
        """Select a meeting in the list and show it (``reload=False``: not again if shown)."""
        row = self.model.row_for_id(meeting_id) if meeting_id is not None else None
        if row is None:
            self._show(None if meeting_id is None else meeting_id, reload=reload)
            return
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        selection.setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.blockSignals(False)
        self.view.scrollTo(self.model.index(row, 0))
        self._show(meeting_id, reload=reload)

    def _show(self, meeting_id: int | None, *, reload: bool = True) -> None:
        if not reload and meeting_id == self._shown == self.panel.meeting_id:
            return
        self._shown = meeting_id
        try:
            self.panel.load(meeting_id)
        except NotFound:  # deleted from another PC since the list was loaded
            self._shown = None
            self.panel.load(None)

    def _meeting_changed(self) -> None:
        index = self.view.currentIndex()
        wanted = self.model.row_at(index.row()).id if index.isValid() else None
        if wanted == self._shown:
            return
        if not self.panel.confirm_leave():
            self.select_meeting(self._shown)
            return
        self._show(wanted)

    def _on_data_changed(self, what: str) -> None:
        if what == "service":
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload(data_changed=True)

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the tab or closing the window: write any text typed in the last moment as a
        # draft now, rather than when the autosave pause would have ended.
        self.panel.editor.flush_drafts()
        super().hideEvent(event)

    # --- Edit menu protocol ----------------------------------------------------------------
    def new_record(self) -> None:
        if not self.panel.confirm_leave():
            return
        dialog = MeetingDialog(self.ctx, self, service_id=self.home.currentData())
        if not dialog.exec() or dialog.meeting_id is None:
            return
        self._shown = dialog.meeting_id
        self.ctx.sig_data_changed.emit("meeting")
        self.select_meeting(dialog.meeting_id)
        if dialog.build_agenda.isChecked():
            self.panel.build_agenda()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
