"""Trackers tab: the home's trackers on the left; the chosen one's rows in the entry grid, with its
filter, Excel import and export, and the measures worked out from it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...formatting import number, uk_date
from ...services.errors import ServiceError
from ...services.records import derived_measures, spreadsheets, trackers
from ...services.records.listing import TrackerQuery, action_choices
from ...services.trust.permissions import Permission
from ..context import AppContext
from ..widgets.forms import ask, report_problem
from ..widgets.signed_in import actor_of, can, enable_or_explain, fill_homes, muted, why_disabled
from .common import FilterBar, bring_records_up_to_date, button, export_list
from .incident_list import IncidentTrackerView
from .tracker_grid import TrackerGrid
from .tracker_grid_model import TrackerGridModel

INCIDENTS = "incidents"
REFRESH_ON = {"*", "tracker", "tracker_entry", "measure", "action", "service", "person"}


class TrackersTab(QWidget):
    """Fill trackers after handover, fast; see ``tracker_grid`` for the keys."""

    title = "&Trackers"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("trackersTab")
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.list = QListWidget()
        self.list.setAccessibleName("Trackers")
        self.show_archived = QCheckBox("Show archived")
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.about = muted()
        self.filters = FilterBar("Search this tracker's rows")
        self.model = TrackerGridModel(ctx.db, ctx.today, lambda: actor_of(ctx))
        self.grid = TrackerGrid(self.model)
        self.incident_view = IncidentTrackerView(ctx)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.incident_view)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Grid message")
        self.measures = muted()
        self.measures.setTextFormat(Qt.TextFormat.RichText)
        self.count = muted()
        self._build()
        self._connect()
        self._load_homes()

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.new_button = button("&New tracker…", self.new_tracker)
        self.edit_button = button("Change &columns…", self.edit_tracker)
        self.archive_button = button("Archive", self.toggle_archive)
        self.link_button = button("Lin&k to action…", self.link_action)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        home_row = QHBoxLayout()
        caption = QLabel("Care &home:")
        caption.setBuddy(self.home)
        home_row.addWidget(caption)
        home_row.addWidget(self.home, 1)
        lv.addLayout(home_row)
        lv.addWidget(self.list, 1)
        lv.addWidget(self.show_archived)
        for widget in (self.new_button, self.edit_button, self.archive_button, self.link_button):
            lv.addWidget(widget)

        self.export_button = button(
            "E&xport…", self.export, tip="Export the rows shown to Excel or CSV"
        )
        self.import_button = button(
            "Imp&ort…", self.import_file, tip="Import rows from an Excel or CSV file"
        )
        self.new_row_button = button(
            "New ro&w", self.grid.go_to_new_row, shortcut="Ctrl+End", tip="Go to the entry row"
        )
        self.filters.add(self.new_row_button)
        self.filters.add(self.import_button)
        self.filters.add(self.export_button)
        self.measure_button = button("New &measure from this tracker…", self.new_measure)
        measures_box = QGroupBox("Measures worked out from this tracker")
        mv = QHBoxLayout(measures_box)
        mv.addWidget(self.measures, 1)
        mv.addWidget(self.measure_button, 0, Qt.AlignmentFlag.AlignTop)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.heading)
        rv.addWidget(self.about)
        rv.addWidget(self.filters)
        rv.addWidget(self.stack, 1)
        status = QHBoxLayout()
        status.addWidget(self.message, 1)
        status.addWidget(self.count)
        rv.addLayout(status)
        rv.addWidget(measures_box)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.home.currentIndexChanged.connect(lambda _i: self._load_trackers())
        self.list.currentItemChanged.connect(lambda _c, _p: self._show_tracker())
        self.show_archived.toggled.connect(lambda _on: self._load_trackers())
        self.filters.sig_changed.connect(self._apply_filter)
        self.model.sig_problem.connect(self._say)
        self.model.sig_saved.connect(self._row_saved)
        self.grid.sig_message.connect(self._say)
        self.ctx.sig_data_changed.connect(self._on_data_changed)
        self.ctx.sig_database_opened.connect(self._reopened)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.grid.save_all)

    def _reopened(self) -> None:
        self.model.db = self.ctx.db
        self.incident_view.model.reload()
        self._load_homes()

    # --- loading ---------------------------------------------------------------------------
    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label=None)
        self._load_trackers()

    def _load_trackers(self, select: Any = None) -> None:
        sid = self.service_id()
        current = select if select is not None else self.current_key()
        bring_records_up_to_date(self.ctx, sid)
        self.list.blockSignals(True)
        self.list.clear()
        if sid is not None:
            with self.ctx.db.reading() as session:
                rows = trackers.list_trackers(
                    session, sid, include_archived=self.show_archived.isChecked()
                )
                items = [(t.id, t.name + (" (archived)" if t.archived else "")) for t in rows]
            for tid, name in items:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, tid)
                self.list.addItem(item)
            item = QListWidgetItem(trackers.INCIDENT_TRACKER_NAME)
            item.setData(Qt.ItemDataRole.UserRole, INCIDENTS)
            item.setToolTip("A view over the Incidents tab, for the incident improvement work")
            self.list.addItem(item)
        keys = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        self.list.setCurrentRow(keys.index(current) if current in keys else 0)
        self.list.blockSignals(False)
        self._show_tracker()

    def current_key(self) -> Any:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def tracker_id(self) -> int | None:
        key = self.current_key()
        return key if isinstance(key, int) else None

    def _show_tracker(self) -> None:
        if not self.grid.save_all():
            return
        key = self.current_key()
        sid = self.service_id()
        self._say("")
        if key == INCIDENTS and sid is not None:
            self.stack.setCurrentWidget(self.incident_view)
            self.heading.setText(trackers.INCIDENT_TRACKER_NAME)
            self.about.setText(
                "Every incident with its management review, learning and 7-day check. Safeguarding, "
                "falls and medication first. Open one with Enter to review it."
            )
            self.incident_view.show_home(sid, self.filters.text(), *self._dates())
            self._update_buttons(None)
            self._show_measures()
            self._update_count()
            return
        self.stack.setCurrentWidget(self.grid)
        tid = self.tracker_id()
        if tid is None or sid is None:
            self.heading.setText("No tracker chosen")
            self.about.setText("")
            self._update_buttons(None)
            return
        with self.ctx.db.reading() as session:
            tracker = trackers.get_tracker(session, tid)
            columns, name, archived = list(tracker.columns), tracker.name, tracker.archived
            description, builtin, action_id = (
                tracker.description,
                tracker.builtin,
                tracker.action_id,
            )
            people = trackers.people_index(session, sid)
            linked = next(
                (
                    a.label
                    for a in action_choices(session, sid, include_id=action_id)
                    if a.id == action_id
                ),
                "",
            )
        self.heading.setText(name + (" — archived, read only" if archived else ""))
        about = description
        if linked:
            about += f"\nEvidence for action {linked}."
        self.about.setText(about.strip())
        actor = actor_of(self.ctx)
        defaults: dict[str, str] = {}
        if actor is not None and actor.person_id is not None:
            me = people.by_id.get(actor.person_id)
            if me is not None:
                defaults = {c["key"]: me for c in columns if c["key"] == "recorded_by"}
        read_only = archived or not can(self.ctx, Permission.RECORD)
        self.model.set_tracker(
            self._query(tid), columns, people, read_only=read_only, defaults=defaults
        )
        if self.model.rows:
            self.grid.scrollToBottom()  # the latest rows and the entry row, ready to type
        self._update_buttons(builtin)
        self._update_count()
        self._show_measures()

    def _dates(self) -> tuple[Any, Any]:
        return self.filters.date_from.value(), self.filters.date_to.value()

    def _query(self, tid: int) -> TrackerQuery:
        date_from, date_to = self._dates()
        return TrackerQuery(tid, self.filters.text(), date_from, date_to)

    def _apply_filter(self) -> None:
        if self.current_key() == INCIDENTS:
            sid = self.service_id()
            if sid is not None:
                self.incident_view.show_home(sid, self.filters.text(), *self._dates())
                self._update_count()
            return
        tid = self.tracker_id()
        if tid is None or not self.grid.save_all():
            return
        self.model.query = self._query(tid)
        self.model.reload()
        self._update_count()

    def _update_count(self) -> None:
        from ...services.records.listing import incident_count, tracker_count

        incidents = self.current_key() == INCIDENTS
        if self.model.query is None and not incidents:
            self.count.setText("")
            return
        if not incidents and self.model.all_loaded:
            total = self.model.saved_rows()  # a short or tightly filtered list: no count query
        else:
            with self.ctx.db.reading() as session:
                if incidents:
                    total = incident_count(session, self.incident_view.query)
                else:
                    assert self.model.query is not None
                    total = tracker_count(session, self.model.query)
        filtered = bool(self.filters.text().strip() or any(self._dates()))
        self.count.setText(
            f"{total:,} row{'s' if total != 1 else ''}" + (" match" if filtered else "")
        )

    def _update_buttons(self, builtin: bool | None) -> None:
        manager = can(self.ctx, Permission.EDIT_PLANS)
        is_tracker = builtin is not None
        enable_or_explain(
            self.new_button,
            why_disabled(self.ctx, Permission.EDIT_PLANS, self.home, "create trackers"),
        )
        enable_or_explain(
            self.edit_button,
            why_disabled(self.ctx, Permission.EDIT_PLANS, None, "change trackers")
            or (
                "A built-in tracker's columns are fixed (reports and measures read them); "
                "make a New tracker… for different columns."
                if builtin
                else ""
                if builtin is False
                else "Choose a tracker in the list first."
            ),
        )
        self.archive_button.setEnabled(manager and is_tracker)
        self.link_button.setEnabled(manager and is_tracker)
        row_reason = (
            why_disabled(self.ctx, Permission.RECORD, None, "enter tracker rows")
            or ("" if is_tracker else "Choose a tracker in the list on the left first.")
            or ("" if not self.model.read_only else "This tracker cannot be changed here.")
        )
        enable_or_explain(self.import_button, row_reason)
        enable_or_explain(self.new_row_button, row_reason)
        archived = "(archived)" in (
            self.list.currentItem().text() if self.list.currentItem() else ""
        )
        self.archive_button.setText("Restore" if archived else "Archive")

    def _show_measures(self) -> None:
        key, sid = self.current_key(), self.service_id()
        with self.ctx.db.reading() as session:
            if key == INCIDENTS:
                rows = derived_measures.summaries(session, "incidents", service_id=sid)
            elif isinstance(key, int):
                rows = derived_measures.summaries(session, "tracker", tracker_id=key)
            else:
                rows = []
        if not rows:
            self.measures.setText(
                "None yet. A measure can count rows that match a condition each week or month, "
                "so no one types the same number twice."
            )
        else:
            lines = []
            for r in rows:
                latest = (
                    f"latest: <b>{number(r.latest_value)}</b> for the period from "
                    f"{uk_date(r.latest_period)}" + (f" ({r.latest_note})" if r.latest_note else "")
                    if r.latest_period
                    else "no points yet"
                )
                lines.append(f"<b>{r.name}</b> — {latest}<br><span>{r.description}</span>")
            self.measures.setText("<br>".join(lines))
        self.measure_button.setEnabled(
            can(self.ctx, Permission.EDIT_PLANS) and key is not None and sid is not None
        )

    def _on_data_changed(self, what: str) -> None:
        if what in ("tracker_entry",):
            self._show_measures()
            return
        if what == "incident" and self.current_key() == INCIDENTS:
            self.incident_view.model.reload()
            self._show_measures()
            return
        if what in REFRESH_ON:
            if what in ("*", "service"):
                self._load_homes()
            else:
                self._load_trackers()

    def _row_saved(self, _entry_id: int) -> None:
        self._update_count()
        self.ctx.sig_data_changed.emit("tracker_entry")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(
            "color: #b3261e;" if text and not text.startswith("Undone") else ""
        )

    # --- Edit menu protocol ----------------------------------------------------------------
    def new_record(self) -> None:
        if self.current_key() == INCIDENTS:
            self.incident_view.new_incident()
        else:
            self.grid.go_to_new_row()

    def focus_search(self) -> None:
        self.filters.focus()

    # --- actions ---------------------------------------------------------------------------
    def new_tracker(self) -> None:
        from .custom_tracker_dialog import CustomTrackerDialog

        sid = self.service_id()
        if sid is None:
            return
        dialog = CustomTrackerDialog(self, self.ctx, sid)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("tracker")
            self._load_trackers(select=dialog.saved_id)

    def edit_tracker(self) -> None:
        from .custom_tracker_dialog import CustomTrackerDialog

        sid, tid = self.service_id(), self.tracker_id()
        if sid is None or tid is None or not self.grid.save_all():
            return
        dialog = CustomTrackerDialog(self, self.ctx, sid, tracker_id=tid)
        if dialog.exec():
            self.ctx.sig_data_changed.emit("tracker")

    def toggle_archive(self) -> None:
        tid = self.tracker_id()
        if tid is None or not self.grid.save_all():
            return
        item = self.list.currentItem()
        restoring = item is not None and "(archived)" in item.text()
        if not restoring and not ask(
            self,
            "Archive tracker",
            "Archive this tracker? Its rows are kept and still count in measures, but no new rows "
            "can be added. You can restore it later.",
        ):
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if restoring:
                    trackers.restore_tracker(session, tid)
                else:
                    trackers.archive_tracker(session, tid)
        except ServiceError as exc:
            report_problem(self, "Archive tracker", exc)
            return
        self.ctx.sig_data_changed.emit("tracker")

    def link_action(self) -> None:
        sid, tid = self.service_id(), self.tracker_id()
        if sid is None or tid is None:
            return
        with self.ctx.db.reading() as session:
            current = trackers.get_tracker(session, tid).action_id
            choices = action_choices(session, sid, include_id=current)
        labels = ["(not linked to an action)"] + [c.label for c in choices]
        ids: list[int | None] = [None] + [c.id for c in choices]
        start = ids.index(current) if current in ids else 0
        label, ok = QInputDialog.getItem(
            self, "Link to action", "This tracker's rows are evidence for:", labels, start, False
        )
        if not ok:
            return
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                trackers.link_tracker_to_action(session, tid, ids[labels.index(label)])
        except ServiceError as exc:
            report_problem(self, "Link to action", exc)
            return
        self.ctx.sig_data_changed.emit("tracker")

    def export(self) -> None:
        if self.current_key() == INCIDENTS:
            self.incident_view.export()
            return
        query = self.model.query
        if query is None or not self.grid.save_all():
            return
        sort, descending = self.model.sort_key, self.model.descending
        name = self.heading.text().split(" — ")[0]
        export_list(
            self,
            self.ctx,
            f"{name}.xlsx",
            lambda s: spreadsheets.tracker_table(s, query, sort, descending),
        )

    def import_file(self) -> None:
        from .import_dialog import ImportDialog

        tid = self.tracker_id()
        if tid is None or not self.grid.save_all():
            return
        dialog = ImportDialog(self, self.ctx, tid)
        if dialog.choose_file() and dialog.exec():
            self.model.reload()
            self._update_count()
            self.ctx.sig_data_changed.emit("tracker_entry")

    def new_measure(self) -> None:
        from .derived_measure_dialog import DerivedMeasureDialog

        sid, key = self.service_id(), self.current_key()
        if sid is None or key is None:
            return
        source = "incidents" if key == INCIDENTS else "tracker"
        dialog = DerivedMeasureDialog(
            self, self.ctx, sid, source, tracker_id=key if isinstance(key, int) else None
        )
        if dialog.exec():
            self.ctx.sig_data_changed.emit("measure")
