"""Logs tab: the daily governance log, handover records, rota notes and the staff communication
book, each a paged list with its own columns, search and export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import LogKind
from ...services.listing import Page
from ...services.records import spreadsheets
from ...services.records.log_listing import HandoverQuery, LogQuery, handover_page, log_page
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import inform
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import enable_or_explain, fill_homes, muted, nothing_yet, why_disabled
from ..widgets.table_models import ID_ROLE
from .common import FilterBar, button, export_list

HANDOVERS = "Handover records"
KINDS = [
    LogKind.GOVERNANCE_LOG.value,
    HANDOVERS,
    LogKind.ROTA_NOTE.value,
    LogKind.COMMUNICATION_BOOK.value,
]
SHOWN_AS = {LogKind.ROTA_NOTE.value: "Rota notes"}
NOT_CHECKED = QBrush(QColor("#fde9c4"))
REFRESH_ON = {"*", "log", "handover", "incident", "service", "action"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


HANDOVER_COLUMNS = [
    PagedColumn("Date", lambda r: uk_date(r.handover_date), "date"),
    PagedColumn("Shift", lambda r: r.shift, "shift"),
    PagedColumn("Led by", lambda r: r.lead),
    PagedColumn("Understood", lambda r: "Checked" if r.understanding_checked else "Not checked"),
    PagedColumn("Incidents", lambda r: r.incidents),
    PagedColumn("Staff present", lambda r: r.staff_present, tooltip=lambda r: r.staff_present),
    PagedColumn(
        "Learning points",
        lambda r: _one_line(r.learning_points),
        tooltip=lambda r: r.learning_points,
    ),
]
LOG_COLUMNS = [
    PagedColumn("Date", lambda r: uk_date(r.entry_date), "date"),
    PagedColumn("Written by", lambda r: r.author),
    PagedColumn("Action", lambda r: r.action_ref),
    PagedColumn("Entry", lambda r: _one_line(r.text), tooltip=lambda r: r.text),
]


@dataclass
class _List:
    model: PagedTableModel
    view: QTableView


class LogsTab(QWidget):
    title = "&Logs"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("logsTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.kinds = QListWidget()
        self.kinds.setAccessibleName("Which log")
        for kind in KINDS:
            item = QListWidgetItem(SHOWN_AS.get(kind, kind))
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.kinds.addItem(item)
        self.kinds.setMaximumWidth(200)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.filters = FilterBar("Search the entries")
        self.handovers = self._list(HANDOVER_COLUMNS, self._load_handovers, "Handover records")
        self.entries = self._list(LOG_COLUMNS, self._load_entries, "Log entries")
        self.summary = muted()
        self._build()
        self.kinds.currentRowChanged.connect(lambda _r: self.reload())
        self.home.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.sig_changed.connect(self.reload)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self.kinds.setCurrentRow(0)
        self._load_homes()

    def _list(self, columns: list[PagedColumn], loader: Any, name: str) -> _List:
        model = PagedTableModel(
            columns,
            loader,
            lambda r: r.id,
            default_sort=("date", True),
            background=lambda r, c: (
                NOT_CHECKED
                if c == 3 and getattr(r, "understanding_checked", True) is False
                else None
            ),
        )
        view = QTableView()
        view.setModel(model)
        view.setAccessibleName(name)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSortingEnabled(True)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTabKeyNavigation(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        view.doubleClicked.connect(self._open_index)
        view.activated.connect(self._open_index)
        return _List(model, view)

    def _build(self) -> None:
        self.new_button = button("&New entry…", self.new_record, tip="Add to this log (Ctrl+N)")
        self.open_button = button("&Open…", self.open_current)
        self.export_button = button("E&xport…", self.export, tip="Export the entries shown")
        top = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        top.addWidget(caption)
        top.addWidget(self.home, 1)
        top.addStretch(2)
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.filters)
        right.addLayout(actions)
        right.addWidget(self.handovers.view, 1)
        right.addWidget(self.entries.view, 1)
        right.addWidget(self.summary)
        body = QHBoxLayout()
        body.addWidget(self.kinds)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label="All care homes")
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def kind(self) -> str:
        item = self.kinds.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else KINDS[0]

    def _current(self) -> _List:
        return self.handovers if self.kind() == HANDOVERS else self.entries

    def handover_query(self) -> HandoverQuery:
        return HandoverQuery(
            self.service_id(),
            self.filters.text(),
            self.filters.date_from.value(),
            self.filters.date_to.value(),
        )

    def log_query(self) -> LogQuery:
        return LogQuery(
            self.service_id(),
            self.kind(),
            self.filters.text(),
            self.filters.date_from.value(),
            self.filters.date_to.value(),
        )

    def _load_handovers(
        self, sort: str, desc: bool, after: tuple[Any, int] | None, limit: int
    ) -> Page:
        with self.ctx.db.reading() as session:
            return handover_page(session, self.handover_query(), sort, desc, after, limit)

    def _load_entries(
        self, sort: str, desc: bool, after: tuple[Any, int] | None, limit: int
    ) -> Page:
        with self.ctx.db.reading() as session:
            return log_page(session, self.log_query(), sort, desc, after, limit)

    def reload(self) -> None:
        current = self._current()
        showing_handovers = current is self.handovers
        self.handovers.view.setVisible(showing_handovers)
        self.entries.view.setVisible(not showing_handovers)
        self.heading.setText(SHOWN_AS.get(self.kind(), self.kind()))
        current.model.reload()
        metrics = current.view.fontMetrics()
        columns = HANDOVER_COLUMNS if showing_handovers else LOG_COLUMNS
        for n, column in enumerate(columns[:-1]):
            sample = [column.title] + [
                column.text(current.model.row_at(i))
                for i in range(min(40, current.model.rowCount()))
            ]
            width = max(metrics.horizontalAdvance(s) for s in sample) + 22
            current.view.setColumnWidth(n, min(width, 260))
        more = "+" if current.model.canFetchMore() else ""
        text = f"{current.model.rowCount()}{more} shown."
        if not current.model.rowCount():
            text += nothing_yet("entries", self.new_button.text().replace("&", ""), self.home)
        if showing_handovers:
            unchecked = sum(
                1
                for i in range(current.model.rowCount())
                if not current.model.row_at(i).understanding_checked
            )
            if unchecked:
                text += f" {unchecked} handover(s) without understanding checked (amber)."
        self.summary.setText(text)
        enable_or_explain(
            self.new_button, why_disabled(self.ctx, Permission.RECORD, self.home, "write entries")
        )
        self.new_button.setText("&New handover record…" if showing_handovers else "&New entry…")

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    def show_kind(self, kind: str) -> None:
        self.kinds.setCurrentRow(KINDS.index(kind))

    def new_record(self) -> None:
        from .handover_dialog import HandoverDialog
        from .log_entry_dialog import LogEntryDialog

        sid = self.service_id()
        if sid is None:
            inform(self, "New entry", "Choose the care home first.")
            return
        if self.kind() == HANDOVERS:
            if HandoverDialog(self, self.ctx, sid, None).exec():
                self.ctx.sig_data_changed.emit("handover")
        elif LogEntryDialog(self, self.ctx, sid, None, self.kind()).exec():
            self.ctx.sig_data_changed.emit("log")

    def focus_search(self) -> None:
        self.filters.focus()

    def current_id(self) -> int | None:
        index = self._current().view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def open_current(self) -> None:
        self._open_index(self._current().view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        from ...models import HandoverRecord, LogEntry
        from .handover_dialog import HandoverDialog
        from .log_entry_dialog import LogEntryDialog

        if not index.isValid():
            return
        record_id = int(index.data(ID_ROLE))
        handover = self.kind() == HANDOVERS
        with self.ctx.db.reading() as session:
            record = session.get(HandoverRecord if handover else LogEntry, record_id)
            if record is None:
                return
            sid = record.service_id
        if handover:
            if HandoverDialog(self, self.ctx, sid, record_id).exec():
                self.ctx.sig_data_changed.emit("handover")
        elif LogEntryDialog(self, self.ctx, sid, record_id).exec():
            self.ctx.sig_data_changed.emit("log")

    def export(self) -> None:
        model = self._current().model
        sort, descending = model.sort_state
        if self.kind() == HANDOVERS:
            hq = self.handover_query()
            export_list(
                self,
                self.ctx,
                "Handover records.xlsx",
                lambda s: spreadsheets.handovers_table(s, hq, sort, descending),
            )
        else:
            lq = self.log_query()
            export_list(
                self,
                self.ctx,
                f"{lq.kind}.xlsx",
                lambda s: spreadsheets.logs_table(s, lq, sort, descending),
            )
