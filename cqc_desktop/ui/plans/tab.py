"""The Plans tab: Plan → Finding tree, the filtered action list, and the selected action's detail.

The action list is a keyset-paged model over ``services.plan_listing``: sorting, filtering and the
per-row figures (measure status, evidence by source type) all happen in SQL, so it stays instant
with thousands of actions.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError
from ...services.listing import Page
from ...services.plans import actions, plans
from ...services.plans import listing as plan_listing
from ...services.plans import tree as plan_tree
from .. import ui_state
from ..context import AppContext
from ..widgets.forms import ask, inform, report_problem
from ..widgets.paged_model import PagedTableModel
from ..widgets.table_models import ID_ROLE
from .action_dialog import ActionDialog
from .columns import COLUMNS, ActionTable, background, foreground
from .detail.panel import WHAT_CHANGES, ActionDetail, ActionDetailWindow
from .filters import FilterBar
from .finding_dialog import FindingDialog
from .plan_dialogs import PlanDialog
from .tree import ALL, Node, PlanTree

PAGE_ROWS = 100
"""The action list shares its side with the action's detail and shows about ten rows: a first page
of 100 is ten screens of it (more load as the user scrolls), and each row's figures cost time."""


class PlansTab(QWidget):
    """Recovery plans, their findings and actions, and the selected action in detail."""

    title = "&Plans"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.filter_bar = FilterBar()
        self.show_archived = QCheckBox("Show archived")
        self.tree = PlanTree()
        self.model = PagedTableModel(
            COLUMNS,
            self._empty_loader,
            lambda r: r.action_id,
            default_sort=("next_review", False),
            foreground=foreground,
            background=background,
            page_size=PAGE_ROWS,
        )
        self.table = ActionTable(self.model)
        self.table.sig_open.connect(self.open_action_window)
        self.table.sig_archive.connect(self.archive_selected_action)
        self.table.doubleClicked.connect(lambda _i: self.open_action_window())
        self.detail = ActionDetail(ctx, lazy=True)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of actions")

        self.new_plan_button = QPushButton("New plan…")
        self.new_finding_button = QPushButton("New finding…")
        self.new_action_button = QPushButton("New action…")
        self.edit_button = QPushButton("Edit…")
        self.archive_button = QPushButton("Archive")
        self.new_plan_button.clicked.connect(self.new_plan)
        self.new_finding_button.clicked.connect(self.new_finding)
        self.new_action_button.clicked.connect(self.new_action)
        self.edit_button.clicked.connect(self.edit_current)
        self.archive_button.clicked.connect(self.archive_current)
        self.new_plan_button.setToolTip("New plan (Ctrl+N with “All plans” selected)")
        self.new_finding_button.setToolTip("New finding on the selected plan (Ctrl+N on a plan)")
        self.new_action_button.setToolTip(
            "New action for the selected finding (Ctrl+N on a finding)"
        )
        self.archive_button.setToolTip(
            "Archive the selected action or plan (Delete); nothing is deleted"
        )

        self._build()
        self.filter_bar.sig_changed.connect(self.reload_actions)
        self.show_archived.toggled.connect(lambda _on: self.refresh())
        self.tree.sig_node_changed.connect(self._node_changed)
        self.tree.sig_activated.connect(self._edit_node)
        self.tree.sig_delete.connect(self._delete_node)
        # selectionChanged, not currentRowChanged: the latter fires before the row is selected.
        self.table.selectionModel().selectionChanged.connect(self._action_changed)
        self.model.modelReset.connect(self._after_reset)
        self.model.rowsInserted.connect(self._after_more_rows)
        # True while the loader is being swapped (new filters, tree node or refresh); a reset
        # without it is the same list in a new order (a click on a column heading).
        self._new_list = False
        ctx.sig_data_changed.connect(self._on_data_changed)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit_current)
        # Which of the tree and the action list the user last worked in: buttons take focus
        # when clicked, so Edit and Archive act on this, not on whatever has focus now.
        self._context = "tree"
        self.tree.installEventFilter(self)
        self.table.installEventFilter(self)
        self._pending_action = ui_state.load_int("plans/action", 0) or None
        self._saved_action = self._pending_action
        self._nodes: list[plan_tree.PlanNode] | None = None
        start = ui_state.load_str("plans/node", "all:0")
        kind, _, ident = start.partition(":")
        self.refresh(keep=(kind, int(ident or 0)))

    def hideEvent(self, event: QHideEvent) -> None:
        # Remember the selection for next time when the tab is left or the window closed: a
        # settings write costs ~20 ms, too much for every row the user arrows past.
        kind, ident = self.tree.current_node()
        ui_state.save_str("plans/node", f"{kind}:{ident}")
        if self._pending_action is not None and self._pending_action != self._saved_action:
            ui_state.save_int("plans/action", self._pending_action)
            self._saved_action = self._pending_action
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            if watched is self.tree:
                self._context = "tree"
            elif watched is self.table:
                self._context = "table"
        return super().eventFilter(watched, event)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        tools = QHBoxLayout()
        for button in (
            self.new_plan_button,
            self.new_finding_button,
            self.new_action_button,
            self.edit_button,
            self.archive_button,
        ):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.count_label)
        tools.addSpacing(12)
        tools.addWidget(self.show_archived)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree)

        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.addWidget(self.table)
        self.right_splitter.addWidget(self.detail)
        self.right_splitter.setStretchFactor(0, 2)
        self.right_splitter.setStretchFactor(1, 3)
        self.right_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 1000])
        self.right_splitter.setSizes([190, 470])
        for splitter, key in (
            (self.splitter, "plans/splitter"),
            (self.right_splitter, "plans/right"),
        ):
            state = ui_state.load_bytes(key)
            if state is not None:
                splitter.restoreState(state)
            splitter.splitterMoved.connect(
                lambda _p, _i, s=splitter, k=key: ui_state.save_bytes(k, s.saveState())
            )
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)

    # --- loading ---------------------------------------------------------------------------
    @staticmethod
    def _empty_loader(_sort: str, _desc: bool, _after: Any, _limit: int) -> Page:
        return Page(rows=[], last_key=None, more=False)

    def refresh(self, keep: Node | None = None) -> None:
        """Reload the tree (keeping the selection) and then the action list."""
        with self.ctx.db.reading() as session:
            self.filter_bar.load_choices(session)
            nodes = plan_tree.plan_tree(
                session,
                self.filter_bar.home.currentData(),
                include_archived=self.show_archived.isChecked(),
            )
        # Rebuilding the tree costs ~40 ms on a ten-home provider; a refresh seldom changes it.
        if nodes != self._nodes or (keep is not None and keep != self.tree.current_node()):
            self.tree.set_plans(nodes, keep)
            self._nodes = nodes
        self._update_buttons()
        self.reload_actions()

    def _on_data_changed(self, what: str) -> None:
        if what in WHAT_CHANGES or what == "service":
            self._pending_action = self.current_action_id() or self._pending_action
            self.refresh()

    def _node_changed(self, node: Node) -> None:
        self._context = "tree"
        self._update_buttons()
        self._pending_action = self.current_action_id()
        self.reload_actions()

    def current_filters(self) -> plan_listing.PlanFilters:
        kind, ident = self.tree.current_node()
        return self.filter_bar.filters(
            plan_id=ident if kind == "plan" else None,
            finding_id=ident if kind == "finding" else None,
            archived=self.show_archived.isChecked(),
        )

    def reload_actions(self) -> None:
        filters = self.current_filters()
        today = self.ctx.today()
        db = self.ctx.db

        def load(sort: str, desc: bool, after: Any, limit: int) -> Page:
            with db.reading() as session:
                return plan_listing.action_page(
                    session, filters, today, sort=sort, descending=desc, after=after, limit=limit
                )

        keep = self.current_action_id() or self._pending_action
        self._pending_action = keep
        self._new_list = True
        try:
            self.model.set_loader(load)
        finally:
            self._new_list = False
        with db.reading() as session:
            total = plan_listing.count_actions(session, filters, today)
        filtered = " (filtered)" if self.filter_bar.active() else ""
        self.count_label.setText(f"{total} action{'s' if total != 1 else ''}{filtered}")

    def _after_reset(self) -> None:
        wanted = self._pending_action
        row = self.model.row_for_id(wanted) if wanted else None
        if (
            row is None
            and not self._new_list
            and wanted is not None
            and wanted == self.detail.action_id
        ):
            # Sorted: the same actions in a new order, and the selected one is not on the
            # first page. A sort does not change what the manager selected, so the detail stays
            # on it (selected again if scrolling loads its row) rather than jumping to whichever
            # action now comes first.
            selection = self.table.selectionModel()
            selection.blockSignals(True)
            self.table.clearSelection()
            selection.blockSignals(False)
            self.table.viewport().update()
            self._update_buttons()
            return
        if row is None and self.model.rowCount():
            row = 0  # the remembered action is not in this list: show the first one
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.table.clearSelection()
            self.detail.empty.setText(self._empty_text())
            self.detail.show_action(None)

    def _after_more_rows(self) -> None:
        """The next page loaded: select the action the detail kept showing after a sort, if
        it is on it (the detail is already showing it, so it is not loaded again)."""
        wanted = self._pending_action
        if wanted is None or self.current_action_id() is not None:
            return
        if wanted != self.detail.action_id:
            return
        row = self.model.row_for_id(wanted)
        if row is not None:
            # Selected where it is, without scrolling: the user is scrolling the list.
            auto = self.table.hasAutoScroll()
            self.table.setAutoScroll(False)
            self.table.selectRow(row)
            self.table.setAutoScroll(auto)

    def _empty_text(self) -> str:
        if self.tree.topLevelItemCount() <= 1:
            return (
                "No plans yet.\nPress Ctrl+N (or New plan…) to start one from an inspection "
                "report, an audit or a concern."
            )
        if self.filter_bar.active():
            return "No actions match these filters. Clear them to see every action."
        kind, _ = self.tree.current_node()
        if kind == "finding":
            return "No actions for this finding yet.\nPress Ctrl+N to add one with its lead."
        return "No actions here yet.\nSelect a finding and press Ctrl+N to add an action."

    def current_action_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        value = self.model.index(index.row(), 0).data(ID_ROLE)
        return int(value) if value is not None else None

    def _action_changed(self) -> None:
        action_id = self.current_action_id()
        if action_id is not None:
            self._pending_action = action_id
        if action_id != self.detail.action_id:
            self.detail.show_action(action_id)
        self._update_buttons()

    def select_action(self, action_id: int) -> bool:
        """Show an action (from the dashboard, or after creating it): widen the tree if needed."""
        row = self.model.row_for_id(action_id)
        if row is None:
            self._pending_action = action_id
            self.tree.select_node(ALL)
            self.filter_bar.clear()
            row = self.model.row_for_id(action_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _update_buttons(self) -> None:
        kind, _ = self.tree.current_node()
        self.new_finding_button.setEnabled(kind in ("plan", "finding"))
        self.new_action_button.setEnabled(kind == "finding" or self.current_action_id() is not None)

    # --- commands --------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def new_record(self) -> object:
        """Ctrl+N: a finding on the selected plan, an action on the selected finding (or the
        selected action's finding), else a new plan."""
        kind, _ = self.tree.current_node()
        on_action = self._context == "table" and self.current_action_id() is not None
        if kind == "finding" or on_action:
            return self.new_action()
        if kind == "plan":
            return self.new_finding()
        return self.new_plan()

    def new_plan(self) -> PlanDialog:
        dialog = PlanDialog(self.ctx, service_id=self.filter_bar.home.currentData(), parent=self)
        dialog.sig_saved.connect(lambda pid: self.tree.select_node(("plan", pid)))
        dialog.open()
        return dialog

    def new_finding(self) -> FindingDialog | None:
        plan_id = self.tree.plan_of(self.tree.current_node())
        if plan_id is None:
            inform(self, "New finding", "Select the plan the finding belongs to first.")
            return None
        dialog = FindingDialog(self.ctx, plan_id, parent=self)
        dialog.sig_saved.connect(lambda fid: self.tree.select_node(("finding", fid)))
        dialog.open()
        return dialog

    def _finding_for_new_action(self) -> int | None:
        kind, ident = self.tree.current_node()
        if kind == "finding":
            return ident
        action_id = self.current_action_id()
        if action_id is not None:
            row = self.model.row_at(self.table.currentIndex().row())
            return int(row.finding_id)
        return None

    def new_action(self) -> ActionDialog | None:
        finding_id = self._finding_for_new_action()
        if finding_id is None:
            inform(self, "New action", "Select the finding the action answers first.")
            return None
        dialog = ActionDialog(self.ctx, finding_id, parent=self)
        dialog.sig_saved.connect(self._action_created)
        dialog.open()
        return dialog

    def _action_created(self, action_id: int) -> None:
        self._pending_action = action_id
        self.select_action(action_id)

    def edit_current(self) -> object:
        """Edit what the user last worked in: the selected action, or the plan/finding."""
        node = self.tree.current_node()
        if self.current_action_id() is not None and (self._context == "table" or node == ALL):
            return self.detail.open_edit_dialog()
        return self._edit_node(node)

    def _edit_node(self, node: Node) -> object:
        kind, ident = node
        if kind == "plan":
            dialog: PlanDialog | FindingDialog = PlanDialog(self.ctx, ident, parent=self)
        elif kind == "finding":
            plan_id = self.tree.plan_of(node)
            assert plan_id is not None
            dialog = FindingDialog(self.ctx, plan_id, ident, parent=self)
        else:
            return None
        dialog.open()
        return dialog

    def open_action_window(self) -> ActionDetailWindow | None:
        action_id = self.current_action_id()
        if action_id is None:
            return None
        return ActionDetailWindow.show_for(self.ctx, action_id, self)

    def archive_current(self) -> None:
        table_first = self._context == "table" or self.tree.current_node()[0] in ("all", "finding")
        if table_first and self.current_action_id() is not None:
            self.archive_selected_action()
            return
        self._delete_node(self.tree.current_node())

    def archive_selected_action(self) -> None:
        action_id = self.current_action_id()
        if action_id is None:
            return
        row = self.model.row_at(self.table.currentIndex().row())
        if row.archived:
            if ask(
                self, "Restore action", f"Bring {row.reference} {row.title} back into the plan?"
            ):
                self._run(
                    "Restore action",
                    lambda s: actions.restore_action(s, actions.get_action(s, action_id)),
                )
            return
        if not ask(
            self,
            "Archive action",
            f"Archive {row.reference} {row.title}?\n\nIt leaves the lists and the dashboard but is "
            "never deleted: its reviews, evidence and measure stay in the record.",
        ):
            return
        self._run(
            "Archive action", lambda s: actions.archive_action(s, actions.get_action(s, action_id))
        )

    def _delete_node(self, node: Node) -> None:
        kind, ident = node
        if kind == "plan":
            with self.ctx.db.reading() as session:
                plan = plans.get_plan(session, ident)
                title, archived = plan.title, plan.archived
            if archived:
                if ask(self, "Restore plan", f"Bring the plan “{title}” and its actions back?"):
                    self._run("Restore plan", lambda s: plans.restore_plan(s, ident))
                return
            if ask(
                self,
                "Archive plan",
                f"Archive the plan “{title}” and all its actions?\n\nNothing is deleted; tick "
                "“Show archived” to see it again.",
            ):
                self._run("Archive plan", lambda s: plans.archive_plan(s, ident))
        elif kind == "finding" and ask(
            self,
            "Remove finding",
            "Remove this finding? Only a finding with no actions can be removed.",
        ):
            self._run("Remove finding", lambda s: plans.delete_finding(s, ident))

    def _run(self, title: str, work: Any) -> None:
        try:
            with self.ctx.unit_of_work() as session:
                work(session)
        except ServiceError as exc:
            report_problem(self, title, exc)
            return
        self.ctx.sig_data_changed.emit("plan" if "plan" in title.lower() else "action")
