"""Small pieces shared by the Governance and Audits tabs: who is signed in, table views, people
and home pickers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QTableView,
    QWidget,
)
from sqlalchemy.orm import Session

from ...services.setup import people
from ...services.setup.people import is_manager
from ...services.trust.permissions import Actor, Permission
from .. import ui_state
from ..context import AppContext

MUTED = "color: #555;"
NO_STAFF = "No staff yet — add staff or import your staff list (Administration ▸ Staff)"
NO_MANAGERS = "No managers on the staff list yet (Administration ▸ Staff)"
STAFF_HINT = (
    "People are chosen from the home's staff list. Add staff or import your staff list in "
    "Administration ▸ Staff (or ask a manager)."
)


def actor_of(ctx: AppContext) -> Actor | None:
    """The signed-in user, once sign-in sets ``ctx.actor``; None means the app runs unrestricted."""
    actor = getattr(ctx, "actor", None)
    return actor if isinstance(actor, Actor) else None


def on_sign_in(ctx: AppContext, slot: Callable[[], None]) -> None:
    """Re-check what the role may do when another user signs in (where sign-in exists)."""
    signal = getattr(ctx, "sig_actor_changed", None)
    if signal is not None:
        signal.connect(slot)


def can(ctx: AppContext, permission: Permission) -> bool:
    actor = actor_of(ctx)
    return actor is None or actor.can(permission)


def my_person_id(ctx: AppContext) -> int | None:
    actor = actor_of(ctx)
    return actor.person_id if actor is not None else None


def table_view(model: QAbstractItemModel, name: str, *, stretch: int | None = None) -> QTableView:
    """A read-only list. Columns are sized once, from their heading and the first rows shown, and
    then left alone (the user may drag them): ResizeToContents would ask the model for every cell
    of every loaded row on each reload (~10,000 calls for a 300-row page)."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    compact_rows(view)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table, as in every other field
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    ColumnSizer(view)
    return view


SAMPLE_ROWS = 40
"""Rows read to size a list's columns: enough to see a typical width, few enough to cost nothing."""


class ColumnSizer(QObject):
    """Fits each non-stretching column to its heading and a sample of rows, once: when the list
    first has rows (until then, to the heading alone)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.done = False
        model = view.model()
        model.modelReset.connect(self.fit)
        model.rowsInserted.connect(self.fit)
        self.fit()

    def fit(self) -> None:
        if self.done:
            return
        view, model = self.view, self.view.model()
        header = view.horizontalHeader()
        rows = min(model.rowCount(), SAMPLE_ROWS)
        metrics = view.fontMetrics()
        padding = 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
        for col in range(model.columnCount()):
            if header.sectionResizeMode(col) == QHeaderView.ResizeMode.Stretch:
                continue
            width = header.sectionSizeFromContents(col).width()
            for row in range(rows):
                text = model.index(row, col).data()
                if text:
                    width = max(width, metrics.horizontalAdvance(str(text)) + padding + 8)
            header.resizeSection(col, min(width, 400))
        self.done = rows > 0


def commit_open_editor(view: QAbstractItemView) -> None:
    """Keep text still being typed into a cell when Save is pressed: Qt would commit it only
    after the save had run (Enter commits through a queued call)."""
    if view.state() != QAbstractItemView.State.EditingState:
        return
    editor = view.indexWidget(view.currentIndex())
    if editor is not None:
        view.commitData(editor)
        view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def compact_rows(view: QTableView) -> None:
    """Rows one line of text high, so a list shows as many rows as a paper form would."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)


def fit_rows(view: QTableView, rows: int, *, at_least: int = 2) -> None:
    """Make a short list exactly as tall as its rows (up to ``rows``), so no space is wasted."""
    count = max(at_least, min(rows, view.model().rowCount()))
    header = view.horizontalHeader().sizeHint().height()
    height = header + count * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth()
    if view.horizontalScrollBar().isVisible():
        height += view.horizontalScrollBar().sizeHint().height()
    view.setFixedHeight(height + 2)


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(MUTED)
    return label


def fill_people(
    combo: QComboBox,
    session: Session,
    service_id: int | None,
    *,
    blank: str | None = None,
    managers_only: bool = False,
    selected: int | None = None,
) -> None:
    """People who work at the home plus provider-level people; a provider meeting sees everyone."""
    combo.clear()
    found = [
        p
        for p in people.list_people(session, service_id=service_id)
        if not managers_only or is_manager(p)
    ]
    if not found:  # an empty picker says what is missing and where to add it
        combo.addItem(NO_MANAGERS if managers_only else NO_STAFF, None)
    elif blank is not None:
        combo.addItem(blank, None)
    combo.setToolTip("" if found else STAFF_HINT)
    for person in found:
        combo.addItem(f"{person.name} ({person.role})" if person.role else person.name, person.id)
    if selected is not None:
        combo.setCurrentIndex(max(0, combo.findData(selected)))


def fill_homes(combo: QComboBox, session: Session, *, all_label: str | None) -> None:
    """Homes in the picker; "all homes" first when there is more than one (or when asked).

    The first time, the picker opens on the home last chosen anywhere (``ui_state.last_home``);
    a home the user picks here becomes that home."""
    first = combo.count() == 0
    current = ui_state.last_home() if first else combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    homes = people.list_services(session)
    if all_label is not None and len(homes) != 1:
        combo.addItem(all_label, None)
    for service in homes:
        combo.addItem(service.name, service.id)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)
    if first:
        combo.activated.connect(lambda _i: ui_state.remember_home(combo.currentData()))


class SplitterMemory(QObject):
    """Opens a splitter at sensible proportions the first time, then as the user last left it."""

    def __init__(self, splitter: QSplitter, key: str, fractions: tuple[float, ...]) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.key = key
        self.fractions = fractions
        saved = ui_state.load_bytes(key)
        self._placed = saved is not None and splitter.restoreState(saved)
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(self._moved)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._placed and watched is self.splitter and event.type() == QEvent.Type.Resize:
            vertical = self.splitter.orientation() == Qt.Orientation.Vertical
            total = self.splitter.height() if vertical else self.splitter.width()
            if total > 200:
                self.splitter.setSizes([int(total * f) for f in self.fractions])
                self._placed = True
        return False

    def _moved(self, _pos: int, _index: int) -> None:
        ui_state.save_bytes(self.key, self.splitter.saveState())


def why_disabled(ctx: AppContext, permission: Permission, home: QComboBox | None, what: str) -> str:
    """Why a "new …" command cannot be used now, in words that point to the way round it, or ""
    when it can. ``what`` completes "does not allow you to …" (e.g. "log incidents")."""
    actor = actor_of(ctx)
    if actor is not None and not actor.can(permission):
        return f"Your role ({actor.role.value}) does not allow you to {what}."
    if home is not None and home.currentData() is None:
        if any(home.itemData(i) is not None for i in range(home.count())):
            return (
                "Choose a care home in the list at the top first: each record belongs to one home."
            )
        return "No care homes yet — an administrator adds one in Administration ▸ Homes."
    return ""


def enable_or_explain(widget: QWidget, reason: str) -> None:
    """Enable the control, or disable it with a tooltip saying why (and what to do about it)."""
    if widget.isEnabled() != (not reason):
        widget.setEnabled(not reason)
    if widget.toolTip() != reason:
        widget.setToolTip(reason)


def nothing_yet(what: str, button: str, home: QComboBox) -> str:
    """What an empty list says: how to add the first one (and to pick a home first if needed)."""
    if home.currentData() is None and home.count() > 1:
        return f" No {what} here yet: choose a care home, then {button} (Ctrl+N)."
    return f" No {what} here yet: {button} (Ctrl+N) adds the first."
