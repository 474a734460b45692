"""The Plan → Finding tree on the left of the Plans tab, with open-action counts.

Selecting a node narrows the action list to that plan or finding; "All plans" shows every action.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from ...formatting import uk_date
from ...services.plans.tree import PlanNode

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = ("all", 0)
GREY = QBrush(QColor("#777777"))
RAG_DOT = {"Red": "#b3261e", "Amber": "#c98a00", "Green": "#1e7b34"}

Node = tuple[str, int]
"""("all", 0), ("plan", plan id) or ("finding", finding id)."""


class PlanTree(QTreeWidget):
    """Plans with their findings. Enter edits the node; Delete archives it."""

    sig_node_changed = Signal(object)
    """Carries the selected node: ("all", 0), ("plan", id) or ("finding", id)."""

    sig_activated = Signal(object)
    """Enter or double-click on a node (the tab opens its edit dialog)."""

    sig_delete = Signal(object)
    """Delete pressed on a node (the tab archives or removes it, after asking)."""

    def __init__(self) -> None:
        super().__init__()
        self.setColumnCount(2)
        self.setHeaderLabels(["Plans and findings", "Open"])
        self.setAccessibleName("Plans and findings")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.currentItemChanged.connect(self._current_changed)
        self.itemActivated.connect(lambda item, _col: self.sig_activated.emit(self.node_of(item)))
        self._items: dict[Node, QTreeWidgetItem] = {}
        self._quiet = False

    @staticmethod
    def node_of(item: QTreeWidgetItem | None) -> Node:
        if item is None:
            return ALL
        kind, ident = item.data(0, NODE_ROLE)
        return (str(kind), int(ident))

    def current_node(self) -> Node:
        return self.node_of(self.currentItem())

    def plan_of(self, node: Node) -> int | None:
        """The plan a node belongs to (a finding's parent plan), or None for "All plans"."""
        item = self._items.get(node)
        if item is None or node[0] == "all":
            return None
        if node[0] == "plan":
            return node[1]
        parent = item.parent()
        return self.node_of(parent)[1] if parent is not None else None

    def set_plans(self, plans: list[PlanNode], keep: Node | None = None) -> None:
        keep = keep or self.current_node()
        expanded = {n for n, item in self._items.items() if item.isExpanded()}
        first_load = not self._items
        self._quiet = True
        self.clear()
        self._items = {}
        total_open = sum(p.open_actions for p in plans)
        top = QTreeWidgetItem(["All plans", str(total_open)])
        top.setData(0, NODE_ROLE, ALL)
        bold = QFont(self.font())
        bold.setBold(True)
        top.setFont(0, bold)
        self.addTopLevelItem(top)
        self._items[ALL] = top
        for plan in plans:
            label = plan.title + (" (archived)" if plan.archived else "")
            item = QTreeWidgetItem([label, str(plan.open_actions)])
            item.setData(0, NODE_ROLE, ("plan", plan.plan_id))
            item.setToolTip(
                0,
                f"{plan.title}\n{plan.service} · {plan.origin}"
                + (f" · report {uk_date(plan.report_date)}" if plan.report_date else "")
                + f"\n{plan.actions} action(s), {plan.open_actions} open",
            )
            item.setFont(0, bold)
            if plan.archived:
                item.setForeground(0, GREY)
            self.addTopLevelItem(item)
            self._items[("plan", plan.plan_id)] = item
            for f in plan.findings:
                child = QTreeWidgetItem([f"{f.reference} {f.title}", str(f.open_actions)])
                child.setData(0, NODE_ROLE, ("finding", f.finding_id))
                child.setToolTip(
                    0,
                    f"{f.reference} {f.title}\n{f.key_question} · {f.risk_area} · "
                    f"score {f.score} ({f.rag})\n{f.actions} action(s), {f.open_actions} open",
                )
                child.setForeground(1, QBrush(QColor(RAG_DOT.get(f.rag, "#333"))))
                item.addChild(child)
                self._items[("finding", f.finding_id)] = child
            node = ("plan", plan.plan_id)
            item.setExpanded(first_load or node in expanded or len(plans) <= 3)
        for col in range(2):
            top.setTextAlignment(col, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        target = self._items.get(keep) or top
        self.setCurrentItem(target)
        self._quiet = False

    def select_node(self, node: Node) -> bool:
        item = self._items.get(node)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    def _current_changed(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if not self._quiet and current is not None:
            self.sig_node_changed.emit(self.node_of(current))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.currentItem() is not None:
            self.sig_delete.emit(self.current_node())
            return
        super().keyPressEvent(event)
