"""Pieces shared by the Trackers, Incidents, Observations and Logs tabs: the filter bar, the export
button's file dialog, and the "link to an action" picker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)
from sqlalchemy.orm import Session

from ...services.errors import ServiceError
from ...services.records import spreadsheets
from ...services.records.listing import action_choices
from ..context import AppContext
from ..widgets.forms import UK_DATE_FORMAT, report_problem

SEARCH_DELAY_MS = 250
NO_DATE = QDate(2000, 1, 1)  # the date edits' minimum, shown as "any"
EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV, comma separated (*.csv)"


def choose_export_path(parent: QWidget, suggested: str) -> Path | None:
    """Ask where to save an export. Tests replace this function."""
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export the list", str(Path.home() / suggested), EXPORT_FILTER
    )
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in spreadsheets.FORMATS:
        target = target.with_suffix(".csv" if "csv" in chosen.lower() else ".xlsx")
    return target


def export_list(
    parent: QWidget,
    ctx: AppContext,
    suggested: str,
    make_table: Callable[[Session], spreadsheets.Table],
) -> int | None:
    """Export what the list shows (its current filter) to a file the user picks."""
    target = choose_export_path(parent, suggested)
    if target is None:
        return None
    try:
        with ctx.db.reading() as session:
            count = spreadsheets.write(target, make_table(session))
    except ServiceError as exc:
        report_problem(parent, "Export", exc)
        return None
    window = parent.window()
    status = getattr(window, "statusBar", None)
    if callable(status):
        status().showMessage(f"Exported {count} rows to {target}", 8000)
    return count


class OptionalDateFilter(QDateEdit):
    """A date for a filter that can be left as "any" (its lowest value)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setDisplayFormat(UK_DATE_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumDate(NO_DATE)
        self.setMaximumDate(QDate(2100, 12, 31))
        self.setSpecialValueText("any")
        self.setDate(NO_DATE)
        self.setAccessibleName(name)
        self.setMinimumWidth(112)

    def value(self) -> date | None:
        return None if self.date() == NO_DATE else self.date().toPython()  # type: ignore[no-any-return]

    def set_value(self, value: date | None) -> None:
        self.setDate(NO_DATE if value is None else QDate(value.year, value.month, value.day))


class FilterBar(QWidget):
    """Search box and a date range; says when the filter changed, a moment after typing stops."""

    sig_changed = Signal()
    """Emitted when the search text (after a short pause) or a date changes."""

    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search")
        self.date_from = OptionalDateFilter("From date")
        self.date_to = OptionalDateFilter("To date")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.sig_changed.emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.apply_now)
        self.date_from.dateChanged.connect(lambda _d: self.sig_changed.emit())
        self.date_to.dateChanged.connect(lambda _d: self.sig_changed.emit())
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Search:")
        label.setBuddy(self.search)
        self.row.addWidget(label)
        self.row.addWidget(self.search, 3)
        for text, edit in (("From", self.date_from), ("to", self.date_to)):
            caption = QLabel(text)
            caption.setBuddy(edit)
            self.row.addWidget(caption)
            self.row.addWidget(edit)

    def add(self, widget: QWidget, label: str = "", stretch: int = 0) -> None:
        if label:
            caption = QLabel(label)
            caption.setBuddy(widget)
            self.row.addWidget(caption)
        self.row.addWidget(widget, stretch)

    def apply_now(self) -> None:
        self._timer.stop()
        self.sig_changed.emit()

    def text(self) -> str:
        return self.search.text()

    def focus(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()


def action_combo(session: Session, service_id: int, selected: int | None) -> QComboBox:
    combo = QComboBox()
    fill_actions(combo, session, service_id, selected)
    combo.setAccessibleName("Linked action")
    combo.setMinimumContentsLength(30)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


def fill_actions(combo: QComboBox, session: Session, service_id: int, selected: int | None) -> None:
    combo.clear()
    combo.addItem("(not linked to an action)", None)
    for choice in action_choices(session, service_id, include_id=selected):
        combo.addItem(choice.label, choice.id)
    combo.setCurrentIndex(max(0, combo.findData(selected)))


def button(
    text: str, slot: Callable[[], object], *, shortcut: str = "", tip: str = ""
) -> QPushButton:
    widget = QPushButton(text)
    widget.clicked.connect(lambda _checked=False: slot())
    if shortcut:
        widget.setToolTip(f"{tip or text.replace('&', '').rstrip('…')} ({shortcut})")
        QShortcut(QKeySequence(shortcut), widget, activated=slot)
    elif tip:
        widget.setToolTip(tip)
    return widget


def keep_rows_compact(form: QFormLayout, grow: QWidget | None = None) -> None:
    """Rows keep their natural height; only ``grow`` (a field widget) takes spare room, so a
    short text box does not float in the middle of a tall row."""
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        holder = item.widget() if item is not None else None
        if holder is None:
            continue
        inside = grow is not None and (holder is grow or holder.isAncestorOf(grow))
        policy = holder.sizePolicy()
        policy.setVerticalPolicy(
            QSizePolicy.Policy.Expanding if inside else QSizePolicy.Policy.Maximum
        )
        holder.setSizePolicy(policy)


def bring_records_up_to_date(ctx: AppContext, service_id: int | None = None) -> None:
    """Housekeeping the record tabs do when they load, each a quick check first:

    - a home gets the built-in trackers it lacks (or a newer shipped version of them);
    - measures worked out from records get this week's point, and incidents whose 7 days ran
      out since the last count are counted as late.
    """
    from ...services.records import derived_measures, trackers

    today = ctx.today()
    with ctx.db.reading() as session:
        stale = derived_measures.needs_update(session, today)
        install = service_id is not None and _trackers_missing(session, service_id)
    if not (stale or install):
        return
    # Housekeeping, not the user's change: it runs as the system so a viewer's screen still loads.
    with ctx.db.unit_of_work() as session:
        if install and service_id is not None:
            trackers.install_builtin_trackers(session, service_id)
        if stale:
            derived_measures.bring_up_to_date(session, today)


def _trackers_missing(session: Session, service_id: int) -> bool:
    from sqlalchemy import select

    from ...models import Tracker
    from ...services.records.trackers import load_tracker_definitions

    have = dict(
        session.execute(
            select(Tracker.key, Tracker.definition_version).where(
                Tracker.service_id == service_id, Tracker.builtin.is_(True)
            )
        ).all()
    )
    return any(have.get(d["key"], -1) < d["version"] for d in load_tracker_definitions())
