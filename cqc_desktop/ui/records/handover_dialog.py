"""A handover record: who led it, who was there, the learning shared (with the incidents it came
from) and whether staff showed they understood it."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models import HandoverRecord, Incident
from ...models.enums import Shift
from ...services.errors import ServiceError, ValidationError
from ...services.records import logs
from ...services.records.incidents import share_incident_at_handover
from ...services.setup import people
from ..context import AppContext
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_people
from .common import fill_actions, keep_rows_compact

CHECKED = Qt.CheckState.Checked


class HandoverDialog(GuardedDialog):
    what = "handover record"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        handover_id: int | None,
        *,
        share: list[int] | None = None,
    ) -> None:
        super().__init__(
            parent, "New handover record" if handover_id is None else "Handover record"
        )
        self.ctx = ctx
        self.service_id = service_id
        self.handover_id = handover_id
        self.setMinimumSize(660, 560)
        self.form = Form()
        self.day = DateEdit(ctx.today())
        self.shift = combo_of([(s.value, s.value) for s in Shift])
        self.lead = QComboBox()
        self.staff = QListWidget()
        self.staff.setAccessibleName("Staff present")
        self.others = QLineEdit()
        self.others.setPlaceholderText("Agency or bank staff, separated by commas")
        self.learning = text_box(4, "What staff were told")
        self.incidents = QListWidget()
        self.incidents.setAccessibleName("Incident learning shared here")
        self.understood = QCheckBox("Understanding checked: staff explained the learning back")
        self.action = QComboBox()
        f = self.form
        f.add_field("handover_date", "&Date:", self.day)
        f.add_field("shift", "S&hift:", self.shift)
        f.add_field("lead_id", "&Led by:", self.lead)
        staff = QWidget()
        sl = QVBoxLayout(staff)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.staff)
        sl.addWidget(self.others)
        f.add_field("staff_present", "Staff &present:", staff)
        f.add_field(
            "handover_id",
            "&Incident learning:",
            self.incidents,
            hint="Tick an incident to share its learning point here.",
            aliases=("learning_point",),
        )
        f.add_field("learning_points", "Learning &points:", self.learning)
        f.add_field("understanding_checked", "", self.understood)
        f.add_field("action_id", "Linked &action:", self.action)
        keep_rows_compact(f, grow=self.learning)
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self._shared_before: set[int] = set()
        with ctx.db.reading() as session:
            self._load(session, share or [])
        self.incidents.itemChanged.connect(self._ticked)
        self.mark_clean()

    def _load(self, session: Session, share: list[int]) -> None:
        handover = session.get(HandoverRecord, self.handover_id) if self.handover_id else None
        names = [p.name for p in people.list_people(session, service_id=self.service_id)]
        present = set()
        if handover is not None:
            self.day.set_value(handover.handover_date)
            select_data(self.shift, handover.shift)
            present = {n.strip() for n in handover.staff_present.split(",") if n.strip()}
            self.learning.setPlainText(handover.learning_points)
            self.understood.setChecked(handover.understanding_checked)
        fill_people(
            self.lead,
            session,
            self.service_id,
            blank="(choose)",
            selected=handover.lead_id if handover else None,
        )
        if handover is None or handover.lead_id is None:
            self.lead.setCurrentIndex(0)
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(CHECKED if name in present else Qt.CheckState.Unchecked)
            self.staff.addItem(item)
        self.others.setText(", ".join(sorted(present - set(names))))
        # Names in columns, like the signing sheet on a handover form.
        self.staff.setFlow(QListView.Flow.LeftToRight)
        self.staff.setWrapping(True)
        self.staff.setResizeMode(QListView.ResizeMode.Adjust)
        widest = max((self.staff.fontMetrics().horizontalAdvance(n) for n in names), default=80)
        row_height = self.staff.sizeHintForRow(0) if names else 20
        self.staff.setGridSize(QSize(widest + 44, row_height + 2))
        self.staff.setFixedHeight((row_height + 2) * 5 + 8)
        fill_actions(
            self.action, session, self.service_id, handover.action_id if handover else None
        )
        day = handover.handover_date if handover else self.ctx.today()
        rows = session.scalars(
            select(Incident)
            .where(
                Incident.service_id == self.service_id,
                Incident.learning_point != "",
                or_(
                    Incident.id.in_(share),
                    Incident.handover_id.is_(None) & (Incident.occurred_at >= _start(day)),
                    Incident.handover_id == (self.handover_id or -1),
                ),
            )
            .order_by(Incident.occurred_at.desc())
        )
        for incident in rows:
            item = QListWidgetItem(
                f"{incident.reference} ({uk_date(incident.occurred_at)}): {incident.learning_point}"
            )
            item.setData(Qt.ItemDataRole.UserRole, incident.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, incident.learning_point)
            item.setData(Qt.ItemDataRole.UserRole + 2, incident.reference)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            shared_here = self.handover_id is not None and incident.handover_id == self.handover_id
            if shared_here:
                self._shared_before.add(incident.id)
            item.setCheckState(
                CHECKED if shared_here or incident.id in share else Qt.CheckState.Unchecked
            )
            self.incidents.addItem(item)
        self.incidents.setMaximumHeight(self.incidents.sizeHintForRow(0) * 4 + 6 if rows else 40)
        for n in range(self.incidents.count()):
            item = self.incidents.item(n)
            if item.checkState() == CHECKED:
                self._ticked(item)

    def _ticked(self, item: QListWidgetItem) -> None:
        """Ticking an incident puts its learning point in the text, so staff see what they heard."""
        if item.checkState() != CHECKED:
            return
        point = item.data(Qt.ItemDataRole.UserRole + 1)
        text = self.learning.toPlainText()
        if point and point not in text:
            line = f"{item.data(Qt.ItemDataRole.UserRole + 2)}: {point}"
            self.learning.setPlainText("\n".join(filter(None, [text.strip(), line])))

    def staff_present(self) -> str:
        ticked = [
            self.staff.item(n).text()
            for n in range(self.staff.count())
            if self.staff.item(n).checkState() == CHECKED
        ]
        others = [n.strip() for n in self.others.text().split(",") if n.strip()]
        return ", ".join(ticked + others)

    def ticked_incidents(self) -> list[int]:
        return [
            int(self.incidents.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.incidents.count())
            if self.incidents.item(n).checkState() == CHECKED
        ]

    def state(self) -> Hashable:
        return (
            self.day.value(),
            self.shift.currentData(),
            self.lead.currentData(),
            self.staff_present(),
            self.learning.toPlainText(),
            tuple(self.ticked_incidents()),
            self.understood.isChecked(),
            self.action.currentData(),
        )

    def save(self) -> bool:
        args = (
            self.day.value(),
            self.shift.currentData(),
            self.lead.currentData(),
            self.staff_present(),
            self.learning.toPlainText(),
            self.understood.isChecked(),
            self.action.currentData(),
        )
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.handover_id is None:
                    handover = logs.record_handover(session, self.service_id, *args)
                else:
                    handover = logs.update_handover(session, self.handover_id, *args)
                for incident_id in self.ticked_incidents():
                    if incident_id not in self._shared_before:
                        share_incident_at_handover(
                            session, incident_id, handover.id, today=self.ctx.today()
                        )
                saved = handover.id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Handover record", exc)
            return False
        self.handover_id = saved
        self.sig_saved.emit(saved)
        return True


def _start(day: object) -> object:
    from datetime import date, datetime, time

    assert isinstance(day, date)
    return datetime.combine(day - timedelta(days=30), time.min)
