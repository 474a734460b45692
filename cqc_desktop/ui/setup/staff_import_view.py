"""Importing a staff list in the window: pick a file, see row by row what would happen (and
every problem, by the row number Excel shows), then import all of it or nothing.

``StaffFilePicker`` and ``StaffPreviewView`` are shared by the set-up wizard's last page and the
Staff list's Import… dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...formatting import uk_date
from ...services.errors import ServiceError
from ...services.setup import staff_import
from ...services.setup.staff_import import StaffPreview
from ...services.spreadsheets import Sheet, read_sheet
from ..context import AppContext
from ..widgets.forms import ERROR_COLOUR, compact_rows, warn

FILE_FILTER = "Spreadsheets (*.xlsx *.xls *.ods *.csv);;All files (*)"
OUTCOME_TEXT = {
    staff_import.NEW: "New",
    staff_import.ALREADY_LISTED: "Already listed: merged, not added again",
    staff_import.ADDED_TO_HOME: "Listed at another home: added to this one too",
}
HEADINGS_HINT = (
    "The first row must hold headings: <b>Name</b> (needed; or <b>First name</b> and "
    "<b>Surname</b>), and any of <b>Job title</b>, "
    "<b>Start date</b>, <b>Leaving date</b>, <b>Email</b>. Dates as dd/mm/yyyy. Excel, "
    "LibreOffice and CSV files are all fine."
)


class StaffFilePicker(QWidget):
    """A file name box with Choose…; ``sig_sheet`` carries the file read (or None if cleared)."""

    sig_sheet = Signal(object)
    """The ``Sheet`` read from the chosen file, or None when the box is emptied."""

    sig_problem = Signal(str)
    """Why the chosen file cannot be read (it is not a spreadsheet, it is missing…)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setAccessibleName("Staff list file")
        self.path.setPlaceholderText("Type or choose the file, e.g. C:\\Users\\…\\Staff list.xlsx")
        self.path.editingFinished.connect(self.read)
        choose = QPushButton("C&hoose file…")
        choose.clicked.connect(self.choose)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        self._read_text = ""

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Staff list", str(Path.home()), FILE_FILTER)
        if path:
            self.path.setText(path)
            self._read_text = ""  # the same file again: read it again (it may have been fixed)
            self.read()

    def read(self) -> None:
        text = self.path.text().strip().strip('"')
        if text == self._read_text:
            return
        self._read_text = text
        if not text:
            self.sig_sheet.emit(None)
            return
        try:
            sheet = read_sheet(Path(text))
        except ServiceError as exc:
            self.sig_problem.emit(str(exc))
            return
        self.sig_sheet.emit(sheet)


class StaffPreviewView(QWidget):
    """The preview: one line per row of the file, then every problem in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName("Staff list preview")
        self.table.setHorizontalHeaderLabels(
            ["Row", "Name", "Job title", "Start date", "What happens"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        compact_rows(self.table)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Staff list check")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.preview: StaffPreview | None = None
        self.clear()

    def clear(self, message: str = "") -> None:
        self.preview = None
        self.table.setRowCount(0)
        self.table.hide()
        self._say(message, error=bool(message))

    def _say(self, text: str, *, error: bool) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self.summary.setVisible(bool(text))

    def show_preview(self, preview: StaffPreview) -> None:
        self.preview = preview
        self.table.setRowCount(len(preview.rows))
        for i, row in enumerate(preview.rows):
            cells = (
                str(row.row),
                row.data.name,
                row.data.job_title,
                uk_date(row.data.start_date),
                OUTCOME_TEXT.get(row.outcome, row.outcome),
            )
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.table.setVisible(bool(preview.rows))
        if preview.ok:
            self._say(preview.describe() + " Nothing is added until you import.", error=False)
        else:
            shown = "\n".join(preview.problems[:50])
            more = len(preview.problems) - 50
            extra = f"\n…and {more} more." if more > 0 else ""
            self._say(
                "This file cannot be imported as it is; nothing will be added until every row "
                f"is right. Correct these rows in the file and choose it again:\n{shown}{extra}",
                error=True,
            )


class StaffImportDialog(QDialog):
    """Administration ▸ Staff ▸ Import…: a staff list into one home, all or nothing."""

    def __init__(
        self, ctx: AppContext, home_id: int, home_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.home_id = home_id
        self.setWindowTitle(f"Import a staff list into {home_name}")
        self.result_text = ""
        hint = QLabel(HEADINGS_HINT)
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.RichText)
        self.picker = StaffFilePicker()
        self.view = StaffPreviewView()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.import_button.setToolTip(
            "Choose a staff list file first; it is checked before import."
        )
        self.buttons.accepted.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)
        self.picker.sig_sheet.connect(self.check)
        self.picker.sig_problem.connect(self.view.clear)
        self.picker.sig_problem.connect(lambda _m: self.import_button.setEnabled(False))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.picker)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 460)

    def check(self, sheet: Sheet | None) -> None:
        if sheet is None:
            self.view.clear()
            self.import_button.setEnabled(False)
            return
        with self.ctx.db.reading() as session:
            preview = staff_import.preview_sheet(session, self.home_id, sheet)
        self.view.show_preview(preview)
        self.import_button.setEnabled(preview.ok)
        self.import_button.setToolTip(
            ""
            if preview.ok
            else "Correct the rows listed in the file first: nothing is imported "
            "until every row is right."
        )

    def do_import(self) -> None:
        preview = self.view.preview
        if preview is None or not preview.ok:
            return
        try:
            with self.ctx.unit_of_work() as session:
                result = staff_import.import_staff(session, preview)
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return
        self.result_text = result.describe()
        self.ctx.sig_data_changed.emit("person")
        self.accept()


def connect_picker(
    picker: StaffFilePicker, view: StaffPreviewView, preview: Callable[[Sheet], StaffPreview]
) -> None:
    """Preview each file chosen with ``preview`` (the caller decides which home it goes to)."""

    def chosen(sheet: Sheet | None) -> None:
        if sheet is None:
            view.clear()
            return
        try:
            view.show_preview(preview(sheet))
        except ServiceError as exc:
            view.clear(str(exc))

    picker.sig_sheet.connect(chosen)
    picker.sig_problem.connect(view.clear)
