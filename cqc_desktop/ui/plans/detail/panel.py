"""Action detail: everything about one action on tabs — overview, steps, reviews, evidence, the
measure chart and the closure gate. Used as a panel in the Plans tab and as its own window
(opened from the dashboard or with Enter)."""

from __future__ import annotations

from html import escape
from typing import Protocol

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ....formatting import days_phrase, uk_date
from ....models import Action, Finding, Plan
from ....models.enums import ActionStatus
from ....services.errors import NotFound
from ....services.plans import actions
from ... import ui_state
from ...context import AppContext
from ..action_dialog import ActionDialog
from .closure import ClosureGatePanel
from .evidence import EvidencePanel
from .evidence_dialog import AddEvidenceDialog
from .measure import MeasurePanel
from .overview import OverviewPane
from .reviews import RecordReviewDialog, ReviewsTimeline
from .steps import StepsChecklist

RAG_STYLE = {
    "Red": "background:#f8d7d5; color:#7a1a14;",
    "Amber": "background:#fde9c4; color:#6b4a00;",
    "Green": "background:#d4edda; color:#155724;",
}
TAB_OVERVIEW, TAB_STEPS, TAB_REVIEWS, TAB_EVIDENCE, TAB_MEASURE, TAB_CLOSURE = range(6)
LAZY_TABS = (TAB_STEPS, TAB_REVIEWS, TAB_EVIDENCE, TAB_MEASURE)
# Anything that can change an action's steps, reviews, evidence, measure points or gate settings:
# governance meetings record reviews, and tracker rows, incidents and observations feed measures.
WHAT_CHANGES = {
    "*",
    "action",
    "review",
    "evidence",
    "measure",
    "finding",
    "plan",
    "tracker",
    "tracker_entry",
    "incident",
    "observation",
    "audit",
    "meeting",
    "setting",
    "person",
}


def _chip(text: str, style: str) -> str:
    return f"<span style='{style} padding: 2px 6px;'>&nbsp;{escape(text)}&nbsp;</span>"


class LazyPanel(Protocol):
    def load(self, session: Session, action: Action) -> None: ...


# Built once (building and keying it on every reload cost about as much as running it).
_ACTION_WITH_PARTS = (
    select(Action)
    .where(Action.id == bindparam("action_id"))
    .options(
        joinedload(Action.finding).joinedload(Finding.plan).joinedload(Plan.service),
        joinedload(Action.accountable_lead),
        selectinload(Action.steps),
        selectinload(Action.reviews),
    )
)


class ActionDetail(QWidget):
    """One action. ``show_action(None)`` shows a prompt to pick one.

    ``lazy``: load only the tab on show (and the closure gate, whose title counts its conditions);
    the others load when shown, or when code asks for them (``detail.evidence``). The Plans tab's
    detail follows the selection as the user arrows down the list, so loading the evidence table
    and measure chart of every action passed over would be work nobody sees."""

    sig_loaded = Signal(int)
    """Carries the action id each time the detail has (re)loaded it."""

    def __init__(self, ctx: AppContext, *, lazy: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.action_id: int | None = None
        self.finding_id: int | None = None
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # a title is never markup
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.title_label.setAccessibleName("Action")
        self.meta_label = QLabel()
        self.meta_label.setTextFormat(Qt.TextFormat.RichText)  # escaped text in markup
        self.meta_label.setWordWrap(True)
        self.meta_label.setAccessibleName("Action summary")
        self.flag_label = QLabel()
        self.flag_label.setTextFormat(Qt.TextFormat.RichText)
        self.flag_label.setWordWrap(True)
        self.flag_label.setStyleSheet(
            "background: #f8d7d5; color: #7a1a14; padding: 4px 8px; font-weight: 600;"
        )
        self.flag_label.setAccessibleName("Closure flag")
        self.edit_button = QPushButton("Edit action…")
        self.review_button = QPushButton("Record revie&w…")
        self.evidence_button = QPushButton("Add evide&nce…")
        self.edit_button.clicked.connect(self.open_edit_dialog)
        self.review_button.clicked.connect(self.open_review_dialog)
        self.evidence_button.clicked.connect(self.open_evidence_dialog)

        self.overview = OverviewPane()
        self._steps = StepsChecklist(ctx)
        self._reviews = ReviewsTimeline(ctx)
        self._evidence = EvidencePanel(ctx)
        self._evidence.sig_add_requested.connect(self.open_evidence_dialog)
        self._measure = MeasurePanel(ctx)
        self.closure = ClosureGatePanel(ctx)
        self._lazy = lazy
        self._stale: set[int] = set()  # tabs not loaded for the action shown (lazy mode)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for widget, title in (
            (self.overview, "Overview"),
            (self._steps, "Steps"),
            (self._reviews, "Reviews"),
            (self._evidence, "Evidence"),
            (self._measure, "Measure"),
            (self.closure, "Closure gate"),
        ):
            self.tabs.addTab(widget, title)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title_label)
        titles.addWidget(self.meta_label)
        header.addLayout(titles, 1)
        for button in (self.edit_button, self.review_button, self.evidence_button):
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(header)
        page_layout.addWidget(self.flag_label)
        page_layout.addWidget(self.tabs, 1)
        self.empty = QLabel("Select an action to see its steps, reviews, evidence and measure.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #666; font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.tabs.setCurrentIndex(ui_state.load_int("action_detail/tab", TAB_OVERVIEW))
        self.tabs.currentChanged.connect(lambda i: ui_state.save_int("action_detail/tab", i))
        self.tabs.currentChanged.connect(self._bring_up_to_date)
        ctx.sig_data_changed.connect(self._on_data_changed)

    def _on_data_changed(self, what: str) -> None:
        if self.action_id is not None and what in WHAT_CHANGES:
            self.reload()

    def show_action(self, action_id: int | None) -> None:
        self.action_id = action_id
        self.reload()

    def reload(self) -> None:
        if self.action_id is None:
            self.stack.setCurrentIndex(0)
            return
        with self.ctx.db.reading() as session:
            # What the header, the gate and the tab titles read, in three queries rather than
            # one lazy load each as they are touched.
            action = (
                session.execute(_ACTION_WITH_PARTS, {"action_id": self.action_id})
                .unique()
                .scalar_one_or_none()
            )
            if action is None:  # gone since the list was loaded (another copy restored?)
                self.action_id = None
                self.stack.setCurrentIndex(0)
                return
            self.finding_id = action.finding_id
            self._show_header(action)
            self.overview.load(action)
            # The gate is always loaded: its tab's title counts the conditions met.
            self.closure.load(session, action)
            current = self.tabs.currentIndex()
            self._stale = set()
            for tab in LAZY_TABS:
                if self._lazy and tab != current:
                    self._stale.add(tab)
                else:
                    self._panels()[tab].load(session, action)
            done = sum(1 for s in action.steps if s.done)
            self._set_tab_text(TAB_STEPS, f"Steps ({done}/{len(action.steps)})")
            self._set_tab_text(TAB_REVIEWS, f"Reviews ({len(action.reviews)})")
            # As the evidence table lists them: the action's evidence and linked observations,
            # which the closure gate has just read (its facts hold one entry for each).
            evidence_count = (
                self.closure.evidence_count
                if TAB_EVIDENCE in self._stale
                else self._evidence.table.rowCount()
            )
            self._set_tab_text(TAB_EVIDENCE, f"Evidence ({evidence_count})")
            gate = self.closure.result
            if action.status == ActionStatus.CLOSED:
                gate_text = (
                    "Closure gate ✔" if not action.closed_with_override else "Closure gate ⚑"
                )
            elif gate is not None:
                met = sum(1 for c in gate.conditions if c.met and c.key != "sign_off")
                gate_text = f"Closure gate ({met}/{len(gate.conditions) - 1})"
            else:
                gate_text = "Closure gate"
            self._set_tab_text(TAB_CLOSURE, gate_text)
        self.stack.setCurrentIndex(1)
        self.sig_loaded.emit(self.action_id)

    def _set_tab_text(self, tab: int, text: str) -> None:
        # QTabBar lays itself out again on every setTabText, even to the same text, and that
        # re-lays and repaints the whole tab around the detail (~35 ms a reload): only on change.
        if self.tabs.tabText(tab) != text:
            self.tabs.setTabText(tab, text)

    # --- lazy tabs -------------------------------------------------------------------------------
    def _panels(self) -> dict[int, LazyPanel]:
        return {
            TAB_STEPS: self._steps,
            TAB_REVIEWS: self._reviews,
            TAB_EVIDENCE: self._evidence,
            TAB_MEASURE: self._measure,
        }

    def _bring_up_to_date(self, tab: int) -> None:
        """Load a tab left stale by ``reload`` (lazy mode): when it is shown, or asked for."""
        if tab not in self._stale or self.action_id is None:
            return
        self._stale.discard(tab)
        with self.ctx.db.reading() as session:
            try:
                action = actions.get_action(session, self.action_id)
            except NotFound:
                return
            self._panels()[tab].load(session, action)

    @property
    def steps(self) -> StepsChecklist:
        self._bring_up_to_date(TAB_STEPS)
        return self._steps

    @property
    def reviews(self) -> ReviewsTimeline:
        self._bring_up_to_date(TAB_REVIEWS)
        return self._reviews

    @property
    def evidence(self) -> EvidencePanel:
        self._bring_up_to_date(TAB_EVIDENCE)
        return self._evidence

    @property
    def measure(self) -> MeasurePanel:
        self._bring_up_to_date(TAB_MEASURE)
        return self._measure

    def _show_header(self, action: Action) -> None:
        today = self.ctx.today()
        closed = action.status == ActionStatus.CLOSED
        self.title_label.setText(f"{action.reference} {action.title}")
        plan = action.finding.plan
        parts = [
            _chip(action.status, "background:#e3e8ee; color:#1f3b57;"),
            _chip(action.rag, RAG_STYLE.get(action.rag, "")),
            f"Lead: <b>{escape(action.accountable_lead.name)}</b>",
            f"Due {uk_date(action.due_date)}",
        ]
        if action.archived:
            parts.insert(0, _chip("Archived", "background:#ddd; color:#333;"))
        if not closed and action.next_review_date is not None:
            days = (today - action.next_review_date).days
            review = f"Next review {uk_date(action.next_review_date)} ({days_phrase(days)})"
            parts.append(
                f"<span style='color:#b3261e'><b>{review}</b></span>" if days > 0 else review
            )
        parts.append(f"{escape(plan.title)} · {escape(plan.service.name)}")
        self.meta_label.setText(" &nbsp;·&nbsp; ".join(parts))
        flagged = closed and action.closed_with_override
        self.flag_label.setText(
            f"⚑ Closed without full evidence on {uk_date(action.closed_on)}: "
            f"{escape(action.override_reason)}"
            if flagged
            else ""
        )
        self.flag_label.setVisible(flagged)
        editable = not action.archived
        self.edit_button.setEnabled(editable)
        self.review_button.setEnabled(editable)
        self.evidence_button.setEnabled(editable)

    # --- dialogs -------------------------------------------------------------------------------
    def open_edit_dialog(self) -> ActionDialog | None:
        if self.action_id is None or self.finding_id is None:
            return None
        dialog = ActionDialog(self.ctx, self.finding_id, self.action_id, parent=self)
        dialog.open()
        return dialog

    def open_review_dialog(self) -> RecordReviewDialog | None:
        if self.action_id is None:
            return None
        dialog = RecordReviewDialog(self.ctx, self.action_id, parent=self)
        dialog.open()
        return dialog

    def open_evidence_dialog(self) -> AddEvidenceDialog | None:
        if self.action_id is None:
            return None
        dialog = AddEvidenceDialog(self.ctx, self.action_id, parent=self)
        dialog.open()
        return dialog


class ActionDetailWindow(QWidget):
    """The detail in its own window, one per action (opening it again brings it to the front)."""

    # One window per database context and action; shared on purpose so Enter twice does not
    # open two copies.
    _open: dict[tuple[int, int], ActionDetailWindow] = {}  # noqa: RUF012

    def __init__(self, ctx: AppContext, action_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.action_id = action_id
        self.key = (id(ctx), action_id)
        self.detail = ActionDetail(ctx)
        self.detail.sig_loaded.connect(self._retitle)
        layout = QVBoxLayout(self)
        layout.addWidget(self.detail)
        # Another database opened: this action belongs to the old one.
        ctx.sig_database_opened.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        QShortcut(QKeySequence("Esc"), self, self.close)
        geometry = ui_state.load_bytes("action_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)
        self.detail.show_action(action_id)

    def _retitle(self, _action_id: int) -> None:
        self.setWindowTitle(f"Action {self.detail.title_label.text()}")

    @classmethod
    def show_for(
        cls, ctx: AppContext, action_id: int, parent: QWidget | None = None
    ) -> ActionDetailWindow:
        key = (id(ctx), action_id)
        window = cls._open.get(key)
        if window is None or not shiboken6.isValid(window):
            window = cls(ctx, action_id, parent)
            window.key = key
            cls._open[key] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def closeEvent(self, event: QCloseEvent) -> None:
        ui_state.save_bytes("action_window/geometry", self.saveGeometry())
        ActionDetailWindow._open.pop(self.key, None)
        super().closeEvent(event)
