"""Putting items on a meeting's agenda: the agenda built from the data, or an item typed in."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError, ValidationError
from ...services.governance import meetings
from ...services.governance.agenda import AgendaEntry
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, report_problem, select_data
from ..widgets.signed_in import actor_of, muted
from .link_evidence_dialog import action_choices


class AgendaDialog(QDialog):
    """The agenda the data suggests, grouped by kind; untick what the meeting will not take."""

    def __init__(self, parent: QWidget | None, entries: list[AgendaEntry], heading: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Build the agenda")
        self.entries = entries
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Agenda item"])
        self.tree.setAccessibleName("Suggested agenda items")
        self.tree.setUniformRowHeights(True)
        self.detail = muted()
        self.detail.setMinimumHeight(70)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        groups: dict[str, QTreeWidgetItem] = {}
        for n, entry in enumerate(entries):
            group = groups.get(entry.kind)
            if group is None:
                group = QTreeWidgetItem(self.tree, [entry.kind])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                groups[entry.kind] = group
            suffix = "   (already on the agenda)" if entry.on_agenda else ""
            child = QTreeWidgetItem(group, [entry.title + suffix])
            child.setData(0, Qt.ItemDataRole.UserRole, n)
            child.setToolTip(0, entry.full_detail())
            if entry.on_agenda:
                child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            else:
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked)
        self.tree.expandAll()
        self.tree.currentItemChanged.connect(self._show_detail)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add to the agenda")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(heading)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    def _show_detail(self, current: QTreeWidgetItem | None) -> None:
        index = current.data(0, Qt.ItemDataRole.UserRole) if current else None
        self.detail.setText(self.entries[index].full_detail() if index is not None else "")

    def chosen(self) -> list[AgendaEntry]:
        out = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for c in range(group.childCount()):
                child = group.child(c)
                if child.checkState(0) == Qt.CheckState.Checked:
                    out.append(self.entries[child.data(0, Qt.ItemDataRole.UserRole)])
        return out


class AddItemDialog(GuardedDialog):
    """An item typed in by hand (the builder adds the rest), optionally about an action."""

    what = "agenda item"

    def __init__(self, ctx: AppContext, parent: QWidget | None, meeting_id: int) -> None:
        super().__init__(parent, "Add an agenda item")
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.item_id: int | None = None
        self.title = QLineEdit()
        self.kind = QComboBox()
        for kind in meetings.ITEM_KINDS:
            self.kind.addItem(kind, kind)
        select_data(self.kind, "Other")
        self.action = QComboBox()
        self.action.addItem("— not about one action —", None)
        with ctx.db.reading() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            for aid, label in action_choices(session, meeting.service_id):
                self.action.addItem(label, aid)
        self.form = Form()
        self.form.add_field("title", "&Title:", self.title)
        self.form.add_field("kind", "&Kind:", self.kind)
        self.form.add_field(
            "action_id",
            "&Action:",
            self.action,
            hint="A decision on this item will be recorded as the action's review.",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.action.currentIndexChanged.connect(self._action_chosen)
        self.resize(560, 240)
        self.mark_clean()

    def _action_chosen(self) -> None:
        if self.action.currentData() is not None and not self.title.text().strip():
            self.title.setText(self.action.currentText())
            select_data(self.kind, "Action review")

    def state(self) -> Hashable:
        return (self.title.text(), self.kind.currentData(), self.action.currentData())

    def save(self) -> bool:
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                item = meetings.add_meeting_item(
                    session,
                    self.meeting_id,
                    self.title.text(),
                    self.kind.currentData(),
                    self.action.currentData(),
                )
                self.item_id = item.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.sig_saved.emit(self.item_id)
        return True
