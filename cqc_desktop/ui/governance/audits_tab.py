"""Audits tab: each audit's schedule and score trend at the home, its runs (paged in SQL), and the
selected run's results, from which every "No" can raise an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from ...formatting import days_phrase, uk_date
from ...models import AuditTemplate
from ...services.errors import ServiceError
from ...services.governance import audit_schedule
from ...services.governance.audit_schedule import FREQUENCY_LABELS, score_trend, stable_hint
from ...services.governance.audits import install_builtin_audit_templates, percent_text
from ...services.governance.listing import AuditRunFilter, audit_run_page
from ...services.listing import Page
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import report_problem, select_data
from ..widgets.paged_model import PagedColumn, PagedTableModel
from ..widgets.signed_in import (
    SplitterMemory,
    actor_of,
    can,
    fill_homes,
    fit_rows,
    muted,
    on_sign_in,
    table_view,
)
from ..widgets.table_models import RED, Column, RowsModel
from .audit_run_editor import AuditRunDialog
from .audit_run_view import AuditRunView
from .audit_trend_chart import AuditTrendChart
from .template_editor import TemplateEditorDialog

ALL_HOMES = "All homes"
REFRESH_ON = {"*", "audit", "action", "evidence", "service"}
SEARCH_DELAY_MS = 300
RUN_PAGE_ROWS = 100
"""The run list sits above the trend chart and shows about ten rows: a first page of 100 is ten
screens of it (more load as the user scrolls)."""


@dataclass(frozen=True)
class TemplateRow:
    template_id: int
    key: str
    name: str
    version: int
    frequency: str  # "" when the homes differ (all homes shown)
    last_run: date | None
    last_score: float | None
    next_due: date | None
    days_overdue: int


def _due_text(r: TemplateRow) -> str:
    if r.next_due is None:
        return "not scheduled"
    if r.last_run is None:
        return "never run: due now"
    return f"{uk_date(r.next_due)} ({days_phrase(r.days_overdue)})"


TEMPLATE_COLUMNS = [
    Column[TemplateRow](
        "Audit", lambda r: r.name, tooltip=lambda r: f"{r.name}, version {r.version}"
    ),
    Column[TemplateRow](
        "Schedule", lambda r: r.frequency.capitalize() if r.frequency else "per home"
    ),
    Column[TemplateRow]("Last run", lambda r: uk_date(r.last_run, "—")),
    Column[TemplateRow](
        "Score", lambda r: percent_text(r.last_score) if r.last_run else "—", align_right=True
    ),
    Column[TemplateRow]("Next due", _due_text),
]


def _change(row: Any) -> str:
    if row.score is None or row.previous is None:
        return ""
    diff = row.score - row.previous
    return f"{diff:+.1f}".replace(".0", "") if diff else "±0"


RUN_COLUMNS = [
    PagedColumn("Date", lambda r: uk_date(r.run_on), "run_on"),
    PagedColumn("Audit", lambda r: r.audit, "audit"),
    PagedColumn("Home", lambda r: r.home, "home"),
    PagedColumn("Auditor", lambda r: r.auditor, "auditor"),
    PagedColumn("Score", lambda r: percent_text(r.score), "score", align_right=True),
    PagedColumn(
        "Change", _change, tooltip=lambda r: "Points up or down on the last run", align_right=True
    ),
    PagedColumn(
        "“No”",
        lambda r: f"{r.noes} ({r.raised} actioned)" if r.noes else "0",
        align_right=True,
    ),
]


class AuditsTab(QWidget):
    """Run audits from the keyboard, see the trend, raise actions from every "No"."""

    title = "A&udits"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("auditsTab")
        self.ctx = ctx
        self._key: str = ""  # the audit (template key) chosen on the left
        self._run: int | None = None
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search runs: audit, auditor, notes (Ctrl+F)")
        self.search.setAccessibleName("Search audit runs")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("&New audit run…")
        self.new_button.setToolTip("Record a run of the selected audit (Ctrl+N)")
        self.edit_button = QPushButton("&Edit template…")
        self.templates: RowsModel[TemplateRow] = RowsModel(
            TEMPLATE_COLUMNS,
            lambda r: r.template_id,
            foreground=lambda r, c: RED if c == 4 and r.next_due and r.days_overdue > 0 else None,
        )
        self.template_view = table_view(self.templates, "Audits and their schedule", stretch=0)
        self.schedule = QComboBox()
        self.schedule.setAccessibleName("Schedule at this home")
        for key, label in FREQUENCY_LABELS.items():
            self.schedule.addItem(label, key)
        self.hint = muted()
        self.chart = AuditTrendChart()
        self.all_audits = QCheckBox("Runs of every audit")
        self.runs = PagedTableModel(
            RUN_COLUMNS,
            self._load_runs,
            lambda r: r.id,
            default_sort=("run_on", True),
            foreground=lambda r, c: _score_colour(r, c),
            page_size=RUN_PAGE_ROWS,
        )
        self.run_list = table_view(self.runs, "Audit runs", stretch=1)
        self.run_list.setSortingEnabled(True)
        self.run_list.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.run_view = AuditRunView(ctx)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._build()
        self.home.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self._filter_runs)
        self.all_audits.toggled.connect(self._filter_runs)
        self.template_view.selectionModel().currentRowChanged.connect(self._template_changed)
        self.run_list.selectionModel().currentRowChanged.connect(self._run_changed)
        self.schedule.activated.connect(self._schedule_chosen)
        self.new_button.clicked.connect(self.new_record)
        self.edit_button.clicked.connect(self.edit_template)
        self.run_view.sig_changed.connect(self._run_view_changed)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        on_sign_in(ctx, self.refresh)
        self._load_homes()

    def _build(self) -> None:
        bar = QHBoxLayout()
        label = QLabel("Care &home:")
        label.setBuddy(self.home)
        bar.addWidget(label)
        bar.addWidget(self.home)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.new_button)
        schedule_row = QHBoxLayout()
        schedule_label = QLabel("&Schedule here:")
        schedule_label.setBuddy(self.schedule)
        schedule_row.addWidget(schedule_label)
        schedule_row.addWidget(self.schedule, 1)
        runs_row = QHBoxLayout()
        runs_row.addWidget(QLabel("Runs"))
        runs_row.addStretch(1)
        runs_row.addWidget(self.all_audits)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.template_view)
        column.addLayout(schedule_row)
        column.addWidget(self.hint)
        column.addLayout(runs_row)
        column.addWidget(self.run_list, 3)
        column.addWidget(self.chart, 4)
        self.run_list.setMinimumHeight(110)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.run_view)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        left.setMinimumWidth(440)
        SplitterMemory(split, "audits/split", (0.42, 0.58))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # --- loading ---------------------------------------------------------------------------
    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label=ALL_HOMES)
            missing = not session.scalar(select(func.count()).select_from(AuditTemplate))
        if missing:
            # A database set up without them (before set-up installed them) gets the shipped
            # audit templates: housekeeping, not the user's change, so it runs as the system.
            with self.ctx.db.unit_of_work() as session:
                install_builtin_audit_templates(session)
        self.refresh()

    def refresh(self) -> None:
        sid, today = self.service_id(), self.ctx.today()
        with self.ctx.db.reading() as session:
            # Templates, schedules and latest runs read once, shared by every column.
            overview = audit_schedule.schedule_overview(session, today, sid)
            templates = [(t.id, t.key, t.name, t.version, t.schedule) for t in overview.templates]
        plan, last = overview.plan, overview.last
        frequencies, scores = overview.frequencies, overview.scores
        rows = []
        for template_id, key, name, version, default in templates:
            due = [p for p in plan if p.template_key == key]
            soonest = min(due, key=lambda p: p.due_on) if due else None
            ran = [d for (_home, k), d in last.items() if k == key]
            rows.append(
                TemplateRow(
                    template_id,
                    key,
                    name,
                    version,
                    frequencies.get(key, default) if sid is not None else "",
                    max(ran) if ran else None,
                    scores.get(key),
                    soonest.due_on if soonest else None,
                    soonest.days_overdue if soonest else 0,
                )
            )
        self.templates.set_rows(rows)
        fit_rows(self.template_view, 8)
        self.new_button.setEnabled(bool(rows) and can(self.ctx, Permission.RECORD))
        self.edit_button.setEnabled(bool(rows) and can(self.ctx, Permission.EDIT_PLANS))
        self.run_list.setColumnHidden(2, sid is not None)
        if not any(r.key == self._key for r in rows):
            # First visit: open on the audit run most recently, where there is something to see.
            ran = [r for r in rows if r.last_run is not None]
            self._key = max(ran, key=lambda r: r.last_run or date.min).key if ran else ""
        row = next((n for n, r in enumerate(rows) if r.key == self._key), 0 if rows else None)
        if row is not None:
            selection = self.template_view.selectionModel()
            selection.blockSignals(True)
            selection.setCurrentIndex(
                self.templates.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            selection.blockSignals(False)
            self._key = rows[row].key
        self._show_template()

    def selected_template(self) -> TemplateRow | None:
        index = self.template_view.currentIndex()
        return self.templates.row_at(index.row()) if index.isValid() else None

    def _template_changed(self) -> None:
        row = self.selected_template()
        self._key = row.key if row else ""
        self._run = None
        self._show_template()

    def _show_template(self) -> None:
        row, sid = self.selected_template(), self.service_id()
        self.schedule.setEnabled(
            row is not None and sid is not None and can(self.ctx, Permission.EDIT_PLANS)
        )
        trend = []
        if row is not None and sid is not None:
            select_data(self.schedule, row.frequency)
            with self.ctx.db.reading() as session:
                trend = score_trend(session, row.key, sid)
            hint = stable_hint(trend, row.frequency)
            self.hint.setText(hint)
            self.hint.setVisible(bool(hint))
        else:
            self.schedule.setCurrentIndex(-1)
            self.hint.setText(
                "Choose one home to set its schedule and see the trend." if row else ""
            )
            self.hint.setVisible(row is not None)
        # The chart is drawn once, with the new trend and the run then selected.
        self._reload_runs(chart=False)
        self.chart.set_points(row.name if row and sid is not None else "", trend, self._run)

    def _load_runs(
        self, sort: str, descending: bool, after: tuple[Any, int] | None, limit: int
    ) -> Page:
        key = "" if self.all_audits.isChecked() else self._key
        filters = AuditRunFilter(
            service_id=self.service_id(), template_key=key, text=self.search.text()
        )
        with self.ctx.db.reading() as session:
            return audit_run_page(session, filters, sort, descending, after, limit)

    def _filter_runs(self) -> None:
        """Searched, or every audit's runs asked for: the run shown stays if still listed."""
        self._reload_runs(reload_run=False)

    def _reload_runs(self, *, chart: bool = True, reload_run: bool = True) -> None:
        """The run list from its first page, keeping the selected run if it is still listed.
        ``chart``: mark the run on the trend chart (the caller redraws it otherwise);
        ``reload_run``: show the run again even if it is the one already shown."""
        keep = self._run
        every = self.all_audits.isChecked()
        self.run_list.setColumnHidden(1, not every)
        # The audit's name takes the slack when every audit is listed, else the auditor's name.
        header = self.run_list.horizontalHeader()
        stretch, fixed = (1, 3) if every else (3, 1)
        if header.sectionResizeMode(stretch) != QHeaderView.ResizeMode.Stretch:
            header.setSectionResizeMode(fixed, QHeaderView.ResizeMode.Interactive)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.runs.reload()
        row = self.runs.row_for_id(keep) if keep is not None else None
        if row is None and self.runs.rowCount():
            row = 0
        selection = self.run_list.selectionModel()
        if row is None:
            self._show_run(None, chart=chart)
            return
        selection.blockSignals(True)
        selection.setCurrentIndex(
            self.runs.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.blockSignals(False)
        self._show_run(self.runs.row_at(row).id, chart=chart, reload=reload_run)

    def _run_changed(self) -> None:
        index = self.run_list.currentIndex()
        self._show_run(self.runs.row_at(index.row()).id if index.isValid() else None)

    def _show_run(self, run_id: int | None, *, chart: bool = True, reload: bool = True) -> None:
        same = run_id == self._run == self.run_view.run_id
        self._run = run_id
        if reload or not same:
            self.run_view.load(run_id)
        row, sid = self.selected_template(), self.service_id()
        if chart and not same and row is not None and sid is not None and self.chart.points:
            self.chart.set_points(row.name, self.chart.points, run_id)

    # --- commands --------------------------------------------------------------------------
    def _schedule_chosen(self) -> None:
        row, sid = self.selected_template(), self.service_id()
        frequency = self.schedule.currentData()
        if row is None or sid is None or frequency is None or frequency == row.frequency:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                audit_schedule.set_audit_schedule(session, sid, row.key, frequency)
        except ServiceError as exc:
            report_problem(self, "Audit schedule", exc)
            select_data(self.schedule, row.frequency)
            return
        self.ctx.sig_data_changed.emit("audit")

    def new_record(self) -> None:
        row = self.selected_template()
        if row is None:
            return
        dialog = AuditRunDialog(self.ctx, self, row.template_id, self.service_id())
        if dialog.exec() and dialog.run_id is not None:
            self._run = dialog.run_id
            self.ctx.sig_data_changed.emit("audit")

    def edit_template(self) -> None:
        row = self.selected_template()
        if row is None:
            return
        dialog = TemplateEditorDialog(self.ctx, self, row.template_id)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("audit")

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _run_view_changed(self, what: str) -> None:
        self.ctx.sig_data_changed.emit(what)

    def _on_data_changed(self, what: str) -> None:
        if what == "service":
            self._load_homes()
        elif what in REFRESH_ON:
            self.refresh()


def _score_colour(row: Any, column: int) -> QBrush | None:
    if (
        column == 5
        and row.score is not None
        and row.previous is not None
        and row.score < row.previous
    ):
        return RED
    return None
