"""The dashboard's "Records overdue" list: complaint acknowledgements and responses not given by
their working-day deadline, notifications (CQC, safeguarding, RIDDOR, duty of candour) not
made by their due date, and staff whose supervision or competency check is overdue. Enter or double-click opens the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...formatting import days_phrase, uk_date
from ...services.records import complaints, notifications, supervision
from ..context import AppContext
from ..widgets.table_models import RED, Column, RowsModel
from .widgets import ActionTableView, size_columns

SAMPLES = (
    "CMP-2026-0000",
    "Acknowledgement",
    "Complaint: Care and support",
    "30/11/2026",
    "99 days overdue",
)


@dataclass(frozen=True)
class OverdueRecord:
    record_id: int
    kind: str  # what the record is, e.g. "complaint"
    reference: str
    step: str
    about: str
    due: date
    days_overdue: int
    service: str


class RecordsOverdue(QWidget):
    """Overdue steps on records, for one home or all of them."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model: RowsModel[OverdueRecord] = RowsModel(
            [
                Column("Ref", lambda r: r.reference, tooltip=lambda r: r.service),
                Column("Overdue step", lambda r: r.step),
                Column("About", lambda r: r.about, tooltip=lambda r: r.about),
                Column("Was due", lambda r: uk_date(r.due)),
                Column("Overdue by", lambda r: days_phrase(r.days_overdue)),
            ],
            lambda r: r.record_id,
            foreground=lambda r, c: RED if c == 4 else None,
        )
        self.view = ActionTableView(self.model, "Records overdue")
        size_columns(self.view, SAMPLES, 2)
        # The view asks to open "an action" by id; here the id is the record's.
        self.view.sig_open_action.connect(lambda _id: self.open_current())
        self.empty = QLabel("No complaint reply, notification or supervision is overdue.")
        self.empty.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)

    def refresh(self, today: date, service_id: int | None) -> int:
        """Read the overdue steps afresh; returns how many there are."""
        with self.ctx.db.reading() as session:
            rows = [
                OverdueRecord(
                    o.complaint_id,
                    "complaint",
                    o.reference,
                    o.step,
                    f"Complaint: {o.category}",
                    o.due,
                    o.days_overdue,
                    o.service,
                )
                for o in complaints.overdue(session, today, service_id)
            ]
            rows += [
                OverdueRecord(
                    m.incident_id,
                    "incident",
                    m.reference,
                    "Notification",
                    m.name,
                    m.due,
                    m.days_overdue,
                    m.service,
                )
                for m in notifications.overdue(session, today, service_id)
            ]
            rows += [
                OverdueRecord(
                    d.person_id,
                    "supervision",
                    d.person,
                    d.kind,
                    f"Last held {uk_date(d.last_held)}" + (f" ({d.role})" if d.role else ""),
                    d.next_due,
                    d.days_overdue,
                    d.service,
                )
                for d in supervision.due_list(session, today, service_id)
                if d.overdue
            ]
        rows.sort(key=lambda r: (r.due, r.reference))
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        return len(rows)

    def open_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        row = self.model.row_at(index.row())
        if row.kind == "complaint":
            from ..records.complaint_dialog import ComplaintDialog

            with self.ctx.db.reading() as session:
                service_id = complaints.get_complaint(session, row.record_id).service_id
            dialog = ComplaintDialog(self, self.ctx, service_id, row.record_id)
            if dialog.exec():
                self.ctx.sig_data_changed.emit("complaint")
        elif row.kind == "incident":
            from ..records.incident_dialog import IncidentDialog

            incident = IncidentDialog(self, self.ctx, None, row.record_id)
            if incident.exec() or incident.changed:
                self.ctx.sig_data_changed.emit("incident")
