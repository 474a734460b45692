"""Feedback tab: what people, relatives, staff and partners said, with the CQC evidence category
each counts in; negative feedback stands out, and a summary says how the period felt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import FeedbackSource, Sentiment
from ...services.listing import Page
from ...services.records import feedback, spreadsheets
from ...services.records.feedback import FeedbackQuery, FeedbackRow, feedback_page
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import inform
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import can, fill_homes, muted
from ..widgets.table_models import ID_ROLE
from .common import FilterBar, button, export_list

REFRESH_ON = {"*", "feedback", "service", "action", "evidence"}
SENTIMENT_BRUSH = {
    Sentiment.POSITIVE.value: QBrush(QColor("#d4edda")),
    Sentiment.MIXED.value: QBrush(QColor("#fde9c4")),
    Sentiment.NEGATIVE.value: QBrush(QColor("#f8d7d5")),
}
COLUMNS = [
    PagedColumn("Received", lambda r: uk_date(r.received_on), "received"),
    PagedColumn("From", lambda r: r.source, "source"),
    PagedColumn("Who", lambda r: r.from_ref),
    PagedColumn("How", lambda r: r.method),
    PagedColumn("Sentiment", lambda r: r.sentiment, "sentiment"),
    PagedColumn("CQC evidence category", lambda r: r.evidence_category),
    PagedColumn("Action", lambda r: r.action_ref),
    PagedColumn(
        "What was said",
        lambda r: r.what_was_said.replace("\n", " "),
        tooltip=lambda r: r.what_was_said,
    ),
]
SENTIMENT_COL = 4


class FeedbackTab(QWidget):
    title = "Feedbac&k"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("feedbackTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.source = QComboBox()
        self.source.setAccessibleName("From")
        self.source.addItem("Anyone", "")
        for s in FeedbackSource:
            self.source.addItem(s.value, s.value)
        self.sentiment = QComboBox()
        self.sentiment.setAccessibleName("Sentiment")
        self.sentiment.addItem("Any sentiment", "")
        for s in Sentiment:
            self.sentiment.addItem(s.value, s.value)
        self.filters = FilterBar("Who, what was said")
        self.model = PagedTableModel(
            COLUMNS,
            self._load,
            lambda r: r.id,
            default_sort=("received", True),
            background=lambda r, c: (
                SENTIMENT_BRUSH.get(r.sentiment) if c == SENTIMENT_COL else None
            ),
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Feedback")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        self.summary = muted()
        self.summary.setWordWrap(True)
        self._sized = False
        top = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        top.addWidget(caption)
        top.addWidget(self.home, 1)
        top.addWidget(self.source)
        top.addWidget(self.sentiment)
        top.addStretch(1)
        self.new_button = button("&New feedback…", self.new_record, tip="Record feedback (Ctrl+N)")
        self.open_button = button("&Open…", self.open_current)
        self.export_button = button("E&xport…", self.export, tip="Export the feedback shown")
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        for combo in (self.home, self.source, self.sentiment):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.sig_changed.connect(self.reload)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self._load_homes()

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label="All care homes")
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def query(self) -> FeedbackQuery:
        return FeedbackQuery(
            self.service_id(),
            source=self.source.currentData() or "",
            sentiment=self.sentiment.currentData() or "",
            search=self.filters.text(),
            date_from=self.filters.date_from.value(),
            date_to=self.filters.date_to.value(),
        )

    def _load(self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int) -> Page:
        with self.ctx.db.reading() as session:
            return feedback_page(session, self.query(), sort, descending, after, limit)

    def reload(self) -> None:
        self.model.reload()
        if not self._sized and self.model.rowCount():
            metrics = self.view.fontMetrics()
            for n, column in enumerate(COLUMNS[:-1]):
                sample = [column.title] + [
                    column.text(self.model.row_at(i)) for i in range(min(40, self.model.rowCount()))
                ]
                width = max(metrics.horizontalAdvance(s) for s in sample) + 22
                self.view.setColumnWidth(n, min(width, 260))
            self._sized = True
        with self.ctx.db.reading() as session:
            s = feedback.summary(
                session,
                self.service_id(),
                self.filters.date_from.value(),
                self.filters.date_to.value(),
            )
        if s.total:
            feel = ", ".join(
                f"{s.by_sentiment.get(v.value, 0)} {v.value.lower()}" for v in Sentiment
            )
            self.summary.setText(
                f"{s.total} piece{'s' if s.total != 1 else ''} of feedback in this period "
                f"({feel}); {s.partners} from partners."
            )
        else:
            self.summary.setText("No feedback recorded in this period.")
        self.new_button.setEnabled(
            can(self.ctx, Permission.RECORD) and self.service_id() is not None
        )

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    def new_record(self) -> None:
        from .feedback_dialog import FeedbackDialog

        sid = self.service_id()
        if sid is None:
            inform(self, "New feedback", "Choose the care home first.")
            return
        if FeedbackDialog(self, self.ctx, sid, None).exec():
            self.ctx.sig_data_changed.emit("feedback")

    def focus_search(self) -> None:
        self.filters.focus()

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def open_current(self) -> None:
        self._open_index(self.view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        from .feedback_dialog import FeedbackDialog

        if not index.isValid():
            return
        row: FeedbackRow = self.model.row_at(index.row())
        with self.ctx.db.reading() as session:
            service_id = feedback.get_feedback(session, row.id).service_id
        if FeedbackDialog(self, self.ctx, service_id, row.id).exec():
            self.ctx.sig_data_changed.emit("feedback")

    def export(self) -> None:
        query, (sort, descending) = self.query(), self.model.sort_state
        export_list(
            self,
            self.ctx,
            "Feedback.xlsx",
            lambda s: spreadsheets.feedback_table(s, query, sort, descending),
        )
