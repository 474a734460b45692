"""Incidents tab: log incidents, review them the same day, share the learning at handover and
check it within 7 days. Late 7-day learning is highlighted in red."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QLabel, QVBoxLayout, QWidget

from ...models.enums import IncidentType, Supports
from ...services.errors import ServiceError
from ...services.records import incidents
from ...services.records.listing import (
    INCIDENT_STATES,
    IncidentQuery,
    action_choices,
    incident_counts,
)
from ...services.setup import people
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import inform, report_problem
from ..widgets.signed_in import (
    actor_of,
    can,
    enable_or_explain,
    fill_homes,
    muted,
    nothing_yet,
    why_disabled,
)
from .common import FilterBar, bring_records_up_to_date, button
from .incident_list import IncidentList

REFRESH_ON = {"*", "incident", "handover", "service", "action", "evidence"}


class IncidentsTab(QWidget):
    title = "&Incidents"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("incidentsTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.filters = FilterBar("Reference, person, place or words")
        self.kind = QComboBox()
        self.kind.addItem("Any type", "")
        for t in IncidentType:
            self.kind.addItem(t.value, t.value)
        self.kind.setAccessibleName("Type of incident")
        self.state = QComboBox()
        for key, label in INCIDENT_STATES.items():
            self.state.addItem(label, key)
        self.state.setAccessibleName("Show")
        self.list = IncidentList(ctx)
        self.summary = muted()
        # What the summary and the homes picker last showed: F5 and every filter reload them, and
        # setting a label's text or style sheet again re-lays out and repaints the whole tab.
        self._summary_shown: tuple[str, bool] | None = None
        self._homes_shown: tuple[tuple[int, str], ...] | None = None
        self._build()
        self.home.currentIndexChanged.connect(lambda _i: self.reload())
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.state.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.sig_changed.connect(self.reload)
        self.list.sig_open.connect(self.open_incident)
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._on_database_opened)
        self._load_homes()

    def _build(self) -> None:
        top = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        top.addWidget(caption)
        top.addWidget(self.home, 1)
        top.addWidget(QLabel("Type:"))
        top.addWidget(self.kind)
        caption = QLabel("Sho&w:")
        caption.setBuddy(self.state)
        top.addWidget(caption)
        top.addWidget(self.state)
        top.addStretch(1)
        self.new_button = button("&New incident…", self.new_record, tip="Log an incident (Ctrl+N)")
        self.open_button = button("&Open / review…", self.open_current)
        self.share_button = button("Share learning at handover…", self.share_at_handover)
        self.evidence_button = button("Use as evi&dence…", self.add_as_evidence)
        self.measure_button = button("New &measure from incidents…", self.new_measure)
        self.export_button = button("E&xport…", self.list.export, tip="Export the incidents shown")
        actions = QHBoxLayout()
        for widget in (
            self.new_button,
            self.open_button,
            self.share_button,
            self.evidence_button,
            self.measure_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(actions)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.summary)

    def _on_database_opened(self) -> None:
        self._homes_shown = None  # another database: its homes, whatever their names
        self._load_homes()

    def _load_homes(self) -> None:
        bring_records_up_to_date(self.ctx)
        with self.ctx.db.reading() as session:
            # Refill the picker only when the homes changed: refilling it re-lays out the tab.
            homes = tuple((s.id, s.name) for s in people.list_services(session))
            if homes != self._homes_shown:
                fill_homes(self.home, session, all_label="All care homes")
                self._homes_shown = homes
        self.reload()

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def query(self) -> IncidentQuery:
        return IncidentQuery(
            self.service_id(),
            self.ctx.today(),
            search=self.filters.text(),
            incident_type=self.kind.currentData() or "",
            state=self.state.currentData() or "",
            date_from=self.filters.date_from.value(),
            date_to=self.filters.date_to.value(),
        )

    def reload(self) -> None:
        selected = self.list.current_id()
        query = self.query()
        self.list.set_query(query)
        self.list.select(selected)
        with self.ctx.db.reading() as session:
            shown, late = incident_counts(session, query)
        text = f"{shown} incident{'s' if shown != 1 else ''} shown."
        if not shown and not self.filters.text().strip():
            text += nothing_yet("incidents", "New incident…", self.home)
        if late:
            text += (
                f" {late} with 7-day learning late (in red): review, learning or actions missing."
            )
        if (text, bool(late)) != self._summary_shown:
            self.summary.setText(text)
            self.summary.setStyleSheet("color: #b3261e;" if late else "color: #555;")
            self._summary_shown = (text, bool(late))
        recorder = can(self.ctx, Permission.RECORD)
        # Each button set once, to its final state: enabling then disabling "New incident" at all
        # homes repainted it, and the tab behind it, on every reload.
        for widget in (self.share_button, self.evidence_button):
            widget.setEnabled(recorder)
        enable_or_explain(
            self.new_button, why_disabled(self.ctx, Permission.RECORD, self.home, "log incidents")
        )
        enable_or_explain(
            self.measure_button,
            why_disabled(self.ctx, Permission.EDIT_PLANS, self.home, "set up measures"),
        )

    def _on_data_changed(self, what: str) -> None:
        if what in ("*", "service"):
            self._load_homes()
        elif what in REFRESH_ON:
            self.reload()

    # --- Edit menu protocol ----------------------------------------------------------------
    def new_record(self) -> None:
        from .incident_dialog import IncidentDialog

        sid = self.service_id()
        if sid is None:
            inform(self, "New incident", "Choose the care home first.")
            return
        dialog = IncidentDialog(self, self.ctx, sid, None)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("incident")
            self.list.select(dialog.incident_id)

    def focus_search(self) -> None:
        self.filters.focus()

    # --- actions ---------------------------------------------------------------------------
    def open_current(self) -> None:
        incident_id = self.list.current_id()
        if incident_id is not None:
            self.open_incident(incident_id)

    def open_incident(self, incident_id: int) -> None:
        from .incident_dialog import IncidentDialog

        dialog = IncidentDialog(self, self.ctx, self.service_id(), incident_id)
        if dialog.exec() or dialog.changed:
            self.ctx.sig_data_changed.emit("incident")
            self.list.select(incident_id)

    def share_at_handover(self) -> None:
        from .handover_dialog import HandoverDialog

        row = self.list.current_row()
        if row is None:
            return
        if not row.learning_point.strip():
            inform(
                self,
                "Share learning",
                f"{row.reference} has no learning point yet. Open it and record the learning "
                "point in the management review first.",
            )
            return
        with self.ctx.db.reading() as session:
            incident = incidents.get_incident(session, row.id)
            service_id = incident.service_id
        dialog = HandoverDialog(self, self.ctx, service_id, None, share=[row.id])
        if dialog.exec():
            self.ctx.sig_data_changed.emit("handover")
            self.ctx.sig_data_changed.emit("incident")

    def add_as_evidence(self) -> None:
        row = self.list.current_row()
        if row is None:
            return
        with self.ctx.db.reading() as session:
            service_id = incidents.get_incident(session, row.id).service_id
            choices = action_choices(session, service_id)
        if not choices:
            inform(self, "Use as evidence", "This home has no open actions to add evidence to.")
            return
        labels = [c.label for c in choices]
        label, ok = QInputDialog.getItem(
            self, "Use as evidence", f"Add {row.reference} as evidence for:", labels, 0, False
        )
        if not ok:
            return
        supports, ok = QInputDialog.getItem(
            self,
            "Use as evidence",
            "Does it show the change is working?",
            [s.value for s in Supports],
            0,
            False,
        )
        if not ok:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                incidents.add_incident_as_evidence(
                    session,
                    row.id,
                    choices[labels.index(label)].id,
                    supports=supports,
                    today=self.ctx.today(),
                )
        except ServiceError as exc:
            report_problem(self, "Use as evidence", exc)
            return
        self.ctx.sig_data_changed.emit("evidence")
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(f"{row.reference} added as evidence for {label}.", 6000)

    def new_measure(self) -> None:
        from .derived_measure_dialog import DerivedMeasureDialog

        sid = self.service_id()
        if sid is None:
            return
        dialog = DerivedMeasureDialog(self, self.ctx, sid, "incidents")
        if dialog.exec():
            self.ctx.sig_data_changed.emit("measure")
