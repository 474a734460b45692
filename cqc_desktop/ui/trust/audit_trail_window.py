"""The audit trail for administrators: every change ever made, searchable, newest first.

The trail grows with every save and is kept forever, so it is searched in SQL and loaded a page
at a time (keyset paging), never read whole.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError
from ...services.listing import Page
from ...services.trust import audit_history
from ...services.trust.audit_history import Entry, TrailFilter
from ...services.trust.audit_verify import verify_chain
from ..context import AppContext
from ..widgets.forms import OptionalDateEdit, compact_rows, inform, warn
from ..widgets.paged_model import PagedColumn, PagedTableModel
from .history_dialog import show_history


class TrailRow:
    """One entry as the list shows it. Its text is worked out when the row is first painted and
    then kept: a page holds 300 entries, the window shows about 25, and turning a UTC time into
    local dd/mm/yyyy hh:mm for every row of every page was most of a page's cost."""

    def __init__(self, entry: Entry, names: dict[int, str]) -> None:
        self.entry = entry
        self._names = names
        self.id = entry.id
        self.record_type = entry.record_type
        self.record_id = entry.record_id

    @cached_property
    def when(self) -> str:
        return self.entry.when

    @property
    def who(self) -> str:
        return self.entry.username

    @cached_property
    def record(self) -> str:
        return self.entry.record

    @property
    def what(self) -> str:
        return self.entry.what

    @cached_property
    def field(self) -> str:
        return audit_history.field_label(self.entry.field)

    @cached_property
    def before(self) -> str:
        return audit_history.display_value(self.entry, self.entry.old, self._names)

    @cached_property
    def after(self) -> str:
        return audit_history.display_value(self.entry, self.entry.new, self._names)


COLUMNS = [
    PagedColumn("When", lambda r: r.when, sort_key="id"),
    PagedColumn("Who", lambda r: r.who),
    PagedColumn("Record", lambda r: r.record),
    PagedColumn("Change", lambda r: r.what),
    PagedColumn("Field", lambda r: r.field),
    PagedColumn("Before", lambda r: r.before[:200], tooltip=lambda r: r.before),
    PagedColumn("After", lambda r: r.after[:200], tooltip=lambda r: r.after),
]


class AuditTrailTab(QWidget):
    """Search box, filters and the paged list; double-click a row for that record's history."""

    title = "Audit trail"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search who, what record, field or value…")
        self.search.setAccessibleName("Search the audit trail")
        self.search.setClearButtonEnabled(True)
        self.user = QComboBox()
        self.user.setAccessibleName("Changes by")
        self.record_type = QComboBox()
        self.record_type.setAccessibleName("Kind of record")
        today = ctx.today()
        self.date_from = OptionalDateEdit("From", today)
        self.date_from.setAccessibleName("From date")
        self.date_to = OptionalDateEdit("To", today)
        self.date_to.setAccessibleName("To date")
        self.verify_button = QPushButton("&Verify the trail")
        self.verify_button.setToolTip(
            "Recompute every entry's hash: shows whether any entry was altered or removed."
        )
        self.history_button = QPushButton("&History of this record…")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel("By:"))
        filters.addWidget(self.user)
        filters.addWidget(QLabel("Record:"))
        filters.addWidget(self.record_type)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_to)
        self.model = PagedTableModel(COLUMNS, self._load, lambda r: r.id, default_sort=("id", True))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit trail entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        compact_rows(self.table)
        for column, width in enumerate((130, 110, 150, 80, 160, 240)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.history_button)
        bottom.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._fill_choices()
        self.search.returnPressed.connect(self.apply_filters)
        self.search.textChanged.connect(lambda t: None if t else self.apply_filters())
        self.user.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.record_type.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.date_from.sig_changed.connect(self.apply_filters)
        self.date_to.sig_changed.connect(self.apply_filters)
        self.verify_button.clicked.connect(self.verify)
        self.history_button.clicked.connect(self.open_history)
        self.table.doubleClicked.connect(lambda _i: self.open_history())
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        ctx.sig_data_changed.connect(lambda _what: self.model.reload())
        self.model.modelReset.connect(self._count)
        self.model.rowsInserted.connect(self._count)
        self.model.reload()

    def _fill_choices(self) -> None:
        with self.ctx.db.reading() as session:
            names = audit_history.usernames(session)
            kinds = audit_history.record_types(session)
        self.user.addItem("Everyone", "")
        for name in names:
            self.user.addItem(name, name)
        self.record_type.addItem("Any record", "")
        for kind in kinds:
            self.record_type.addItem(audit_history.record_label(kind), kind)

    def filters(self) -> TrailFilter:
        return TrailFilter(
            text=self.search.text(),
            username=str(self.user.currentData() or ""),
            record_type=str(self.record_type.currentData() or ""),
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
        )

    def _load(self, _sort: str, _desc: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        try:
            with self.ctx.db.reading() as session:
                if self.ctx.actor is not None:
                    session.info["user"] = self.ctx.actor
                page = audit_history.search(session, self.filters(), after=after, limit=limit)
                names = audit_history.person_names(session, page.rows)
        except ServiceError as exc:
            self.status.setText(str(exc))
            return Page([], None, False)
        return Page([TrailRow(e, names) for e in page.rows], page.last_key, page.more)

    def apply_filters(self) -> None:
        self.model.reload()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _count(self) -> None:
        shown = self.model.rowCount()
        more = " — scroll for more" if self.model.canFetchMore() else ""
        self.status.setText(f"{shown:,} entries shown{more}.")

    def selected(self) -> TrailRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def open_history(self) -> None:
        row = self.selected()
        if row is None or row.record_id is None:
            inform(self, "History", "Choose an entry for a record first.")
            return
        show_history(self, self.ctx, row.record_type, row.record_id)

    def verify(self) -> None:
        with self.ctx.db.reading() as session:
            report = verify_chain(session)
        if report.ok:
            inform(self, "Audit trail", report.describe())
        else:
            warn(self, "Audit trail", report.describe())


def open_audit_trail(parent: QWidget | None, ctx: AppContext) -> QDialog:
    """The audit trail in a window of its own (Administration ▸ Audit trail)."""
    window = QDialog(parent)
    window.setWindowTitle("Audit trail")
    window.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
    layout = QVBoxLayout(window)
    layout.setContentsMargins(6, 6, 6, 6)
    tab = AuditTrailTab(ctx)
    layout.addWidget(tab)
    window.resize(1200, 680)
    window.show()
    return window
