"""The Plans tab's filter bar: free-text search plus service, status, risk area, lead, key question,
quality statement and "overdue only". It only builds ``PlanFilters``; the SQL does the filtering."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)
from sqlalchemy.orm import Session

from ...models.enums import KeyQuestion, RiskArea
from ...services.plans import listing as plan_listing
from ...services.plans import tree as plan_tree
from ...services.plans.listing import STATUS_CHOICES, PlanFilters
from ...services.reference import framework
from ...services.setup import people
from ..widgets.forms import select_data

SEARCH_DELAY_MS = 250


def _combo(name: str, any_text: str, width: int = 10) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setToolTip(name)
    combo.addItem(any_text, None)
    combo.setMinimumContentsLength(width)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


class FilterBar(QWidget):
    """Emits ``sig_changed`` whenever the filters change (typing is debounced)."""

    sig_changed = Signal()
    """The filters changed; read them with ``filters()``."""

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search actions, findings, plans, leads…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search actions")
        self.search.setMinimumWidth(160)
        self.home = _combo("Care home", "All homes", 12)
        self.status = _combo("Status", "Any status", 9)
        for status in STATUS_CHOICES:
            self.status.addItem(
                "Open (not closed)" if status == plan_listing.STATUS_OPEN else status, status
            )
        self.risk_area = _combo("Risk area", "Any risk area", 10)
        for area in RiskArea:
            self.risk_area.addItem(area.value, area.value)
        self.lead = _combo("Lead", "Any lead", 10)
        self.key_question = _combo("Key question", "Any key question", 10)
        for kq in KeyQuestion:
            self.key_question.addItem(kq.value, kq.value)
        self.statement = _combo("Quality statement", "Any statement", 12)
        self.overdue = QCheckBox("&Overdue only")
        self.overdue.setToolTip("Open actions whose review or due date has passed")
        self.clear_button = QToolButton(text="Clear")
        self.clear_button.setToolTip("Clear every filter")
        self.clear_button.setAccessibleName("Clear filters")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.sig_changed.emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.apply_now)
        for combo in (self.home, self.status, self.risk_area, self.lead, self.statement):
            combo.currentIndexChanged.connect(self._changed)
        self.key_question.currentIndexChanged.connect(self._key_question_changed)
        self.overdue.toggled.connect(self._changed)
        self.clear_button.clicked.connect(self.clear)
        self._quiet = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        find = QLabel("&Search:")
        find.setBuddy(self.search)
        layout.addWidget(find)
        layout.addWidget(self.search, 3)
        for combo in (
            self.home,
            self.status,
            self.risk_area,
            self.lead,
            self.key_question,
            self.statement,
        ):
            layout.addWidget(combo, 1)
        layout.addWidget(self.overdue)
        layout.addWidget(self.clear_button)
        self._fill_statements()

    def apply_now(self) -> None:
        self._timer.stop()
        self.sig_changed.emit()

    def _changed(self) -> None:
        if not self._quiet:
            self.sig_changed.emit()

    def _key_question_changed(self) -> None:
        self._quiet = True
        self._fill_statements()
        self._quiet = False
        self._changed()

    def _fill_statements(self) -> None:
        kq = self.key_question.currentData()
        keep = self.statement.currentData()
        self.statement.blockSignals(True)
        while self.statement.count() > 1:
            self.statement.removeItem(1)
        for s in framework().statements:
            if kq is None or s.key_question == kq:
                self.statement.addItem(f"{s.code} {s.name}", s.code)
                self.statement.setItemData(
                    self.statement.count() - 1,
                    f"{s.key_question}: {s.name}",
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.statement.setCurrentIndex(max(0, self.statement.findData(keep)))
        self.statement.blockSignals(False)

    def load_choices(self, session: Session) -> None:
        """Care homes and leads come from the database; keep the current choice if still there.
        A combo is refilled only when its choices changed (a refresh usually changes neither)."""
        self._quiet = True
        homes = [(home.name, home.id) for home in people.list_services(session)]
        _refill(self.home, "All homes", homes)
        self.home.setVisible(len(homes) > 1)
        leads = plan_tree.leads(session, self.home.currentData())
        _refill(self.lead, "Any lead", [(name, pid) for pid, name in leads])
        self._quiet = False

    def clear(self) -> None:
        self._quiet = True
        self.search.clear()
        self._timer.stop()
        for combo in (
            self.status,
            self.risk_area,
            self.lead,
            self.key_question,
            self.statement,
        ):
            combo.setCurrentIndex(0)
        self.overdue.setChecked(False)
        self._quiet = False
        self.sig_changed.emit()

    def filters(
        self, *, plan_id: int | None = None, finding_id: int | None = None, archived: bool = False
    ) -> PlanFilters:
        return PlanFilters(
            service_id=self.home.currentData(),
            plan_id=plan_id,
            finding_id=finding_id,
            status=self.status.currentData(),
            risk_area=self.risk_area.currentData(),
            lead_id=self.lead.currentData(),
            key_question=self.key_question.currentData(),
            statement_code=self.statement.currentData(),
            overdue_only=self.overdue.isChecked(),
            text=self.search.text(),
            include_archived=archived,
        )

    def active(self) -> bool:
        f = self.filters()
        return bool(
            f.text.strip()
            or f.status
            or f.risk_area
            or f.lead_id is not None
            or f.key_question
            or f.statement_code
            or f.overdue_only
        )


def _refill(combo: QComboBox, any_text: str, choices: list[tuple[str, int]]) -> None:
    """Fill ``combo`` with "any" then (text, id) choices, keeping the current choice if still
    offered; untouched when the choices are the ones already there."""
    wanted: list[tuple[str, int | None]] = [(any_text, None), *choices]
    current = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    if wanted == current:
        return
    keep = combo.currentData()
    combo.clear()
    for text, ident in wanted:
        combo.addItem(text, ident)
    select_data(combo, keep)
    if combo.currentIndex() < 0:
        combo.setCurrentIndex(0)
