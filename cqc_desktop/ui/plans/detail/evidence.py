"""The Evidence tab: what shows the action worked, who tested it, the files behind it, and the
triangulation view (records, staff accounts, people's experience, management oversight)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ....formatting import uk_date
from ....models import Action, Attachment
from ....models.enums import Supports
from ....services.errors import ServiceError
from ....services.plans import evidence
from ....services.plans.evidence import LinkedEvidence, linked_observation_evidence
from ....services.reference import source_types
from ...context import AppContext
from ...widgets.forms import ErrorLabel, compact_rows

ID_ROLE = Qt.ItemDataRole.UserRole + 1
AGAINST = QBrush(QColor("#b3261e"))
PARTLY = QBrush(QColor("#9a6700"))
STRAND_LABELS = {
    "records": "Records",
    "staff accounts": "Staff accounts",
    "people's and relatives' experience": "People's and relatives' experience",
    "management oversight": "Management oversight",
}
STRAND_LOOK = {
    "Supports": ("✔", "#1e7b34"),
    "Conflicting": ("⚠", "#9a6700"),
    "Does not support": ("✘", "#b3261e"),
    "No evidence": ("—", "#777777"),
}


def open_file(path: Path) -> bool:
    """Open a file with the system's viewer (replaced in tests)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class TriangulationView(QGroupBox):
    """Four strands, each with ✔ / ⚠ / ✘ / — and the counts behind it."""

    def __init__(self) -> None:
        super().__init__("Triangulation")
        self.setAccessibleName("Triangulation")
        self.setMinimumWidth(250)
        self.grid = QGridLayout(self)
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        for i, (key, name) in enumerate(STRAND_LABELS.items()):
            mark, title, detail = QLabel(), QLabel(f"<b>{name}</b>"), QLabel()
            mark.setStyleSheet("font-size: 15pt;")
            title.setWordWrap(True)
            detail.setWordWrap(True)
            self.grid.addWidget(mark, i * 2, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(title, i * 2, 1)
            self.grid.addWidget(detail, i * 2 + 1, 1)
            self.rows[key] = (mark, title, detail)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.grid.addWidget(self.verdict, len(STRAND_LABELS) * 2, 0, 1, 2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setRowStretch(len(STRAND_LABELS) * 2 + 1, 1)

    def set_strands(self, strands: list[evidence.Strand]) -> None:
        covered = 0
        conflict = False
        for strand in strands:
            mark, _title, detail = self.rows[strand.name]
            symbol, colour = STRAND_LOOK[strand.status]
            mark.setText(f"<span style='color:{colour}'>{symbol}</span>")
            mark.setAccessibleName(f"{STRAND_LABELS[strand.name]}: {strand.status}")
            if strand.items:
                covered += 1
                detail.setText(
                    f"{strand.status}: {strand.items} item{'s' if strand.items != 1 else ''}"
                    + (f", {strand.against} against" if strand.against else "")
                )
            else:
                detail.setText("No evidence yet")
            conflict = conflict or strand.against > 0
        if covered == len(strands) and not conflict:
            self.verdict.setText("All four strands have evidence and agree.")
        elif conflict:
            self.verdict.setText(
                "<span style='color:#9a6700'>Some evidence disagrees: look into it before "
                "closing.</span>"
            )
        else:
            self.verdict.setText(f"{covered} of {len(strands)} strands have evidence.")


class EvidencePanel(QWidget):
    """Evidence table on the left, triangulation on the right."""

    sig_add_requested = Signal()
    """The user asked to add evidence (the detail opens the dialog)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._attachments: dict[int, list[tuple[str, str]]] = {}
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(
            ["Collected", "Evidence", "Source type", "Supports", "Tested", "Linked to", "Files"]
        )
        self.table.setAccessibleName("Evidence")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        compact_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        for col, width in ((0, 84), (2, 130), (3, 64), (4, 160), (5, 140), (6, 40)):
            self.table.setColumnWidth(col, width)
        self.table.itemActivated.connect(lambda _item: self.open_attachment())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.add_button = QPushButton("Add evidence…")
        self.add_button.clicked.connect(self.sig_add_requested.emit)
        self.open_button = QPushButton("Open attach&ment")
        self.open_button.clicked.connect(self.open_attachment)
        self.error = ErrorLabel()
        self.triangulation = TriangulationView()
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.summary)
        col.addWidget(self.table, 1)
        col.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        col.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.triangulation)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def load(self, session: Session, action: Action) -> None:
        items = evidence.evidence_for(session, action.id)
        names = {s.code: s.name for s in source_types()}
        self._attachments = {}
        self.table.setRowCount(len(items))
        for row, e in enumerate(items):
            tested = (
                f"{e.tested_by.name} {uk_date(e.tested_on)}".strip()
                if e.tested_by
                else "Not tested"
            )
            cells = [
                uk_date(e.collected_on),
                e.title,
                names.get(e.source_type, e.source_type),
                e.supports,
                tested,
                evidence.linked_label(session, e),
                str(len(e.attachments)) if e.attachments else "",
            ]
            self._attachments[e.id] = [(a.original_name, a.stored_name) for a in e.attachments]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, e.id)
                if col == 3 and text == Supports.NO:
                    item.setForeground(AGAINST)
                elif col == 3 and text == Supports.PARTLY:
                    item.setForeground(PARTLY)
                if col == 1:
                    item.setToolTip(f"{e.title}\n{e.description}".strip())
                if col == 2:
                    item.setToolTip(f"CQC evidence category: {e.category}")
                if col == 6 and e.attachments:
                    item.setToolTip("\n".join(a.original_name for a in e.attachments))
                self.table.setItem(row, col, item)
        linked = linked_observation_evidence(session, action.id)
        self._add_linked_rows(linked, names)
        counts = evidence.evidence_counts(session, action.id)
        self.summary.setText(
            f"<b>{len(items) + len(linked)}</b> item{'s' if len(items) + len(linked) != 1 else ''}: "
            + ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
            if items or linked
            else "No evidence yet. Evidence from several sources — including a practice "
            "observation and feedback — is needed before the action can close."
        )
        self.triangulation.set_strands(evidence.triangulation(session, action.id))
        self.error.set_error("")

    def _add_linked_rows(self, linked: list[LinkedEvidence], names: dict[str, str]) -> None:
        """Observations recorded against this action count as evidence without being re-entered."""
        start = self.table.rowCount()
        self.table.setRowCount(start + len(linked))
        for row, o in enumerate(linked, start=start):
            cells = [
                uk_date(o.collected_on),
                o.title,
                names.get(o.source_type, o.source_type),
                o.supports,
                "Observed in practice",
                "Linked observation",
                "",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 3 and text == Supports.NO:
                    item.setForeground(AGAINST)
                elif col == 3 and text == Supports.PARTLY:
                    item.setForeground(PARTLY)
                if col == 1:
                    item.setToolTip(f"{o.title}\n{o.description}".strip())
                self.table.setItem(row, col, item)

    def open_attachment(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            self.error.set_error("Select the evidence first.")
            return
        files = self._attachments.get(item.data(ID_ROLE), [])
        if not files:
            self.error.set_error("This evidence has no attached files.")
            return
        if len(files) == 1:
            self._open(files[0][1], files[0][0])
            return
        menu = QMenu(self)
        for original, stored in files:
            menu.addAction(original, lambda s=stored, o=original: self._open(s, o))
        rect = self.table.visualItemRect(item)
        menu.popup(self.table.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 2)))

    def _open(self, stored: str, original: str) -> None:
        attachment = Attachment(original_name=original, stored_name=stored)
        try:
            path = evidence.attachment_path(attachment, self.ctx.db.location.attachments_dir)
        except ServiceError as exc:
            self.error.set_error(str(exc))
            return
        if not open_file(path):
            self.error.set_error(f"No program on this computer could open {original}.")
        else:
            self.error.set_error("")
