"""Reports tab: pick a document and its options, make it in the background, preview, print or
save it.

Documents are made on a worker thread (ReportLab is pure Python and a pack can take a second or
two), each with its own read-only database session, so the window stays responsive.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from PySide6.QtCore import QDate, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...db import Database
from ...reports import catalogue
from ...reports.catalogue import DocumentRequest
from ...services.errors import ServiceError, ValidationError
from ...services.reporting import common as report_data
from ...services.reporting.docs import DocumentChoices, document_choices
from .. import ui_state
from ..context import AppContext
from ..widgets.pdf_preview import PdfPreview

KINDS = (
    catalogue.MONTHLY,
    catalogue.PROVIDER,
    catalogue.INSPECTION,
    catalogue.COMMISSIONER,
    catalogue.ACTION_PLAN,
    catalogue.MINUTES,
    catalogue.FORM,
)
HELP = {
    catalogue.MONTHLY: "Actions, measures with SPC charts, evidence, incidents, observations, "
    "audits and governance for one home and month.",
    catalogue.PROVIDER: "Every home side by side for the month, for the provider's governance.",
    catalogue.INSPECTION: "By key question and quality statement: findings, actions, tested "
    "evidence, measures and oversight, with an evidence index (SHA-256).",
    catalogue.COMMISSIONER: "Trends, action updates, safeguarding, complaints, staffing and "
    "outcomes for a date range.",
    catalogue.ACTION_PLAN: "Per breached regulation: what is not met, what will be done, who, by "
    "when and how it is monitored.",
    catalogue.MINUTES: "The minutes of a governance meeting (drafts are marked as drafts).",
    catalogue.FORM: "Blank forms to print and fill in by hand: observations, audits, incident "
    "review and handover learning.",
}
NO_HOME = "(leave blank to write in)"
MONTHS_OFFERED = 24


class _JobSignals(QObject):
    sig_done = Signal(object, str, float, int)
    """Carries the PDF bytes, the file name, the seconds it took and how many alerts were newly
    raised by checking the triggers first."""

    sig_failed = Signal(str, str)
    """Carries the message for the user and the field it is about ("" if none)."""


class ReportJob(QRunnable):
    """Makes one document on a worker thread with its own read-only session."""

    def __init__(self, db: Database, request: DocumentRequest, today: date, label: str) -> None:
        super().__init__()
        self.db, self.request, self.today, self.label = db, request, today, label
        self.signals = _JobSignals()
        # The tab keeps the job until its signal arrives; the pool must not delete it first.
        self.setAutoDelete(False)

    def run(self) -> None:
        started = time.perf_counter()
        try:
            raised = catalogue.refresh_alerts(self.db, self.request, self.today)
            with self.db.reading() as session:
                pdf = catalogue.generate(
                    session,
                    self.request,
                    today=self.today,
                    attachments_dir=self.db.location.attachments_dir,
                    location=self.db.location,
                )
        except ValidationError as exc:
            field = next(iter(exc.errors), "")
            self.signals.sig_failed.emit(str(exc), field)
            return
        except ServiceError as exc:
            self.signals.sig_failed.emit(str(exc), "")
            return
        except Exception as exc:  # never a traceback in the window: say what failed
            self.signals.sig_failed.emit(
                f"The document could not be made ({type(exc).__name__}: {exc}).", ""
            )
            return
        self.signals.sig_done.emit(pdf, self.label, time.perf_counter() - started, raised)


class ReportsTab(QWidget):
    """Choose, generate, preview, print and save the printable documents."""

    title = "&Reports"

    sig_generated = Signal(int)
    """Carries the page count of the document just shown in the preview."""

    sig_failed = Signal(str)
    """Carries the message shown when a document could not be made."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("reportsTab")
        self.ctx = ctx
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._job: ReportJob | None = None
        self._describe = ""
        self._choices = DocumentChoices((), (), (), ())
        self._build()
        self._shortcuts()
        self.reload_choices()
        ctx.sig_data_changed.connect(self._on_data_changed)
        self.kinds.setCurrentRow(max(0, min(ui_state.load_int("reports/kind"), len(KINDS) - 1)))

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.kinds = QListWidget()
        self.kinds.setAccessibleName("Documents")
        for kind in KINDS:
            item = QListWidgetItem(catalogue.TITLES[kind])
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setToolTip(HELP[kind])
            self.kinds.addItem(item)
        self.kinds.currentRowChanged.connect(self._kind_changed)
        rows = self.kinds.sizeHintForRow(0) * len(KINDS) + 2 * self.kinds.frameWidth() + 4
        self.kinds.setFixedHeight(rows)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #5a5a5a;")

        self.home = self._combo("Care home")
        self.month = self._combo("Month")
        self.start = self._date_edit("From")
        self.end = self._date_edit("Until")
        self.plan = self._combo("Plan")
        self.meeting = self._combo("Meeting")
        self.form = self._combo("Form")
        options = QGroupBox("Options")
        self.options = QFormLayout(options)
        for label, widget in (
            # Mnemonics avoid the menus' and tabs' letters; rows never shown together may share.
            ("For&m", self.form),
            ("&Care home", self.home),
            ("&Month", self.month),
            ("Fr&om", self.start),
            ("Unti&l", self.end),
            ("P&lan", self.plan),
            ("&Meeting", self.meeting),
        ):
            self.options.addRow(label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setAccessibleName("Problem with the options")
        self.error.hide()

        self.generate_button = QPushButton("Ge&nerate")
        self.generate_button.setToolTip("Make the document (Ctrl+G)")
        self.generate_button.setAccessibleName("Generate the document")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: ReportLab gives no progress to report
        self.progress.setAccessibleName("Making the document")
        self.progress.setMaximumHeight(10)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Report status")

        left = QWidget()
        column = QVBoxLayout(left)
        kinds_box = QGroupBox("Document")
        QVBoxLayout(kinds_box).addWidget(self.kinds)
        column.addWidget(kinds_box)
        column.addWidget(self.help)
        column.addWidget(options)
        column.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(self.generate_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addStretch(1)
        left.setMinimumWidth(300)
        left.setMaximumWidth(440)

        self.preview = PdfPreview()
        self.preview.sig_saved.connect(lambda path: self.status.setText(f"Saved to {path}"))
        self.preview.sig_printed.connect(
            lambda n: self.status.setText(f"Sent {n} page{'s' if n != 1 else ''} to the printer.")
        )
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([360, 1000])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setMinimumContentsLength(18)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(self._clear_error)
        return combo

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        edit.dateChanged.connect(self._clear_error)
        return edit

    def _shortcuts(self) -> None:
        for keys, slot in (
            ("Ctrl+G", self.generate),
            ("Ctrl+P", self.preview.print_dialog),
            ("Ctrl+S", self.preview.save_dialog),
            ("Ctrl+Shift+O", self.preview.open_external),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            # Only while this tab is showing, so other tabs keep their own Ctrl+S.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # --- choices -----------------------------------------------------------------------------
    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service", "plan", "meeting", "minutes", "audit", "template", "settings"):
            self.reload_choices()

    def reload_choices(self) -> None:
        """Refill the lists from the database, keeping what was chosen where it still exists."""
        try:
            with self.ctx.db.reading() as session:
                self._choices = document_choices(session)
        except ServiceError as exc:
            self._show_error(str(exc))
            return
        c = self._choices
        self._fill(self.home, [(hid, name) for hid, name in c.homes])
        self._fill(self.plan, list(c.plans), empty="No plans yet")
        self._fill(self.meeting, list(c.meetings), empty="No meetings yet")
        self._fill(self.form, [(name, title) for name, title in c.forms])
        today = self.ctx.today()
        months = []
        first = date(today.year, today.month, 1)
        for _ in range(MONTHS_OFFERED):
            months.append((f"{first:%Y-%m}", first.strftime("%B %Y")))
            first = (first - timedelta(days=1)).replace(day=1)
        self._fill(self.month, months)
        if self.start.date() == QDate(2000, 1, 1):  # first time: the last three months
            self.end.setDate(QDate(today.year, today.month, today.day))
            self.start.setDate(QDate(today.year, today.month, today.day).addMonths(-3))
        self._kind_changed(self.kinds.currentRow())

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[object, str]], empty: str = "") -> None:
        kept = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for value, label in items:
            combo.addItem(label, value)
        if not items and empty:
            combo.addItem(empty, None)
        index = combo.findData(kept) if kept is not None else -1
        combo.setCurrentIndex(max(index, 0))
        combo.setEnabled(bool(items))
        combo.blockSignals(False)

    def _kind_changed(self, row: int) -> None:
        kind = self.current_kind()
        self.help.setText(HELP.get(kind, ""))
        ui_state.save_int("reports/kind", max(row, 0))
        wanted = {
            catalogue.MONTHLY: {self.home, self.month},
            catalogue.PROVIDER: {self.month},
            catalogue.INSPECTION: {self.home},
            catalogue.COMMISSIONER: {self.home, self.start, self.end},
            catalogue.ACTION_PLAN: {self.plan},
            catalogue.MINUTES: {self.meeting},
            catalogue.FORM: {self.form, self.home},
        }.get(kind, set())
        for widget in (
            self.form,
            self.home,
            self.month,
            self.start,
            self.end,
            self.plan,
            self.meeting,
        ):
            self.options.setRowVisible(widget, widget in wanted)
        # A blank form may leave the home to be written in by hand.
        has_blank = self.home.findData(None) >= 0
        if kind == catalogue.FORM and not has_blank:
            self.home.insertItem(0, NO_HOME, None)
        elif kind != catalogue.FORM and has_blank:
            self.home.removeItem(self.home.findData(None))
        self._clear_error()

    def current_kind(self) -> str:
        item = self.kinds.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else catalogue.MONTHLY

    def select_kind(self, kind: str) -> None:
        self.kinds.setCurrentRow(KINDS.index(kind))

    # --- generating --------------------------------------------------------------------------
    def current_request(self) -> tuple[DocumentRequest, str]:
        """The request the options describe, and a label for the file name and status line."""
        kind = self.current_kind()
        home = self.home.currentData()
        if kind == catalogue.FORM:
            name = self.form.currentData()
            return DocumentRequest(kind, form=name, service_id=home), self.form.currentText()
        if kind in (catalogue.MONTHLY, catalogue.PROVIDER):
            period = report_data.month_period(str(self.month.currentData() or ""))
            if kind == catalogue.PROVIDER:
                return DocumentRequest(kind, period=period), ""
            return DocumentRequest(kind, service_id=home, period=period), self.home.currentText()
        if kind == catalogue.COMMISSIONER:
            period = report_data.date_range(
                self.start.date().toPython(),  # type: ignore[arg-type]
                self.end.date().toPython(),  # type: ignore[arg-type]
            )
            return DocumentRequest(kind, service_id=home, period=period), self.home.currentText()
        if kind == catalogue.INSPECTION:
            return DocumentRequest(kind, service_id=home), self.home.currentText()
        if kind == catalogue.ACTION_PLAN:
            return DocumentRequest(kind, plan_id=self.plan.currentData()), ""
        return DocumentRequest(kind, meeting_id=self.meeting.currentData()), ""

    def generate(self) -> None:
        if self._job is not None:
            return
        try:
            request, label = self.current_request()
        except ValidationError as exc:
            self._show_error(str(exc), next(iter(exc.errors), ""))
            return
        name = catalogue.suggested_file_name(request, label)
        self._describe = catalogue.describe(request, label)
        job = ReportJob(self.ctx.db, request, self.ctx.today(), name)
        job.signals.sig_done.connect(self._done)
        job.signals.sig_failed.connect(self._failed)
        self._job = job
        self._busy(True)
        self.status.setText(f"Making the {catalogue.TITLES[request.kind].lower()}…")
        self.pool.start(job)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.generate_button.setEnabled(not busy)
        self.kinds.setEnabled(not busy)

    def _done(self, pdf: bytes, name: str, seconds: float, raised: int) -> None:
        self._job = None
        self._busy(False)
        if raised:
            self.ctx.sig_data_changed.emit("alert")
        pages = self.preview.show_pdf(pdf, name)
        self.status.setText(
            f"{self._describe}: {pages} page{'s' if pages != 1 else ''}, made in {seconds:.1f} s."
        )
        self.sig_generated.emit(pages)

    def _failed(self, message: str, field: str) -> None:
        self._job = None
        self._busy(False)
        self.status.setText("")
        self._show_error(message, field)
        self.sig_failed.emit(message)

    def _show_error(self, message: str, field: str = "") -> None:
        self.error.setText(message)
        self.error.show()
        widget = {
            "month": self.month,
            "start": self.start,
            "end": self.end,
            "service": self.home,
            "plan": self.plan,
            "meeting": self.meeting,
            "form": self.form,
        }.get(field)
        if widget is not None:
            widget.setFocus()

    def _clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
