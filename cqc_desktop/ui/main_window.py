"""The main window: menus, tabs and a status bar saying which database is open."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from .. import APP_NAME
from ..config import resolve
from ..db import Database, DatabaseProblem
from . import ui_state
from .context import AppContext
from .widgets.lazy_tab import LazyTabWidget

if TYPE_CHECKING:
    from .dashboard.tab import DashboardTab

# (title, module in cqc_desktop.ui, class). Titles are written out here so the tab bar can be
# drawn without importing each tab's module; tests/ui/test_main_window_lazy.py checks they match
# each class's ``title``.
TABS: tuple[tuple[str, str, str], ...] = (
    ("Dashboard", "dashboard.tab", "DashboardTab"),
    ("&Plans", "plans.tab", "PlansTab"),
    ("&Trackers", "records.trackers_tab", "TrackersTab"),
    ("&Incidents", "records.incidents_tab", "IncidentsTab"),
    ("O&bservations", "records.observations_tab", "ObservationsTab"),
    ("&Logs", "records.logs_tab", "LogsTab"),
    ("Co&mplaints", "records.complaints_tab", "ComplaintsTab"),
    ("Feedbac&k", "records.feedback_tab", "FeedbackTab"),
    ("Supervisio&n", "records.supervision_tab", "SupervisionTab"),
    ("&Governance", "governance.governance_tab", "GovernanceTab"),
    ("A&udits", "governance.audits_tab", "AuditsTab"),
    ("&Reports", "reporting.reports_tab", "ReportsTab"),
)
DASHBOARD = 0

FILE_FILTER = "CQC Desktop database (*.sqlite3 *.db);;All files (*)"


class MainWindow(QMainWindow):
    """Tabs may offer ``new_record()`` (Ctrl+N) and ``focus_search()`` (Ctrl+F); the Edit menu
    calls whichever the current tab has. F5 asks every view to refresh.

    Each tab is built the first time it is shown (see lazy_tab.py), so opening the window costs
    one tab, not nine; ``tabs.content(i)`` gives (and if need be builds) the real tab at ``i``."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tabs = LazyTabWidget()
        self.tabs.setDocumentMode(True)
        for title, module, name in TABS:
            self.tabs.add_lazy(self._factory(module, name), title)
        self.setCentralWidget(self.tabs)
        self.db_label = QLabel()
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_menus()
        self._show_location()
        ctx.sig_database_opened.connect(self._show_location)
        self._restore_state()
        self.tabs.start()

    def _factory(self, module: str, name: str) -> Callable[[], QWidget]:
        def build() -> QWidget:
            cls = getattr(importlib.import_module(f"{__package__}.{module}"), name)
            widget: QWidget = cls(self.ctx)
            return widget

        return build

    @property
    def dashboard(self) -> DashboardTab:
        """The dashboard (built now if the window opened on another tab)."""
        widget = self.tabs.content(DASHBOARD)
        assert widget is not None
        return widget  # type: ignore[return-value]

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i).replace("&", "") for i in range(self.tabs.count())]

    # --- menus -----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.act_new = self._action(
            file_menu, "&New database…", self.new_database, QKeySequence("Ctrl+Shift+N")
        )
        self.act_open = self._action(
            file_menu, "&Open database…", self.open_database, QKeySequence.StandardKey.Open
        )
        file_menu.addSeparator()
        self.act_quit = self._action(file_menu, "&Quit", self.close, QKeySequence("Ctrl+Q"))
        edit_menu = self.menuBar().addMenu("&Edit")
        # Context-aware: each tab decides what "new" and "find" mean for it.
        self.act_new_record = self._action(
            edit_menu, "&New…", lambda: self._on_tab("new_record"), QKeySequence.StandardKey.New
        )
        self.act_find = self._action(
            edit_menu, "&Find…", lambda: self._on_tab("focus_search"), QKeySequence.StandardKey.Find
        )
        view_menu = self.menuBar().addMenu("&View")
        self._action(
            view_menu,
            "&Refresh",
            lambda: self.ctx.sig_data_changed.emit("*"),
            QKeySequence.StandardKey.Refresh,
        )
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, f"&About {APP_NAME}", self.about)
        self._build_trust_menus()

    def _build_trust_menus(self) -> None:
        """Backups, passwords, the idle lock and the Administration menu (see trust_menu.py)."""
        from .setup.menu import SetupMenus
        from .trust.menu import TrustMenus

        self.trust = TrustMenus(self, self.ctx)
        self.setup_menus = SetupMenus(self, self.ctx, self.trust.admin_menu)

    def _action(self, menu: object, text: str, slot: object, shortcut: object = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)  # type: ignore[arg-type]
        action.triggered.connect(slot)  # type: ignore[arg-type]
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    def _on_tab(self, method: str) -> None:
        handler = getattr(self.tabs.current_content(), method, None)
        if callable(handler):
            handler()
        else:
            self.statusBar().showMessage("Nothing to do here for that command.", 3000)

    def _show_location(self) -> None:
        location = self.ctx.db.location
        demo = "DEMO — " if self.ctx.demo else ""
        self.setWindowTitle(f"{demo}{APP_NAME}")
        self.db_label.setText(f"Database: {location.display}")

    # --- file actions ----------------------------------------------------------------------
    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New database", str(Path.home()), FILE_FILTER)
        if not path:
            return
        if Path(path).exists():
            QMessageBox.warning(
                self,
                "New database",
                "That file already exists. Choose a new name, or use Open database.",
            )
            return
        db = self._open(path)
        if db is None:
            return
        # Nobody can sign in to it yet: the set-up wizard (provider, first home, administrator,
        # staff list) runs as the sign-in for it (app.after_database_opened).
        self.ctx.replace_database(db)

    def open_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open database", str(Path.home()), FILE_FILTER)
        if not path:
            return
        db = self._open(path)
        if db is not None:
            self.ctx.replace_database(db)

    def _open(self, path: str) -> Database | None:
        try:
            return Database(resolve(path))
        except DatabaseProblem as exc:
            QMessageBox.critical(self, "Cannot open the database", str(exc))
            return None

    def about(self) -> None:
        from .about_dialog import AboutDialog

        AboutDialog(self.ctx.db, self).exec()

    # --- window state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = ui_state.load_bytes("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        self.tabs.setCurrentIndex(min(ui_state.load_int("main/tab"), self.tabs.count() - 1))

    def closeEvent(self, event: QCloseEvent) -> None:
        ui_state.save_bytes("main/geometry", self.saveGeometry())
        ui_state.save_int("main/tab", self.tabs.currentIndex())
        super().closeEvent(event)
