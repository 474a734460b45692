"""The dashboard's alerts panel: triggers that fired, acknowledged with a note (never deleted)."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date, uk_datetime
from ...models.enums import AlertKind
from ...services.errors import ServiceError, ValidationError
from ...services.plans import alerts
from ...services.plans.alerts import AlertRow
from ...services.setup import people
from ..context import AppContext
from ..widgets.forms import (
    Form,
    GuardedDialog,
    combo_of,
    compact_rows,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.table_models import ID_ROLE, Column, RowsModel

CONCERN = QBrush(QColor("#b3261e"))
SHORT_KIND = {
    AlertKind.SPECIAL_CAUSE_CONCERN.value: "Measure: concern",
    AlertKind.WORSENING.value: "Measure: worsening",
    AlertKind.REVIEW_OVERDUE.value: "Review overdue",
    AlertKind.NOT_MET.value: "Not met",
    AlertKind.REPEAT_INCIDENT.value: "Repeat incident",
}


class AcknowledgeDialog(GuardedDialog):
    """Acknowledge an alert: who, and what is being done about it (the note is kept)."""

    what = "acknowledgement"

    def __init__(
        self,
        ctx: AppContext,
        alert: AlertRow,
        *,
        service_id: int | None,
        person_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, "Acknowledge alert")
        self.ctx = ctx
        self.alert_id = alert.alert_id
        with ctx.db.reading() as session:
            staff = [
                (f"{p.name} — {p.role}" if p.role else p.name, p.id)
                for p in people.list_people(session, service_id=service_id)
            ]
        about = QLabel(
            f"<b>{alert.kind}</b> (raised {uk_date(alert.raised_on)})<br>{alert.message}"
            + (f"<br>Action: {alert.action}" if alert.action else "")
        )
        about.setWordWrap(True)
        self.person = combo_of(staff, blank="Choose who is acknowledging…")
        select_data(self.person, person_id)
        if self.person.currentIndex() < 0:
            self.person.setCurrentIndex(0)
        self.note = text_box(3, "What is being done about it")
        self.form = Form()
        self.form.add_field("by", "Acknowledged &by:", self.person)
        self.form.add_field("note", "&Note:", self.note)
        self.save_button.setText("Acknowledge")
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(560, 0)
        self.mark_clean()

    def state(self) -> Hashable:
        return (self.person.currentData(), self.note.toPlainText())

    def save(self) -> bool:
        try:
            with self.ctx.unit_of_work() as session:
                alerts.acknowledge(
                    session, self.alert_id, self.note.toPlainText(), self.person.currentData()
                )
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.ctx.sig_data_changed.emit("alert")
        self.sig_saved.emit(self.alert_id)
        return True


class AlertsPanel(QGroupBox):
    """Open alerts (or, ticked, the acknowledged ones with their notes)."""

    sig_open_action = Signal(int)
    """Carries the id of the action an alert is about (Enter or double-click)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("Alerts")
        self.ctx = ctx
        self.service_id: int | None = None
        self.person_id: int | None = None
        self.model: RowsModel[AlertRow] = RowsModel(
            [
                Column("Raised", lambda r: uk_date(r.raised_on)),
                Column("Alert", lambda r: SHORT_KIND.get(r.kind, r.kind), tooltip=lambda r: r.kind),
                Column("Action", lambda r: r.action or "—", tooltip=lambda r: r.action),
                Column("What happened", lambda r: r.message, tooltip=lambda r: r.message),
                Column(
                    "Acknowledged",
                    lambda r: (
                        f"{uk_datetime(r.acknowledged_at)} {r.acknowledged_by}: {r.note}"
                        if r.acknowledged_at
                        else ""
                    ),
                    tooltip=lambda r: r.note,
                ),
            ],
            lambda r: r.alert_id,
            foreground=lambda r, c: CONCERN if c == 1 and not r.acknowledged_at else None,
        )
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Alerts")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        compact_rows(self.view)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.empty = QLabel("No alerts need attention.")
        self.empty.setStyleSheet("color: #555;")
        self.ack_button = QPushButton("Ac&knowledge…")
        self.ack_button.setToolTip("Record what is being done; the alert is kept")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.show_done = QCheckBox("Show acknowledged")
        self.show_done.toggled.connect(lambda _on: self.refresh())
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        buttons.addWidget(self.show_done)
        buttons.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        with self.ctx.db.reading() as session:
            if self.show_done.isChecked():
                rows = alerts.acknowledged_alerts(session, self.service_id)
            else:
                rows = alerts.open_alerts(session, self.service_id)
        self.model.set_rows(rows)
        done = self.show_done.isChecked()
        self.view.setColumnHidden(4, not done)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(3 if not done else 4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4 if not done else 3, QHeaderView.ResizeMode.Interactive)
        self.view.setColumnWidth(2, 180)
        if done:
            self.view.setColumnWidth(3, 320)
        self.empty.setText("Nothing acknowledged yet." if done else "No alerts need attention.")
        self.empty.setVisible(not rows)
        self.ack_button.setEnabled(bool(rows) and not done)
        self.setTitle(f"Alerts ({len(rows)})" if rows and not done else "Alerts")

    def selected(self) -> AlertRow | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_alert(self, alert_id: int) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.index(row, 0).data(ID_ROLE) == alert_id:
                self.view.selectRow(row)
                return True
        return False

    def _activated(self) -> None:
        row = self.selected()
        if row is not None and row.action_id is not None:
            self.sig_open_action.emit(row.action_id)

    def acknowledge_selected(self) -> AcknowledgeDialog | None:
        row = self.selected()
        if row is None and self.model.rowCount():
            self.view.selectRow(0)
            row = self.selected()
        if row is None or row.acknowledged_at is not None:
            return None
        dialog = AcknowledgeDialog(
            self.ctx, row, service_id=self.service_id, person_id=self.person_id, parent=self
        )
        dialog.open()
        return dialog
