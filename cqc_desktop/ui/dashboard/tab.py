"""Dashboard tab: what needs attention today, for one home or all of them.

Alerts raised by the triggers, overdue reviews, what falls due in the next 7 days, one person's
actions, and open actions counted by lead, RAG and key question. Enter or double-click on any row
opens that action in its own window.

Showing the dashboard only reads. The alert triggers (which store new alerts) are checked just
after the dashboard has been painted, when it is first shown and after each change (see
alert_check.py), so a provider's database never holds the window back while they run.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...models.enums import KeyQuestion, Rag
from ...services.plans import alerts, dashboard
from ...services.plans import listing as plan_listing
from ...services.plans.dashboard import ActionRow, LeadLoad
from ...services.plans.listing import STATUS_OPEN, ActionListRow, PlanFilters
from ...services.setup import people
from .. import ui_state
from ..context import AppContext
from ..widgets.forms import compact_rows
from ..widgets.table_models import ID_ROLE, RAG_BACKGROUND, RED, Column, RowsModel
from .alert_check import AlertCheck
from .alerts import AlertsPanel
from .records_overdue import RecordsOverdue
from .widgets import (
    ACTION_SAMPLES,
    DUE_SAMPLES,
    LEAD_LOAD_SAMPLES,
    MY_SAMPLES,
    SummaryCard,
    action_columns,
    due_columns,
    my_columns,
    my_foreground,
    overdue_foreground,
    rag_background,
    size_columns,
    table,
)

if TYPE_CHECKING:
    from ..plans.detail.panel import ActionDetailWindow

MY_LIMIT = 200
RAGS = [rag.value for rag in Rag]
DAY_CHECK_MS = 5 * 60 * 1000


class DashboardTab(QWidget):
    """Alerts, overdue and upcoming reviews, one person's actions, and open actions per lead."""

    title = "Dashboard"

    sig_open_action = Signal(int)
    """Carries the id of an action the user asked to open (the detail window opens too)."""

    sig_alerts_scanned = Signal(int)
    """Carries how many new alerts the triggers raised (0 when none fired since the last check)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.home = QComboBox()
        self.home.setAccessibleName("Care home")
        self.home.currentIndexChanged.connect(self.refresh)
        self.home.activated.connect(lambda _i: ui_state.remember_home(self.home.currentData()))
        self.person = QComboBox()
        self.person.setAccessibleName("My actions: person")
        self.person.setMinimumContentsLength(16)
        self.person.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._staff: list[tuple[int, str, str]] | None = None
        self.person.currentIndexChanged.connect(self._person_changed)
        ctx.sig_actor_changed.connect(self._actor_changed)
        self.date_label = QLabel()

        self.cards = {
            "open": SummaryCard("Open actions"),
            "overdue": SummaryCard("Reviews overdue", warn=True),
            "week": SummaryCard("Reviews due in the next 7 days"),
            "alerts": SummaryCard("Alerts to acknowledge", warn=True),
            "sustained": SummaryCard("Closed as sustained"),
            "override": SummaryCard("Closed without full evidence", warn=True),
        }
        self.overdue_model: RowsModel[ActionRow] = RowsModel(
            action_columns("Overdue by"),
            lambda r: r.action_id,
            foreground=overdue_foreground,
            background=rag_background,
        )
        self.due_model: RowsModel[ActionRow] = RowsModel(
            action_columns("Due"), lambda r: r.action_id, background=rag_background
        )
        self.actions_due_model: RowsModel[ActionRow] = RowsModel(
            due_columns(),
            lambda r: r.action_id,
            foreground=lambda r, c: RED if c == 4 and r.due_date < self.ctx.today() else None,
            background=rag_background,
        )
        self.my_model: RowsModel[ActionListRow] = RowsModel(
            my_columns(),
            lambda r: r.action_id,
            foreground=my_foreground,
            background=rag_background,
        )
        self.lead_model: RowsModel[LeadLoad] = RowsModel(
            [
                Column("Lead", lambda r: r.lead),
                Column("Role", lambda r: r.role),
                Column("Open actions", lambda r: str(r.open_actions), align_right=True),
                Column("Reviews overdue", lambda r: str(r.overdue_reviews), align_right=True),
                Column("Red", lambda r: str(r.red), align_right=True),
            ],
            lambda r: r.person_id,
            foreground=lambda r, c: RED if c == 3 and r.overdue_reviews else None,
        )
        self.overdue_view = table(self.overdue_model, "Overdue reviews", ACTION_SAMPLES)
        self.due_view = table(self.due_model, "Reviews due in the next 7 days", ACTION_SAMPLES)
        self.actions_due_view = table(
            self.actions_due_model, "Actions due in the next 7 days", DUE_SAMPLES
        )
        self.my_view = table(self.my_model, "My actions", MY_SAMPLES)
        self.lead_view = QTableView()
        self.lead_view.setModel(self.lead_model)
        self.lead_view.setAccessibleName("Open actions per lead")
        self.lead_view.verticalHeader().hide()
        compact_rows(self.lead_view)
        self.lead_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lead_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        size_columns(self.lead_view, LEAD_LOAD_SAMPLES, 0)
        self.lead_view.activated.connect(self._lead_chosen)
        self.lead_view.doubleClicked.connect(self._lead_chosen)
        self.kq_table = QTableWidget(len(KeyQuestion), 4)
        self.kq_table.setAccessibleName("Open actions by key question and RAG")
        self.kq_table.setHorizontalHeaderLabels(["Red", "Amber", "Green", "Total"])
        self.kq_table.setVerticalHeaderLabels([kq.value for kq in KeyQuestion])
        self.kq_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.kq_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.overdue_empty = QLabel("No reviews are overdue.")
        self.due_empty = QLabel("No reviews fall due in the next 7 days.")
        self.actions_due_empty = QLabel("No actions fall due in the next 7 days.")
        self.my_empty = QLabel()
        self.rag_label = QLabel()
        self.rag_label.setWordWrap(True)
        self.alerts = AlertsPanel(ctx)
        self.records_overdue = RecordsOverdue(ctx)
        self._size_alert_columns()
        for view in (self.overdue_view, self.due_view, self.actions_due_view, self.my_view):
            view.sig_open_action.connect(self.open_action)
        self.alerts.sig_open_action.connect(self.open_action)
        self._build()
        ctx.sig_data_changed.connect(self._on_data_changed)
        ctx.sig_database_opened.connect(self._load_homes)
        self._shown_for: date | None = None
        # While another tab covers the dashboard, changes only mark it out of date; it catches
        # up when shown again, so a save elsewhere never waits for the dashboard.
        self._stale = False
        self._homes_stale = False
        self.alert_check = AlertCheck(ctx, self)
        self.alert_check.sig_checked.connect(self._alerts_checked)
        # Left open overnight, the dashboard moves on to the new day by itself: what was due
        # today becomes overdue without anyone pressing F5.
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(DAY_CHECK_MS)
        self._day_timer.timeout.connect(self._check_day)
        self._day_timer.start()
        self._load_homes()

    def _check_day(self) -> None:
        if self._shown_for != self.ctx.today():
            self.alert_check.due = True  # a review due yesterday is overdue today
            self.refresh()
            self.update()

    # --- the alert triggers, checked after painting (see alert_check.py) -------------------
    def scan_alerts(self) -> int:
        """Check the alert triggers now; returns how many new alerts were raised."""
        return self.alert_check.run()

    def _alerts_checked(self, raised: int) -> None:
        if raised:
            self._refresh_alerts()
        self.sig_alerts_scanned.emit(raised)

    def _refresh_alerts(self) -> None:
        self.alerts.refresh()
        if self.alerts.show_done.isChecked():
            with self.ctx.db.reading() as session:
                count = alerts.open_alert_count(session, self.service_id())
        else:
            count = self.alerts.model.rowCount()  # the panel lists exactly the open ones
        self.cards["alerts"].set_value(count)

    def _size_alert_columns(self) -> None:
        # The panel sizes its message columns itself; the date and kind get fixed room here
        # rather than a measurement of every open alert on each refresh.
        view = self.alerts.view
        header = view.horizontalHeader()
        for column, sample in ((0, "30/11/2026"), (1, "Measure: worsening")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, view.fontMetrics().horizontalAdvance(sample) + 16)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        home_label = QLabel("&Care home:")
        home_label.setBuddy(self.home)
        top.addWidget(home_label)
        top.addWidget(self.home, 1)
        top.addStretch(2)
        top.addWidget(self.date_label)

        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)

        self.due_tabs = QTabWidget()
        self.due_tabs.addTab(self._page(self.overdue_view, self.overdue_empty), "Reviews overdue")
        self.due_tabs.addTab(self._page(self.due_view, self.due_empty), "Reviews due in 7 days")
        self.due_tabs.addTab(
            self._page(self.actions_due_view, self.actions_due_empty), "Actions due in 7 days"
        )
        self.due_tabs.addTab(self.records_overdue, "Records overdue")
        self.due_tabs.setAccessibleName("Reviews and actions due")

        my_box = QGroupBox("My actions")
        my_layout = QVBoxLayout(my_box)
        who = QHBoxLayout()
        person_label = QLabel("&Whose actions:")
        person_label.setBuddy(self.person)
        who.addWidget(person_label)
        who.addWidget(self.person, 1)
        my_layout.addLayout(who)
        my_layout.addWidget(self.my_view, 1)
        my_layout.addWidget(self.my_empty)
        self.my_empty.setStyleSheet("color: #555;")

        self.load_tabs = QTabWidget()
        self.load_tabs.addTab(self.lead_view, "Open actions per lead")
        self.load_tabs.addTab(self.kq_table, "By key question and RAG")
        load_box = QWidget()
        load_layout = QVBoxLayout(load_box)
        load_layout.setContentsMargins(0, 0, 0, 0)
        load_layout.addWidget(self.load_tabs, 1)
        load_layout.addWidget(self.rag_label)

        grid = QGridLayout()
        grid.addWidget(self.alerts, 0, 0)
        grid.addWidget(self.due_tabs, 0, 1)
        grid.addWidget(my_box, 1, 0)
        grid.addWidget(load_box, 1, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(grid, 1)

    @staticmethod
    def _page(view: QTableView, note: QLabel) -> QWidget:
        page = QWidget()
        inner = QVBoxLayout(page)
        inner.addWidget(view, 1)
        note.setStyleSheet("color: #555;")
        inner.addWidget(note)
        return page

    # --- data ------------------------------------------------------------------------------
    def _load_homes(self) -> None:
        with self.ctx.db.reading() as session:
            homes = [(s.id, s.name) for s in people.list_services(session)]
        # The home chosen before (or, the first time, the one last chosen anywhere) stays.
        keep = self.home.currentData() if self.home.count() else ui_state.last_home()
        self.home.blockSignals(True)
        self.home.clear()
        if len(homes) != 1:
            self.home.addItem("All care homes", None)
        for sid, name in homes:
            self.home.addItem(name, sid)
        self.home.setCurrentIndex(max(0, self.home.findData(keep)))
        self.home.blockSignals(False)
        self.refresh()

    def _on_data_changed(self, what: str) -> None:
        if what != "alert":  # acknowledging an alert cannot make a trigger fire
            self.alert_check.due = True
        homes = what in ("*", "service")
        if self._covered():
            self._stale = True
            self._homes_stale = self._homes_stale or homes
            return
        if homes:
            self._load_homes()
        else:
            self.refresh()
        self.update()

    def _covered(self) -> bool:
        """Whether another tab of the window is showing instead of the dashboard."""
        window = self.window()
        return window is not self and not self.isVisibleTo(window)

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            if self._homes_stale:
                self._load_homes()
            else:
                self.refresh()
        super().showEvent(event)

    def service_id(self) -> int | None:
        value = self.home.currentData()
        return int(value) if value is not None else None

    def person_id(self) -> int | None:
        value = self.person.currentData()
        return int(value) if value is not None else None

    def _signed_in_person(self) -> int | None:
        actor = getattr(self.ctx, "actor", None)
        return actor.person_id if actor is not None else None

    def _actor_changed(self) -> None:
        """Someone else signed in: My actions shows theirs (if their sign-in is on the staff list)."""
        mine = self._signed_in_person()
        if mine and self.person.findData(mine) < 0:
            # They do not work at the home shown: show every home, where their actions are.
            everywhere = next(
                (i for i in range(self.home.count()) if self.home.itemData(i) is None), None
            )
            if everywhere is not None and everywhere != self.home.currentIndex():
                self.home.setCurrentIndex(everywhere)
        self.person.setCurrentIndex(max(0, self.person.findData(mine)) if mine else 0)

    def _load_people(self, staff: list[tuple[int, str, str]]) -> None:
        # The signed-in person's own actions first; otherwise whoever was chosen last time.
        keep = (
            self.person_id()
            or self._signed_in_person()
            or ui_state.load_int("dashboard/person", 0)
            or None
        )
        if keep is None and self.lead_model.rowCount():
            # First visit: start with whoever leads the most open actions.
            keep = self.lead_model.row_at(0).person_id
        self.person.blockSignals(True)
        if staff != self._staff:
            # Rebuilt only when the staff list changed: a provider's few hundred names are
            # otherwise measured and laid out again on every refresh.
            self._staff = staff
            self.person.clear()
            self.person.addItem("Choose a person…", None)
            for pid, name, role in staff:
                self.person.addItem(f"{name} — {role}" if role else name, pid)
        index = self.person.findData(keep)
        self.person.setCurrentIndex(max(0, index))
        self.person.blockSignals(False)

    def _person_changed(self) -> None:
        pid = self.person_id()
        ui_state.save_int("dashboard/person", pid or 0)
        self._refresh_mine()

    def _lead_chosen(self) -> None:
        index = self.lead_view.currentIndex()
        if index.isValid():
            pid = self.lead_model.index(index.row(), 0).data(ID_ROLE)
            self.person.setCurrentIndex(max(0, self.person.findData(pid)))

    def _refresh_mine(self) -> None:
        pid = self.person_id()
        self.alerts.person_id = pid
        if pid is None:
            self.my_model.set_rows([])
            actor = getattr(self.ctx, "actor", None)
            if self.person.count() <= 1:
                text = (
                    "No staff yet — add staff or import your staff list (Administration ▸ "
                    "Staff); then give each action a lead from it."
                )
            elif actor is not None and actor.person_id is None:
                text = (
                    "Choose a person to see the actions they lead. (Your sign-in is not linked "
                    "to the staff list: an administrator can link it in Administration ▸ Users "
                    "and roles, and then your own actions show here.)"
                )
            else:
                text = "Choose a person to see the actions they lead."
            self.my_empty.setText(text)
            self.my_empty.setWordWrap(True)
            self.my_empty.show()
            return
        filters = PlanFilters(service_id=self.service_id(), lead_id=pid, status=STATUS_OPEN)
        with self.ctx.db.reading() as session:
            page = plan_listing.action_page(
                session, filters, self.ctx.today(), sort="next_review", limit=MY_LIMIT
            )
        self.my_model.set_rows(page.rows)
        self.my_empty.setText("No open actions led by this person.")
        self.my_empty.setVisible(not page.rows)

    def refresh(self) -> None:
        """Read everything shown afresh (only reads: see alert_check.py for the triggers)."""
        today = self.ctx.today()
        self._shown_for = today
        self._stale = self._homes_stale = False
        sid = self.service_id()
        with self.ctx.db.reading() as session:
            snap = dashboard.snapshot(session, today, sid)
            staff = dashboard.staff(session, sid)
        overdue, due, actions_due = snap.overdue, snap.due, snap.actions_due
        leads, summary, grid = snap.leads, snap.summary, snap.counts
        rag = dashboard.totals_by(grid, 1)
        by_kq = dashboard.totals_by(grid, 0)
        self.date_label.setText(f"Today: {uk_date(today)}")
        self.overdue_model.set_rows(overdue)
        self.due_model.set_rows(due)
        self.actions_due_model.set_rows(actions_due)
        self.lead_model.set_rows(leads)
        self.overdue_empty.setVisible(not overdue)
        self.due_empty.setVisible(not due)
        self.actions_due_empty.setVisible(not actions_due)
        self.due_tabs.setTabText(0, f"Reviews overdue ({len(overdue)})")
        self.due_tabs.setTabText(1, f"Reviews due in 7 days ({len(due)})")
        self.due_tabs.setTabText(2, f"Actions due in 7 days ({len(actions_due)})")
        records_late = self.records_overdue.refresh(today, sid)
        self.due_tabs.setTabText(3, f"Records overdue ({records_late})")
        self.cards["open"].set_value(summary.open_actions)
        self.cards["overdue"].set_value(summary.overdue_reviews)
        self.cards["week"].set_value(summary.due_this_week)
        self.cards["sustained"].set_value(summary.closed_sustained)
        self.cards["override"].set_value(summary.closed_override)
        if summary.open_actions:
            rag_text = ", ".join(f"{k} {rag.get(k, 0)}" for k in ("Red", "Amber", "Green"))
            kq_text = ", ".join(f"{k} {n}" for k, n in sorted(by_kq.items()))
            self.rag_label.setText(
                f"Open actions by RAG: {rag_text}.   By key question: {kq_text}."
            )
        else:
            self.rag_label.setText(
                "No open actions. Turn a finding into a plan on the Plans tab (Ctrl+N there)."
            )
        self._fill_kq_grid(grid)
        self.alerts.service_id = sid
        self._refresh_alerts()
        self._load_people(staff)
        self._refresh_mine()

    def _fill_kq_grid(self, grid: dict[tuple[str, str], int]) -> None:
        for row, kq in enumerate(KeyQuestion):
            counts = [grid.get((kq.value, rag.value), 0) for rag in Rag]
            for col, value in enumerate([*counts, sum(counts)]):
                item = self.kq_table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.kq_table.setItem(row, col, item)
                item.setText(str(value))
                if col < 3:
                    item.setBackground(RAG_BACKGROUND[RAGS[col]] if value else QBrush())

    def open_action(self, action_id: int) -> ActionDetailWindow:
        # Imported here: the detail window (charts, evidence, closure) is not needed until an
        # action is opened, and importing it cost the start-up a third of a second.
        from ..plans.detail.panel import ActionDetailWindow

        self.sig_open_action.emit(action_id)
        return ActionDetailWindow.show_for(self.ctx, action_id, self)
