"""Dashboard tab: what needs attention today, from the services, for one home or all of them."""

from __future__ import annotations

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..formatting import days_phrase, uk_date
from ..services import dashboard, people
from ..services.dashboard import ActionRow, LeadLoad
from .context import AppContext
from .table_models import RAG_BACKGROUND, RED, Column, RowsModel

RAG_COL = 3


def _action_columns(when: str) -> list[Column[ActionRow]]:
    return [
        Column("Ref", lambda r: r.reference),
        Column("Action", lambda r: r.title, tooltip=lambda r: f"{r.title}\n{r.service}"),
        Column("Lead", lambda r: r.lead),
        Column("RAG", lambda r: r.rag),
        Column("Next review", lambda r: uk_date(r.next_review)),
        Column(when, lambda r: days_phrase(r.days_overdue)),
    ]


def _rag_background(row: ActionRow, column: int) -> QBrush | None:
    return RAG_BACKGROUND.get(row.rag) if column == RAG_COL else None


def _overdue_foreground(row: ActionRow, column: int) -> QBrush | None:
    return RED if column >= 4 and row.days_overdue > 0 else None


class SummaryCard(QFrame):
    """A big number with a caption, like the tiles on a paper governance dashboard."""

    def __init__(self, caption: str, *, warn: bool = False) -> None:
        super().__init__()
        self.setObjectName("summaryCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._warn = warn
        self.value = QLabel("0")
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)

    def set_value(self, value: int) -> None:
        self.value.setText(str(value))
        colour = "#b3261e" if self._warn and value else "#1f3b57"
        self.value.setStyleSheet(f"font-size: 22pt; font-weight: 600; color: {colour};")


def _table(model: RowsModel[ActionRow] | RowsModel[LeadLoad], name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return view


class DashboardTab(QWidget):
    """Overdue reviews, reviews due in 7 days, and open actions per lead."""

    title = "Dashboard"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.home.currentIndexChanged.connect(self.refresh)
        self.date_label = QLabel()

        self.cards = {
            "open": SummaryCard("Open actions"),
            "overdue": SummaryCard("Reviews overdue", warn=True),
            "week": SummaryCard("Reviews due in the next 7 days"),
            "sustained": SummaryCard("Closed as sustained"),
            "override": SummaryCard("Closed without full evidence", warn=True),
        }
        self.overdue_model: RowsModel[ActionRow] = RowsModel(
            _action_columns("Overdue by"),
            lambda r: r.action_id,
            foreground=_overdue_foreground,
            background=_rag_background,
        )
        self.due_model: RowsModel[ActionRow] = RowsModel(
            _action_columns("Due"), lambda r: r.action_id, background=_rag_background
        )
        self.lead_model: RowsModel[LeadLoad] = RowsModel(
            [
                Column("Lead", lambda r: r.lead),
                Column("Role", lambda r: r.role),
                Column("Open actions", lambda r: str(r.open_actions), align_right=True),
                Column("Reviews overdue", lambda r: str(r.overdue_reviews), align_right=True),
                Column("Red", lambda r: str(r.red), align_right=True),
            ],
            lambda r: r.person_id,
            foreground=lambda r, c: RED if c == 3 and r.overdue_reviews else None,
        )
        self.overdue_view = _table(self.overdue_model, "Overdue reviews")
        self.due_view = _table(self.due_model, "Reviews due in the next 7 days")
        self.lead_view = _table(self.lead_model, "Open actions per lead")
        self.overdue_empty = QLabel("No reviews are overdue.")
        self.due_empty = QLabel("No reviews fall due in the next 7 days.")
        self.rag_label = QLabel()
        self.rag_label.setWordWrap(True)
        self._build()
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self._load_homes()

    def _build(self) -> None:
        top = QHBoxLayout()
        home_label = QLabel("&Care home:")
        home_label.setBuddy(self.home)
        top.addWidget(home_label)
        top.addWidget(self.home, 1)
        top.addStretch(2)
        top.addWidget(self.date_label)

        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)

        grid = QGridLayout()
        grid.addWidget(self._group("Reviews overdue", self.overdue_view, self.overdue_empty), 0, 0)
        grid.addWidget(
            self._group("Reviews due in the next 7 days", self.due_view, self.due_empty), 0, 1
        )
        grid.addWidget(
            self._group("Open actions per lead", self.lead_view, self.rag_label), 1, 0, 1, 2
        )
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(grid, 1)

    @staticmethod
    def _group(title: str, view: QTableView, note: QLabel) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.addWidget(view, 1)
        note.setStyleSheet("color: #555;")
        inner.addWidget(note)
        return box

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            homes = [(s.id, s.name) for s in people.list_services(session)]
        self.home.blockSignals(True)
        self.home.clear()
        if len(homes) != 1:
            self.home.addItem("All care homes", None)
        for sid, name in homes:
            self.home.addItem(name, sid)
        self.home.blockSignals(False)
        self.refresh()

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        else:
            self.refresh()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        today = self.ctx.today()
        sid = self.service_id()
        with self.ctx.db.reading() as session:
            overdue = dashboard.overdue_reviews(session, today, sid)
            due = dashboard.reviews_due(session, today, 7, sid)
            leads = dashboard.open_actions_per_lead(session, today, sid)
            summary = dashboard.summary(session, today, sid)
            rag = dashboard.counts_by_rag(session, sid)
            by_kq = dashboard.counts_by_key_question(session, sid)
        self.date_label.setText(f"Today: {uk_date(today)}")
        self.overdue_model.set_rows(overdue)
        self.due_model.set_rows(due)
        self.lead_model.set_rows(leads)
        self.overdue_empty.setVisible(not overdue)
        self.due_empty.setVisible(not due)
        self.cards["open"].set_value(summary.open_actions)
        self.cards["overdue"].set_value(summary.overdue_reviews)
        self.cards["week"].set_value(summary.due_this_week)
        self.cards["sustained"].set_value(summary.closed_sustained)
        self.cards["override"].set_value(summary.closed_override)
        if summary.open_actions:
            rag_text = ", ".join(f"{k} {rag.get(k, 0)}" for k in ("Red", "Amber", "Green"))
            kq_text = ", ".join(f"{k} {n}" for k, n in sorted(by_kq.items()))
            self.rag_label.setText(
                f"Open actions by RAG: {rag_text}.   By key question: {kq_text}."
            )
        else:
            self.rag_label.setText("No open actions.")
        for view in (self.overdue_view, self.due_view):
            view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.lead_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
