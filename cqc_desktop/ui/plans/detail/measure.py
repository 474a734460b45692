"""The Measure tab of an action: set up the measure, read the XmR chart, and enter or correct
points in place (points worked out from tracker records are shown but cannot be typed over)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ....formatting import number, uk_date
from ....models import Action, Measure, MeasurePoint
from ....models.enums import Direction, MeasureFrequency, TargetKind
from ....services.errors import ServiceError
from ....services.plans import measure_data
from ....services.plans.closure import gate_settings
from ....services.plans.measures import target_value
from ....services.plans.scheduling import cadence_proposal
from ....services.plans.spc import Assurance, Variation, spc_rules
from ...context import AppContext
from ...widgets.forms import DateEdit, ErrorLabel, ask, ask_reason, compact_rows, select_data
from ...widgets.measure_chart import ChartData, MeasureChart
from .measure_change import ChangeDialog
from .measure_dialog import MeasureDialog, parse_number

COL_PERIOD, COL_VALUE, COL_NOTE, COL_READING = range(4)
PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1
POINT_ROLE = Qt.ItemDataRole.UserRole + 2
DERIVED_BRUSH = QBrush(QColor("#666666"))
READING_BRUSH = {"Improvement": QBrush(QColor("#1f6fb4")), "Concern": QBrush(QColor("#c25e00"))}


class MeasurePanel(QWidget):
    """Chart on the left, points on the right, the measure's definition above."""

    sig_changed = Signal()
    """Emitted after a point or the measure was saved (the detail reloads)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.action_id: int | None = None
        self.measure_id: int | None = None
        self.frequency = MeasureFrequency.WEEKLY.value
        self._loading = False
        self.measure_combo = QComboBox()
        self.measure_combo.setAccessibleName("Measure")
        self.measure_combo.currentIndexChanged.connect(self._measure_chosen)
        self.new_button = QPushButton("New &measure…")
        self.edit_button = QPushButton("Edit measure…")
        self.change_button = QPushButton("Mark a &change…")
        self.change_button.setToolTip(
            "Record the date a change was made: the chart's limits are worked out again from "
            "there once the points after it show a lasting shift."
        )
        self.change_button.clicked.connect(self.open_change_dialog)
        self.new_button.clicked.connect(lambda: self.open_measure_dialog(None))
        self.edit_button.clicked.connect(lambda: self.open_measure_dialog(self.measure_id))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Measure summary")
        self.chart = MeasureChart()
        self.chart.sig_point_clicked.connect(self.select_period)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Period from", "Value", "Note", "Reading"])
        self.table.setAccessibleName("Measure points")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        compact_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._cell_edited)

        self.new_period = DateEdit(ctx.today())
        self.new_period.setAccessibleName("New point: period from")
        self.new_value = QLineEdit()
        self.new_value.setAccessibleName("New point: value")
        self.new_value.setPlaceholderText("Value")
        self.new_value.setMaximumWidth(90)
        self.new_note = QLineEdit()
        self.new_note.setAccessibleName("New point: note")
        self.new_note.setPlaceholderText("Note (optional)")
        self.add_button = QPushButton("A&dd point")
        self.add_button.clicked.connect(self.add_point)
        self.new_value.returnPressed.connect(self.add_point)
        self.new_note.returnPressed.connect(self.add_point)
        self.delete_button = QPushButton("Delete point")
        self.delete_button.clicked.connect(self.delete_selected_point)
        self.point_error = ErrorLabel()
        self.point_error.setAccessibleName("Point problem")

        top = QHBoxLayout()
        self.measure_label = QLabel("Measure:")
        top.addWidget(self.measure_label)
        top.addWidget(self.measure_combo, 1)
        top.addWidget(self.summary, 4)
        top.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignTop)

        points = QWidget()
        col = QVBoxLayout(points)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.table, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_period)
        add_row.addWidget(self.new_value)
        add_row.addWidget(self.new_note, 1)
        col.addLayout(add_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        col.addLayout(buttons)
        col.addWidget(self.point_error)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        col.addWidget(self.hint)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(points)
        # The chart is what proves the change worked: it gets most of the width.
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([900, 340])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # --- loading ---------------------------------------------------------------------------
    def load(self, session: Session, action: Action) -> None:
        self.action_id = action.id
        measures = measure_data.measures_for(session, action.id)
        self._loading = True
        keep = self.measure_id
        self.measure_combo.clear()
        for m in measures:
            self.measure_combo.addItem(m.name, m.id)
        ids = [m.id for m in measures]
        self.measure_id = keep if keep in ids else (ids[0] if ids else None)
        select_data(self.measure_combo, self.measure_id)
        self._loading = False
        self.measure_combo.setVisible(len(measures) > 1)
        self.measure_label.setVisible(len(measures) > 1)
        self.edit_button.setEnabled(self.measure_id is not None)
        self.change_button.setEnabled(self.measure_id is not None)
        measure = next((m for m in measures if m.id == self.measure_id), None)
        self._show_measure(session, measure)

    def _measure_chosen(self) -> None:
        if self._loading:
            return
        self.measure_id = self.measure_combo.currentData()
        with self.ctx.db.reading() as session:
            measure = session.get(Measure, self.measure_id) if self.measure_id else None
            self._show_measure(session, measure)

    def _show_measure(self, session: Session, measure: Measure | None) -> None:
        # A measure worked out from records takes no typed points: that would be double entry.
        typed = measure is not None and not measure.derivation
        self.table.setEnabled(measure is not None)
        for w in (self.new_period, self.new_value, self.new_note, self.add_button):
            w.setEnabled(typed)
        self.delete_button.setEnabled(typed)
        self.hint.setText(
            "Double-click a value or note to correct it."
            if typed
            else "Points are worked out from the records (trackers, incidents or observations); "
            "correct the records to change them."
            if measure is not None
            else ""
        )
        self.point_error.set_error("")
        if measure is None:
            self.summary.setText("No measure yet. Set one up: what number will show the change?")
            self.chart.set_data(None)
            self._fill_points([], None)
            return
        today = self.ctx.today()
        data = ChartData.from_measure(measure, today, spc_rules(session))
        self.frequency = measure.frequency
        goal = target_value(measure.baseline_value, measure.target_kind, measure.target_value)
        progress = measure_data.measure_progress(measure)
        better = "lower" if measure.direction == Direction.LOWER else "higher"
        relative = (
            f" ({number(measure.target_value)} % from baseline)"
            if measure.target_kind == TargetKind.RELATIVE
            else ""
        )
        by = f" by {uk_date(measure.target_date)}" if measure.target_date else ""
        source = f"Source: {measure.data_source}" if measure.data_source else ""
        latest = measure.points[-1] if measure.points else None
        latest_text = (
            f" Latest <b>{number(latest.value)}</b> ({uk_date(latest.period_start)})."
            if latest is not None
            else ""
        )
        progress_text = f" Progress: {progress.label}." if progress.latest is not None else ""
        self.summary.setText(
            f"Baseline <b>{number(measure.baseline_value)}</b> → target "
            f"<b>{number(goal)}</b>{relative}{by}; {better} is better; {measure.frequency}."
            f"{latest_text}{progress_text}{self._cadence(session, measure, data)}"
        )
        self.summary.setToolTip(
            "\n".join(t for t in (source, f"Baseline from: {measure.baseline_period}") if t)
        )
        self.chart.set_data(data)
        self._fill_points(list(measure.points), data)
        self.new_period.set_value(self._next_period(measure, today))

    @staticmethod
    def _cadence(session: Session, measure: Measure, data: ChartData) -> str:
        """A proposal to change the review cycle, when the reading supports one."""
        result = data.reading.result
        phase = result.current
        passing = phase.size if phase is not None and result.assurance is Assurance.PASS else 0
        slipped = bool(result.points) and result.points[-1].variation is Variation.CONCERN
        proposal = cadence_proposal(
            measure.action.review_frequency,
            measure.action.finding.risk_area,
            passing_points=passing,
            slipped=slipped,
            needed=gate_settings(session).sustained_points,
            period_word="months" if measure.frequency == MeasureFrequency.MONTHLY else "weeks",
        )
        return f" <b>{proposal}</b>" if proposal else ""

    def _next_period(self, measure: Measure, today: date) -> date:
        if not measure.points:
            return today - timedelta(days=today.weekday())
        last = measure.points[-1].period_start
        if measure.frequency == MeasureFrequency.MONTHLY:
            following = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            following = last + timedelta(days=7)
        # The next period has not started yet: offer the latest one, to correct it.
        return following if following <= today else last

    def _fill_points(self, points: list[MeasurePoint], data: ChartData | None) -> None:
        self._loading = True
        readings = {p.period: p for p in data.points} if data else {}
        self.table.setRowCount(0)
        # Newest first: the latest week is what a manager checks.
        for point in reversed(points):
            row = self.table.rowCount()
            self.table.insertRow(row)
            period = point.period_start
            derived = point.derived
            items = [
                QTableWidgetItem(uk_date(period)),
                QTableWidgetItem(number(point.value)),
                QTableWidgetItem(point.note),
                QTableWidgetItem(""),
            ]
            reading = readings.get(period)
            if reading is not None:
                text = self.chart.describe_point(reading)
                kind = text.split(" (")[0]
                items[COL_READING].setText(kind)
                items[COL_READING].setToolTip(text)
                brush = READING_BRUSH.get(kind)
                if brush is not None:
                    items[COL_READING].setForeground(brush)
            for col, item in enumerate(items):
                item.setData(PERIOD_ROLE, period)
                item.setData(POINT_ROLE, point.id)
                editable = col in (COL_VALUE, COL_NOTE) and not derived
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if editable:
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                if derived:
                    item.setForeground(DERIVED_BRUSH)
                    item.setToolTip("Worked out from tracker records: correct the records instead.")
                if col == COL_VALUE:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self._loading = False

    def select_period(self, period: date) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_PERIOD)
            if item is not None and item.data(PERIOD_ROLE) == period:
                self.table.selectRow(row)
                self.table.scrollToItem(item)
                return

    # --- changes ---------------------------------------------------------------------------
    def open_measure_dialog(self, measure_id: int | None) -> MeasureDialog | None:
        if self.action_id is None:
            return None
        dialog = MeasureDialog(self.ctx, self.action_id, measure_id, parent=self)
        dialog.sig_saved.connect(self._measure_saved)
        dialog.open()
        return dialog

    def open_change_dialog(self) -> ChangeDialog | None:
        if self.measure_id is None:
            return None
        dialog = ChangeDialog(self.ctx, self.measure_id, parent=self)
        dialog.sig_saved.connect(lambda _id: self.sig_changed.emit())
        dialog.open()
        return dialog

    def _measure_saved(self, measure_id: int) -> None:
        self.measure_id = measure_id
        self.sig_changed.emit()

    def add_point(self) -> bool:
        if self.measure_id is None:
            return False
        value = parse_number(self.new_value.text())
        if value is None:
            self.point_error.set_error("Enter the value as a number.")
            self.new_value.setFocus()
            return False
        period = self.new_period.value()
        if period > self.ctx.today():
            self.point_error.set_error("A point cannot be for a period that has not started.")
            return False
        if not self._save_point(period, value, self.new_note.text()):
            return False
        self.new_value.clear()
        self.new_note.clear()
        self.new_value.setFocus()
        return True

    def _save_point(self, period: date, value: float, note: str, replace: bool = False) -> bool:
        assert self.measure_id is not None
        try:
            with self.ctx.unit_of_work() as session:
                existing = next(
                    (
                        p
                        for p in measure_data.get_measure(session, self.measure_id).points
                        if p.period_start == period
                    ),
                    None,
                )
                measure_data.record_point(
                    session,
                    self.measure_id,
                    period,
                    value,
                    note,
                    numerator=existing.numerator if existing else None,
                    denominator=existing.denominator if existing else None,
                    replace=replace,
                )
        except measure_data.SamePeriod as exc:
            if not replace and ask(self, "Replace point", str(exc)):
                return self._save_point(period, value, note, replace=True)
            self.point_error.set_error(str(exc).removesuffix(" Replace it?") + " Not added.")
            return False
        except ServiceError as exc:
            self.point_error.set_error(str(exc))
            return False
        self.point_error.set_error("")
        self.ctx.sig_data_changed.emit("measure")
        self.sig_changed.emit()
        return True

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() not in (COL_VALUE, COL_NOTE):
            return
        row = item.row()
        period = item.data(PERIOD_ROLE)
        value_item = self.table.item(row, COL_VALUE)
        note_item = self.table.item(row, COL_NOTE)
        if value_item is None or note_item is None:
            return
        value = parse_number(value_item.text())
        if value is None:
            message = f"The value for {uk_date(period)} must be a number; it was not changed."
            QTimer.singleShot(0, lambda: (self._reload(), self.point_error.set_error(message)))
            return
        note = note_item.text()
        # Saved once the table has finished emitting: the reload that follows rebuilds it.
        QTimer.singleShot(0, lambda: self._save_point(period, value, note) or self._reload())

    def _reload(self) -> None:
        with self.ctx.db.reading() as session:
            measure = session.get(Measure, self.measure_id) if self.measure_id else None
            self._show_measure(session, measure)

    def delete_selected_point(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, COL_PERIOD) if row >= 0 else None
        if item is None:
            self.point_error.set_error("Select the point to withdraw first.")
            return
        reason = ask_reason(
            self,
            "Withdraw point",
            f"Why is the point for {item.text()} being withdrawn?\n\nIt is kept, with your "
            "reason, in the withdrawals register.",
        )
        if reason is None:
            return
        try:
            with self.ctx.unit_of_work() as session:
                measure_data.withdraw_point(session, item.data(POINT_ROLE), reason)
        except ServiceError as exc:
            self.point_error.set_error(str(exc))
            return
        self.ctx.sig_data_changed.emit("measure")
        self.sig_changed.emit()
