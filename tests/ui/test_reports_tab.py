"""The Reports tab through its real widgets (offscreen): generate in the background, preview,
print and save."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from cqc_desktop.config import resolve
from cqc_desktop.db import Database
from cqc_desktop.reports import catalogue
from cqc_desktop.services.demo.loader import seed_demo
from cqc_desktop.ui.context import AppContext
from cqc_desktop.ui.main_window import MainWindow
from cqc_desktop.ui.reporting.reports_tab import ReportsTab

TODAY = date(2026, 11, 26)
WAIT_MS = 60_000  # a loaded CI machine; the signal normally arrives within a second or two


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    location = resolve(str(tmp_path_factory.mktemp("reports-tab") / "demo.sqlite3"))
    db = Database(location)
    with db.unit_of_work() as session:
        seed_demo(session, TODAY, location.attachments_dir)
    yield db
    db.dispose()


@pytest.fixture
def tab(qtbot: QtBot, demo_db: Database) -> ReportsTab:
    widget = ReportsTab(AppContext(demo_db, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    return widget


def generate(qtbot: QtBot, tab: ReportsTab) -> int:
    with qtbot.waitSignal(tab.sig_generated, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
        # While it is being made, the button is off and the progress bar shows.
        assert not tab.generate_button.isEnabled()
        assert tab.progress.isVisible()
    assert tab.generate_button.isEnabled() and not tab.progress.isVisible()
    return int(blocker.args[0])


def test_monthly_report_is_made_in_the_background_and_previewed(
    qtbot: QtBot, tab: ReportsTab
) -> None:
    tab.select_kind(catalogue.MONTHLY)
    assert tab.home.currentText() == "Willow Court Care Home"
    assert tab.month.currentText() == "November 2026"
    pages = generate(qtbot, tab)
    assert pages > 3
    assert tab.preview.document.pageCount() == pages
    assert tab.preview.print_button.isEnabled()
    assert f"{pages} pages" in tab.status.text()
    assert "Monthly QA report (Willow Court Care Home, November 2026)" in tab.status.text()


def test_printing_sends_every_page_to_the_printer(
    qtbot: QtBot, tab: ReportsTab, tmp_path: Path
) -> None:
    tab.select_kind(catalogue.ACTION_PLAN)
    pages = generate(qtbot, tab)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(72)  # quick: the test checks pages, not print quality
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(tab.preview.sig_printed) as blocker:
        tab.preview.print_to(printer)
    assert blocker.args == [pages]
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == pages


def test_save_writes_the_pdf_that_was_previewed(
    qtbot: QtBot, tab: ReportsTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.select_kind(catalogue.FORM)
    tab.form.setCurrentIndex(tab.form.findData("handover-learning"))
    generate(qtbot, tab)
    target = tmp_path / "handover"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF files (*.pdf)")
    )
    with qtbot.waitSignal(tab.preview.sig_saved):
        tab.preview.save_dialog()
    saved = tmp_path / "handover.pdf"
    assert saved.read_bytes() == tab.preview.pdf_bytes
    text = PdfReader(io.BytesIO(saved.read_bytes())).pages[0].extract_text()
    assert "Handover learning record" in text and "Willow Court Care Home" in text


def test_a_bad_date_range_is_explained_beside_the_options(qtbot: QtBot, tab: ReportsTab) -> None:
    tab.select_kind(catalogue.COMMISSIONER)
    tab.start.setDate(QDate(2026, 11, 1))
    tab.end.setDate(QDate(2026, 10, 1))
    tab.generate()
    assert tab.error.isVisible()
    assert "before its start" in tab.error.text()
    assert tab.end.hasFocus() or not tab.isActiveWindow()
    assert tab.generate_button.isEnabled()


def test_the_tab_is_in_the_main_window(qtbot: QtBot, demo_db: Database) -> None:
    window = MainWindow(AppContext(demo_db, today=lambda: TODAY))
    qtbot.addWidget(window)
    assert "Reports" in window.tab_titles()
