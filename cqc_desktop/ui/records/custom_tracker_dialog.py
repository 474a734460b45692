"""A manager's own tracker: its name and columns (date, time, text, number, yes/no, choice list or
person), made without code. A column that already holds values keeps its type."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError, ValidationError
from ...services.records import trackers
from ...services.records.tracker_values import COLUMN_TYPES
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, report_problem, text_box
from ..widgets.signed_in import actor_of
from .common import action_combo, button, keep_rows_compact

TYPE_LABELS = {
    "date": "Date",
    "time": "Time",
    "text": "Text",
    "number": "Number",
    "yes/no": "Yes/No",
    "choice": "Choice list",
    "person": "Person (staff list)",
}
LABEL, TYPE, CHOICES, REQUIRED = range(4)
BAD = QBrush(QColor("#f8d7d5"))


class CustomTrackerDialog(GuardedDialog):
    what = "tracker"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        tracker_id: int | None = None,
    ) -> None:
        super().__init__(parent, "New tracker" if tracker_id is None else "Change tracker")
        self.ctx = ctx
        self.service_id = service_id
        self.tracker_id = tracker_id
        self.saved_id: int | None = None
        self.setMinimumSize(720, 520)
        self.name = QLineEdit()
        self.description = text_box(2, "What one row records, and when to add one")
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Columns")
        self.table.setHorizontalHeaderLabels(
            ["Column label", "Type", "Choices (comma separated)", "Must be filled in"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CHOICES, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(REQUIRED, QHeaderView.ResizeMode.ResizeToContents)
        self.form = Form()
        self.form.add_field("name", "&Name:", self.name)
        self.form.add_field("description", "&Description:", self.description)
        columns_box = QWidget()
        cv = QVBoxLayout(columns_box)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.table)
        row = QHBoxLayout()
        for widget in (
            button("&Add column", self.add_column),
            button("&Remove column", self.remove_column),
            button("Move &up", lambda: self.move(-1)),
            button("Move do&wn", lambda: self.move(1)),
        ):
            row.addWidget(widget)
        row.addStretch(1)
        cv.addLayout(row)
        self.form.add_field(
            "columns",
            "&Columns:",
            columns_box,
            hint="The first date column dates each row; weekly counts use it.",
        )
        with ctx.db.reading() as session:
            tracker = trackers.get_tracker(session, tracker_id) if tracker_id else None
            self.action = action_combo(session, service_id, tracker.action_id if tracker else None)
            if tracker is not None:
                self.name.setText(tracker.name)
                self.description.setPlainText(tracker.description)
                self._keys = [c["key"] for c in tracker.columns]
                for column in tracker.columns:
                    self.add_column(column)
            else:
                self._keys = []
                self.add_column({"label": "Date", "type": "date", "required": True})
        if tracker_id is None:
            self.form.add_field("action_id", "Linked &action:", self.action)
        keep_rows_compact(self.form, grow=self.table)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.mark_clean()

    def add_column(self, column: dict[str, Any] | None = None) -> None:
        column = column or {"label": "", "type": "text"}
        row = self.table.rowCount()
        self.table.insertRow(row)
        label = QTableWidgetItem(column.get("label", ""))
        label.setData(Qt.ItemDataRole.UserRole, column.get("key"))
        self.table.setItem(row, LABEL, label)
        kind = QComboBox()
        for value in COLUMN_TYPES:
            kind.addItem(TYPE_LABELS[value], value)
        kind.setCurrentIndex(max(0, kind.findData(column.get("type", "text"))))
        kind.setAccessibleName(f"Type of column {row + 1}")
        self.table.setCellWidget(row, TYPE, kind)
        self.table.setItem(row, CHOICES, QTableWidgetItem(", ".join(column.get("choices", []))))
        required = QTableWidgetItem()
        required.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        required.setCheckState(
            Qt.CheckState.Checked if column.get("required") else Qt.CheckState.Unchecked
        )
        self.table.setItem(row, REQUIRED, required)
        if not column.get("label"):
            self.table.setCurrentCell(row, LABEL)
            self.table.editItem(label)

    def remove_column(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        columns = self.columns()
        columns[row], columns[target] = columns[target], columns[row]
        self.table.setRowCount(0)
        for column in columns:
            self.add_column(column)
        self.table.setCurrentCell(target, LABEL)

    def columns(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.table.rowCount()):
            label = self.table.item(row, LABEL)
            kind = self.table.cellWidget(row, TYPE)
            choices = self.table.item(row, CHOICES)
            required = self.table.item(row, REQUIRED)
            column: dict[str, Any] = {
                "label": label.text() if label else "",
                "type": kind.currentData() if isinstance(kind, QComboBox) else "text",
                "required": required is not None and required.checkState() == Qt.CheckState.Checked,
            }
            key = label.data(Qt.ItemDataRole.UserRole) if label else None
            if key:
                column["key"] = key  # an existing column keeps its key, so its values stay
            parts = [c.strip() for c in (choices.text() if choices else "").split(",") if c.strip()]
            if parts:
                column["choices"] = parts
            out.append(column)
        return out

    def state(self) -> Hashable:
        return (
            self.name.text(),
            self.description.toPlainText(),
            repr(self.columns()),
            self.action.currentData(),
        )

    def _mark_rows(self, errors: dict[str, str]) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, LABEL)
            if item is not None:
                item.setBackground(BAD if f"columns.{row + 1}" in errors else QBrush())

    def save(self) -> bool:
        columns = self.columns()
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.tracker_id is None:
                    tracker = trackers.create_custom_tracker(
                        session,
                        self.service_id,
                        self.name.text(),
                        columns,
                        self.action.currentData(),
                        self.description.toPlainText(),
                    )
                else:
                    tracker = trackers.update_custom_tracker(
                        session,
                        self.tracker_id,
                        self.name.text(),
                        columns,
                        self.description.toPlainText(),
                    )
                self.saved_id = tracker.id
        except ValidationError as error:
            self._mark_rows(error.errors)
            merged = dict(error.errors)
            rows = [m for k, m in merged.items() if k.startswith("columns.")]
            merged = {k: m for k, m in merged.items() if not k.startswith("columns.")}
            if rows:
                merged["columns"] = " ".join([merged.get("columns", ""), *rows]).strip()
            self.show_validation(self.form, ValidationError(merged))
            return False
        except ServiceError as exc:
            report_problem(self, "Tracker", exc)
            return False
        return True
