"""A PDF preview with print, save and open-in-viewer, built on QtPdf.

Printing renders each page of the PDF to an image at the printer's resolution and draws it on the
printer's page, so what prints is exactly what was previewed (no second layout engine involved).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import ui_state

LAST_FOLDER = "reports/last_folder"
# Enough for crisp text on paper without a 600 dpi page costing 140 MB as an image.
MAX_PRINT_DPI = 300


class PdfPreview(QWidget):
    """Shows one PDF (given as bytes) and offers Print, Save as and Open in the PDF viewer."""

    sig_saved = Signal(str)
    """Carries the path the PDF was saved to."""

    sig_printed = Signal(int)
    """Carries how many pages were sent to the printer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = Path(tempfile.mkdtemp(prefix="cqc-preview-"))
        folder = self._folder
        self.destroyed.connect(lambda *_: shutil.rmtree(folder, ignore_errors=True))
        self._pdf: bytes = b""
        self._name = "document.pdf"
        self._path: Path | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName("Document preview")
        self.placeholder = QLabel(
            "Choose a document and its options, then press Generate (Ctrl+G).\n"
            "The preview appears here; print it, save it or open it in your PDF viewer."
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.placeholder.setStyleSheet("color: #5a5a5a; padding: 24px;")
        self.pages = QLabel("")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print the document (Ctrl+P)")
        self.save_button = QPushButton("&Save as…")
        self.save_button.setToolTip("Save the PDF (Ctrl+S)")
        self.open_button = QPushButton("Open in vie&wer")
        self.open_button.setToolTip("Open the PDF in your usual PDF viewer (Ctrl+Shift+O)")
        self.fit_button = QPushButton("Whole page")
        self.fit_button.setCheckable(True)
        self.fit_button.setToolTip("Switch between fitting the page width and the whole page")
        for button, name in (
            (self.print_button, "Print the document"),
            (self.save_button, "Save the document as a PDF file"),
            (self.open_button, "Open the document in the PDF viewer"),
            (self.fit_button, "Show the whole page"),
        ):
            button.setAccessibleName(name)
            button.setEnabled(False)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        self.open_button.clicked.connect(self.open_external)
        self.fit_button.toggled.connect(self._fit)
        bar = QHBoxLayout()
        for w in (self.print_button, self.save_button, self.open_button, self.fit_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.pages)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.view, 1)
        self.view.hide()

    # --- showing a document ------------------------------------------------------------------
    @property
    def has_document(self) -> bool:
        return self.document.pageCount() > 0

    @property
    def pdf_bytes(self) -> bytes:
        return self._pdf

    def show_pdf(self, pdf: bytes, name: str) -> int:
        """Show ``pdf``; returns its page count. ``name`` is the file name offered on saving."""
        self.document.close()
        # A file (not an in-memory buffer) so the system viewer can open the same copy.
        path = self._folder / name
        path.write_bytes(pdf)
        self._pdf, self._name, self._path = pdf, name, path
        self.document.load(str(path))
        count = self.document.pageCount()
        self.pages.setText(f"{count} page{'s' if count != 1 else ''}")
        self.placeholder.hide()
        self.view.show()
        for button in (self.print_button, self.save_button, self.open_button, self.fit_button):
            button.setEnabled(count > 0)
        return count

    def _fit(self, whole: bool) -> None:
        self.view.setZoomMode(
            QPdfView.ZoomMode.FitInView if whole else QPdfView.ZoomMode.FitToWidth
        )

    # --- print, save, open -------------------------------------------------------------------
    def print_dialog(self) -> None:
        if not self.has_document:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._name)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Print the pages chosen on ``printer`` (all when no range is set); returns how many."""
        total = self.document.pageCount()
        first = printer.fromPage() or 1
        last = printer.toPage() or total
        pages = range(max(first, 1) - 1, min(last, total))
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "Print", "The printer could not be started.")
            return 0
        try:
            dpi = min(printer.resolution(), MAX_PRINT_DPI)
            for n, index in enumerate(pages):
                if n:
                    printer.newPage()
                self._paint_page(painter, printer, index, dpi)
        finally:
            painter.end()
        self.sig_printed.emit(len(pages))
        return len(pages)

    def _paint_page(self, painter: QPainter, printer: QPrinter, index: int, dpi: int) -> None:
        size = self.document.pagePointSize(index)
        image = self.document.render(
            index, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
        )
        target = QRectF(painter.viewport())
        # A landscape page on portrait paper is turned rather than shrunk.
        if (image.width() > image.height()) != (target.width() > target.height()):
            image = image.transformed(QTransform().rotate(90))
        scale = min(target.width() / image.width(), target.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        painter.drawImage(
            QRectF(
                target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h
            ),
            image,
        )

    def save_dialog(self) -> None:
        if not self.has_document:
            return
        folder = ui_state.load_str(LAST_FOLDER, str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(
            self, "Save PDF", str(Path(folder) / self._name), "PDF files (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".cqc-", suffix=".pdf")
            with os.fdopen(handle, "wb") as fh:
                fh.write(self._pdf)
            os.replace(temp, path)
        except OSError as exc:
            QMessageBox.warning(
                self, "Save PDF", f"The PDF could not be saved: {exc.strerror or exc}"
            )
            return
        ui_state.save_str(LAST_FOLDER, str(path.parent))
        self.sig_saved.emit(str(path))

    def open_external(self) -> None:
        if self._path is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._path))):
            QMessageBox.information(
                self,
                "Open in viewer",
                "No PDF viewer is set up on this computer. Use Save as… and open the file from "
                "where you saved it.",
            )
