"""Importing an Excel or CSV file into a tracker: match the file's columns, see every problem by
row and column, then import all the rows, or only the valid ones. Nothing is written before the
import button is pressed, and then it is all in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError, ValidationError
from ...services.records import import_values, importers, trackers
from ..context import AppContext
from ..widgets.forms import report_problem
from ..widgets.signed_in import actor_of, muted

PREVIEW_ROWS = 15
IMPORT_FILTER = "Spreadsheets (*.xlsx *.xls *.ods *.csv *.txt);;All files (*)"
LEAVE = "(leave it: the row is refused)"
BIG_ROWS = 20_000  # from here a step takes seconds: a small window says what is happening
BIG_FILE_BYTES = 2_000_000


class Busy:
    """A window over the import dialog saying what a long step is doing, with how far it has got
    when the step can say so. It has no Cancel: an import is all or nothing and ends by itself."""

    def __init__(self, parent: QWidget, text: str, total: int = 0) -> None:
        self.dialog = QProgressDialog(text, "", 0, total, parent)
        self.dialog.setCancelButton(None)
        self.dialog.setWindowTitle("Import")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setValue(0)
        QApplication.processEvents()  # painted before the work starts

    def step(self, done: int, total: int) -> None:
        """Between batches of rows while checking: only reading, so other events may run."""
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        QApplication.processEvents()

    def close(self) -> None:
        self.dialog.close()
        self.dialog.deleteLater()


@contextmanager
def busy(parent: QWidget, text: str, *, big: bool, total: int = 0) -> Iterator[Busy | None]:
    """The wait cursor always; the Busy window too for a big file."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    window = Busy(parent, text, total) if big else None
    try:
        yield window
    finally:
        if window is not None:
            window.close()
        QGuiApplication.restoreOverrideCursor()


def choose_import_path(parent: QWidget) -> Path | None:
    """Ask which file to import. Tests replace this function."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import into the tracker", str(Path.home()), IMPORT_FILTER
    )
    return Path(path) if path else None


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ImportDialog(QDialog):
    def __init__(self, parent: QWidget | None, ctx: AppContext, tracker_id: int) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tracker_id = tracker_id
        self.sheet: importers.Sheet | None = None
        self.check: importers.ImportCheck | None = None
        self.imported = 0
        with ctx.db.reading() as session:
            tracker = trackers.get_tracker(session, tracker_id)
            self.columns = list(tracker.columns)
            self.tracker_name = tracker.name
            self.saved_map = import_values.saved_value_map(session, tracker_id)
        # Values in the file the tracker does not list, each mapped here to one it does.
        self.value_box = QGroupBox("Values the tracker does not list")
        self.value_form = QFormLayout(self.value_box)
        self.value_combos: dict[tuple[str, str], QComboBox] = {}
        self.value_box.hide()
        self.setWindowTitle(f"Import into the {self.tracker_name}")
        self.setMinimumSize(900, 640)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.mapping_box = QGroupBox("Which column of the file goes into each tracker column")
        self.mapping_form = QFormLayout(self.mapping_box)
        self.combos: dict[str, QComboBox] = {}
        self.preview = _table([], "File preview")
        self.problems = _table(["Row", "Column", "Value in the file", "Problem"], "Problems")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Import summary")
        self.mapping_error = QLabel()
        self.mapping_error.setWordWrap(True)
        self.mapping_error.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_all = QPushButton("Import &all rows")
        self.import_valid = QPushButton("Import only the &valid rows")
        buttons.addButton(self.import_all, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.import_valid, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.import_all.clicked.connect(lambda: self.run_import(only_valid=False))
        self.import_valid.clicked.connect(lambda: self.run_import(only_valid=True))
        top = QHBoxLayout()
        top.addWidget(self.mapping_box, 2)
        side = QVBoxLayout()
        side.addWidget(QLabel("<b>First rows of the file</b>"))
        side.addWidget(self.preview, 1)
        top.addLayout(side, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addLayout(top, 3)
        layout.addWidget(self.mapping_error)
        layout.addWidget(self.value_box)
        layout.addWidget(QLabel("<b>Problems, by row of the spreadsheet</b>"))
        layout.addWidget(self.problems, 2)
        layout.addWidget(self.summary)
        layout.addWidget(muted("Nothing is written until you import. An import is all or nothing."))
        layout.addWidget(buttons)

    def choose_file(self) -> bool:
        path = choose_import_path(self)
        return path is not None and self.load_file(path)

    def load_file(self, path: Path) -> bool:
        try:
            size = path.stat().st_size if path.is_file() else 0
            with busy(self, f"Reading {path.name}…", big=size >= BIG_FILE_BYTES):
                self.sheet = importers.read_sheet(path)
        except ServiceError as exc:
            report_problem(self.parentWidget(), "Import", exc)
            return False
        sheet = self.sheet
        how = sheet.encoding + (f", separated by “{sheet.delimiter}”" if sheet.delimiter else "")
        self.file_label.setText(
            f"<b>{path.name}</b> — {len(sheet.rows)} rows with something in them ({how})."
        )
        mapping = importers.guess_mapping(self.columns, sheet.headers)
        for column in self.columns:
            combo = QComboBox()
            combo.addItem("(leave empty)", None)
            for n, header in enumerate(sheet.headers):
                combo.addItem(header, n)
            combo.setCurrentIndex(max(0, combo.findData(mapping[column["key"]])))
            combo.setAccessibleName(f"File column for {column['label']}")
            combo.currentIndexChanged.connect(lambda _i: self.recheck())
            label = column["label"] + (" *" if column.get("required") else "")
            self.mapping_form.addRow(label, combo)
            self.combos[column["key"]] = combo
        self.preview.setColumnCount(len(sheet.headers))
        self.preview.setHorizontalHeaderLabels(sheet.headers)
        self.preview.setRowCount(min(PREVIEW_ROWS, len(sheet.rows)))
        for r, (_n, cells) in enumerate(sheet.rows[:PREVIEW_ROWS]):
            for c, value in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
        self.preview.resizeColumnsToContents()
        self.recheck()
        return True

    def mapping(self) -> importers.Mapping:
        return {key: combo.currentData() for key, combo in self.combos.items()}

    def chosen_values(self) -> import_values.ValueMap:
        """The values mapped in this dialog (remembered for the tracker once imported)."""
        chosen: import_values.ValueMap = {}
        for (key, value), combo in self.value_combos.items():
            if combo.currentData() is not None:
                chosen.setdefault(key, {})[value] = str(combo.currentData())
        return chosen

    def value_map(self) -> import_values.ValueMap:
        merged = {key: dict(pairs) for key, pairs in self.saved_map.items()}
        for key, pairs in self.chosen_values().items():
            merged.setdefault(key, {}).update(pairs)
        return merged

    def _offer_values(self, unlisted: dict[str, list[str]]) -> None:
        """A picker for each value not seen before (kept while the dialog is open)."""
        labels = {c["key"]: c for c in self.columns}
        for key, values in unlisted.items():
            column = labels[key]
            for value in values:
                if (key, value) in self.value_combos:
                    continue
                combo = QComboBox()
                combo.addItem(LEAVE, None)
                for choice in column["choices"]:
                    combo.addItem(choice, choice)
                combo.setMaximumWidth(320)
                combo.setAccessibleName(f"{column['label']}: read {value} as")
                combo.currentIndexChanged.connect(lambda _i: self.recheck())
                self.value_form.addRow(f"{column['label']} “{value}” means:", combo)
                self.value_combos[(key, value)] = combo
        remembered = [
            f"{labels[k]['label']} “{v}” → {t}"
            for k, pairs in self.saved_map.items()
            if k in labels
            for v, t in pairs.items()
        ]
        self.value_box.setTitle(
            "Values the tracker does not list"
            + (f" (remembered: {', '.join(remembered)})" if remembered else "")
        )
        self.value_box.setVisible(bool(self.value_combos) or bool(remembered))

    def recheck(self) -> None:
        if self.sheet is None:
            return
        self.check = None
        self.mapping_error.setText("")
        rows = len(self.sheet.rows)
        try:
            with (
                busy(self, f"Checking {rows:,} rows…", big=rows >= BIG_ROWS, total=rows) as window,
                self.ctx.db.reading() as session,
            ):
                tracker = trackers.get_tracker(session, self.tracker_id)
                unlisted = import_values.unlisted_values(
                    tracker, self.sheet, self.mapping(), self.saved_map
                )
                self.check = importers.check_import(
                    session,
                    self.tracker_id,
                    self.sheet,
                    self.mapping(),
                    progress=window.step if window is not None else None,
                    value_map=self.value_map(),
                )
            self._offer_values(unlisted)
        except ValidationError as error:
            self.mapping_error.setText(" ".join(error.errors.values()))
        self._show_check()

    def _show_check(self) -> None:
        check = self.check
        shown = check.problems[: importers.MAX_PROBLEMS_SHOWN] if check else []
        self.problems.setRowCount(len(shown))
        for r, problem in enumerate(shown):
            column = problem.column + (
                f" (file: {problem.header})"
                if problem.header and problem.header != problem.column
                else ""
            )
            for c, text in enumerate((str(problem.row), column, problem.value, problem.message)):
                self.problems.setItem(r, c, QTableWidgetItem(text))
        self.problems.resizeColumnsToContents()
        self.problems.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        if check is None:
            self.summary.setText("Choose a file column for every column marked *.")
        else:
            extra = ""
            if len(check.problems) > len(shown):
                extra = f" The first {len(shown)} problems are listed."
            self.summary.setText(check.summary() + extra)
        self.import_all.setEnabled(
            check is not None and not check.bad_rows and check.valid_count > 0
        )
        new_rows = (check.total - check.already_imported) if check else 0
        self.import_all.setText(
            f"Import &all {new_rows} new rows"
            if check is not None and check.already_imported
            else f"Import &all {check.total if check else 0} rows"
        )
        self.import_all.setToolTip(
            ""
            if self.import_all.isEnabled()
            else "Nothing new to import: every row is already in the tracker."
            if check is not None and check.already_imported and not check.bad_rows
            else "Correct the problems listed, or map the values the tracker does not list."
        )
        self.import_valid.setVisible(check is not None and bool(check.bad_rows))
        self.import_valid.setEnabled(check is not None and check.valid_count > 0)
        valid = check.valid_count if check else 0
        self.import_valid.setText(
            "Import only the &valid row" if valid == 1 else f"Import only the &valid {valid} rows"
        )

    def run_import(self, *, only_valid: bool) -> None:
        if self.sheet is None or self.check is None:
            return
        rows = self.check.valid_count
        try:
            # No events are handled while the rows are written (a timer's save would wait on
            # this transaction's lock), so the Busy window shows no count: it says what is going on.
            with (
                busy(self, f"Importing {rows:,} rows…", big=rows >= BIG_ROWS),
                self.ctx.db.unit_of_work(actor_of(self.ctx)) as session,
            ):
                result = importers.import_rows(
                    session,
                    self.tracker_id,
                    self.sheet,
                    self.mapping(),
                    only_valid=only_valid,
                    today=self.ctx.today(),
                    checked=self.check,
                )
                if self.chosen_values():
                    import_values.remember_value_map(session, self.tracker_id, self.chosen_values())
        except ServiceError as exc:
            report_problem(self, "Import", exc)
            return
        self.imported = result.imported
        window = self.parentWidget().window() if self.parentWidget() else None
        if window is not None and hasattr(window, "statusBar"):
            skipped = f"; {result.skipped} rows with problems left out" if result.skipped else ""
            window.statusBar().showMessage(
                f"Imported {result.imported} rows into the {self.tracker_name}{skipped}.", 10000
            )
        self.accept()
