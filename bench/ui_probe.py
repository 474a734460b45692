"""A child process for ``bench/run.py``: every long list's tab on a database, driven through its own
widgets, and the dashboard's refresh. Prints one JSON object on its last line.

    python bench/ui_probe.py --db PATH --user NAME --password PASSWORD [--reps 5]

For each tab, with the tab shown at 1366×768, three things are timed, each up to the moment the
list has been repainted:

- first page: the list loaded from scratch, as when the tab is refreshed (F5 tells every view
  that anything may have changed) or opened on a database for the first time;
- a filter: typed into the tab's search box and Enter pressed, or chosen in its filter list, as a
  manager would (where typing only starts a pause before searching, the pause is set to zero:
  waiting for the typist is not the app's work);
- a sort: a click on a column heading.

Building the tab (its widgets, then its first page) and painting it is timed too, for information:
the app builds each tab the first time it is shown, so that is the wait on first opening it.

The floor for each is a raw ``sqlite3`` keyset query for 500 rows of the same table. Every timed
step must repaint the list's viewport, or the probe stops with an error: a figure that painted
nothing would be a figure about nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QWidget

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.services.trust import users
from cqc_desktop.ui.context import AppContext

TODAY = date(2026, 11, 26)
SIZE = (1366, 768)

Widget = Any  # each tab class has its own attributes; the cases below know which


@dataclass(frozen=True)
class Case:
    name: str
    table: str  # the table the floor query reads
    build: Callable[[AppContext], Widget]
    view: Callable[[Widget], QAbstractItemView]
    filter_text: str
    apply_filter: Callable[[Widget], None]
    clear_filter: Callable[[Widget], None]
    sort_column: int | None  # None: the list offers no sorting
    sort_text: str = ""
    after_build: Callable[[Widget], None] | None = None
    # How many rows the list holds, when it shows only part of its table (SQL, one parameter).
    total_sql: str = ""
    total_of: Callable[[Widget], Any] = lambda _tab: None


def _enter(edit: QLineEdit, text: str) -> None:
    """Type into a search box and press Enter."""
    edit.clear()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def _typed(edit: QLineEdit, text: str) -> None:
    """Type into a search box that searches after a pause (set to zero by the case)."""
    edit.clear()
    QTest.keyClicks(edit, text)
    QApplication.processEvents()


def _no_pause(tab: Widget) -> None:
    tab._search_timer.setInterval(0)


def _open_tracker(tab: Widget) -> None:
    """The home's medicines improvement tracker: its busiest list."""
    for row in range(tab.list.count()):
        if tab.list.item(row).text().startswith("Medicines"):
            tab.list.setCurrentRow(row)
            return
    raise SystemExit("The first home has no medicines improvement tracker.")


def _combo(name: str, value: Any) -> Callable[[Widget], None]:
    def choose(tab: Widget) -> None:
        combo = getattr(tab, name)
        index = combo.findData(value) if value is not None else 1
        combo.setCurrentIndex(index)

    return choose


def _combo_first(name: str) -> Callable[[Widget], None]:
    return lambda tab: getattr(tab, name).setCurrentIndex(0)


def cases() -> list[Case]:
    from cqc_desktop.ui.governance.audits_tab import AuditsTab
    from cqc_desktop.ui.governance.governance_tab import GovernanceTab
    from cqc_desktop.ui.plans.tab import PlansTab
    from cqc_desktop.ui.records.incidents_tab import IncidentsTab
    from cqc_desktop.ui.records.logs_tab import LogsTab
    from cqc_desktop.ui.records.observations_tab import ObservationsTab
    from cqc_desktop.ui.records.trackers_tab import TrackersTab
    from cqc_desktop.ui.trust.audit_trail_window import AuditTrailTab

    return [
        Case(
            "Plans: actions",
            "action",
            PlansTab,
            lambda t: t.table,
            'search "supervision"',
            lambda t: _enter(t.filter_bar.search, "supervision"),
            lambda t: _enter(t.filter_bar.search, ""),
            1,
            "by action title",
        ),
        Case(
            "Trackers: medicines tracker",
            "tracker_entry",
            TrackersTab,
            lambda t: t.grid,
            'search "agency"',
            lambda t: _enter(t.filters.search, "agency"),
            lambda t: _enter(t.filters.search, ""),
            5,
            "by minutes late",
            after_build=_open_tracker,
            total_sql="SELECT COUNT(*) FROM tracker_entry WHERE tracker_id = ?",
            total_of=lambda t: t.tracker_id(),
        ),
        Case(
            "Incidents",
            "incident",
            IncidentsTab,
            lambda t: t.list.view,
            'search "room 17"',
            lambda t: _enter(t.filters.search, "room 17"),
            lambda t: _enter(t.filters.search, ""),
            2,
            "by type",
        ),
        Case(
            "Observations",
            "observation",
            ObservationsTab,
            lambda t: t.view,
            "outcome: Not met",
            _combo("outcome", "Not met"),
            _combo_first("outcome"),
            3,
            "by staff observed",
        ),
        Case(
            "Logs: daily governance log",
            "log_entry",
            LogsTab,
            lambda t: t.entries.view,
            'search "agency"',
            lambda t: _enter(t.filters.search, "agency"),
            lambda t: _enter(t.filters.search, ""),
            0,
            "by date (oldest first)",
            total_sql="SELECT COUNT(*) FROM log_entry WHERE kind = ?",
            total_of=lambda t: t.kind(),
        ),
        Case(
            "Governance: meetings",
            "meeting",
            GovernanceTab,
            lambda t: t.view,
            'search "weekend"',
            lambda t: _typed(t.search, "weekend"),
            lambda t: _typed(t.search, ""),
            1,
            "by meeting type",
            after_build=_no_pause,
        ),
        Case(
            "Audits: audit runs",
            "audit_run",
            AuditsTab,
            lambda t: t.run_list,
            "one care home",
            _combo("home", None),
            _combo_first("home"),
            4,
            "by score",
            # The runs of the audit chosen on the left, at every home.
            total_sql="SELECT COUNT(*) FROM audit_run JOIN audit_template t ON t.id = template_id "
            "WHERE t.key = ?",
            total_of=lambda t: t.selected_template().key,
        ),
        Case(
            "Audit trail",
            "audit_log",
            AuditTrailTab,
            lambda t: t.table,
            'search "room 17"',
            lambda t: _enter(t.search, "room 17"),
            lambda t: _enter(t.search, ""),
            None,
        ),
    ]


class PaintCounter(QObject):
    """Counts paint events of one widget (a list's viewport)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class Probe:
    def __init__(self, db: Database, actor: Any, reps: int) -> None:
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.db = db
        self.actor = actor
        self.reps = reps

    def ctx(self) -> AppContext:
        return AppContext(self.db, today=lambda: TODAY, actor=self.actor)

    def _show(self, case: Case) -> tuple[Widget, QAbstractItemView, PaintCounter]:
        tab = case.build(self.ctx())
        tab.resize(*SIZE)
        tab.show()
        if case.after_build is not None:
            case.after_build(tab)
        view = case.view(tab)
        counter = PaintCounter(view.viewport())
        self.app.processEvents()
        return tab, view, counter

    def _close(self, tab: Widget) -> None:
        tab.close()
        tab.deleteLater()
        self.app.processEvents()

    def _timed(self, what: str, step: Callable[[], None], counter: PaintCounter) -> float:
        before = counter.count
        started = time.perf_counter()
        step()
        self.app.processEvents()
        seconds = time.perf_counter() - started
        if counter.count == before:
            raise SystemExit(f"{what}: the list was not repainted; the figure would mean nothing.")
        return seconds

    def built(self, case: Case) -> list[float]:
        """Building the tab and painting it with its first page (for information)."""
        times = []
        self._close(self._show(case)[0])  # warm-up: imports, SQL statement caches
        for _ in range(self.reps):
            started = time.perf_counter()
            tab, _view, counter = self._show(case)
            times.append(time.perf_counter() - started)
            if counter.count == 0:
                raise SystemExit(f"{case.name}: the tab was not painted.")
            self._close(tab)
        return times

    def lists(self, case: Case) -> dict[str, Any]:
        tab, view, counter = self._show(case)
        model = view.model()
        # F5: every view hears "anything may have changed" and loads again from the first page.
        first = [
            self._timed(
                f"{case.name} first page", lambda: tab.ctx.sig_data_changed.emit("*"), counter
            )
            for _ in range(self.reps + 1)
        ]
        loaded = model.rowCount()
        total = None
        if case.total_sql:
            with self.db.engine.connect() as conn:
                total = conn.exec_driver_sql(case.total_sql, (case.total_of(tab),)).scalar()
        if loaded < 2:  # one row may be the tracker grid's entry row
            raise SystemExit(f"{case.name}: the list is empty; the figures would mean nothing.")
        filtered = []
        for _ in range(self.reps + 1):
            case.clear_filter(tab)
            self.app.processEvents()
            filtered.append(
                self._timed(f"{case.name} filter", lambda: case.apply_filter(tab), counter)
            )
        case.clear_filter(tab)
        self.app.processEvents()
        sorted_ = None
        if case.sort_column is not None:
            header = view.horizontalHeader()  # type: ignore[attr-defined]
            column = case.sort_column
            if header.isSectionHidden(column):
                raise SystemExit(f"{case.name}: column {column} is hidden.")

            def click() -> None:
                view.scrollTo(model.index(0, column))
                x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
                QTest.mouseClick(
                    header.viewport(),
                    Qt.MouseButton.LeftButton,
                    pos=QPoint(x, header.height() // 2),
                )

            sorted_ = [
                self._timed(f"{case.name} sort", click, counter) for _ in range(self.reps + 1)
            ]
        self._close(tab)
        # The first of each is a warm-up (the statement's first compile); the rest are the figure.
        return {
            "first": first[1:],
            "loaded": loaded,
            "list_total": total,
            "filter": filtered[1:],
            "sort": sorted_[1:] if sorted_ else None,
        }

    def dashboard(self) -> list[float]:
        from cqc_desktop.ui.dashboard.tab import DashboardTab

        tab = DashboardTab(self.ctx())
        tab.resize(*SIZE)
        tab.show()
        self.app.processEvents()
        counter = PaintCounter(tab.overdue_view.viewport())
        times = [self._timed("dashboard", tab.refresh, counter) for _ in range(self.reps + 1)]
        self._close(tab)
        return times[1:]


def floor(path: str, table: str, reps: int) -> list[float]:
    """A raw keyset query: the 500 rows after the newest id, fetched."""
    con = sqlite3.connect(path)
    top = int(con.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])
    sql = f"SELECT * FROM {table} WHERE id < ? ORDER BY id DESC LIMIT 500"
    times = []
    for _ in range(reps + 1):
        started = time.perf_counter()
        con.execute(sql, (top,)).fetchall()
        times.append(time.perf_counter() - started)
    total = int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    con.close()
    return [*times[1:], float(total)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument(
        "--only",
        help='run just the tabs whose name contains this ("dashboard": just the dashboard)',
    )
    args = parser.parse_args()
    db = Database(resolve(args.db))
    with db.unit_of_work() as session:
        actor = users.authenticate(session, args.user, args.password)
    probe = Probe(db, actor, args.reps)
    result: dict[str, Any] = {"tabs": []}
    for case in cases():
        if args.only and args.only.lower() not in case.name.lower():
            continue
        found = probe.lists(case)
        found["built"] = probe.built(case)
        *floor_times, total = floor(args.db, case.table, max(args.reps, 10))
        found.update(
            name=case.name,
            floor=floor_times,
            filter_text=case.filter_text,
            sort_text=case.sort_text,
            total=int(found["list_total"] or total),
        )
        result["tabs"].append(found)
        print(
            f"{case.name}: first page {statistics.median(found['first']) * 1000:.0f} ms, "
            f"filter {statistics.median(found['filter']) * 1000:.0f} ms"
            + (f", sort {statistics.median(found['sort']) * 1000:.0f} ms" if found["sort"] else "")
            + f", built {statistics.median(found['built']) * 1000:.0f} ms",
            file=sys.stderr,
        )
    if not args.only or args.only.lower() == "dashboard":
        *floor_times, _total = floor(args.db, "action", max(args.reps, 10))
        result["dashboard"] = {"refresh": probe.dashboard(), "floor": floor_times}
    db.dispose()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
