"""Page layout shared by every document: A4 portrait and landscape pages, the running header
(service, title, period), the footer (when generated, "Page x of y") and building to bytes.

"Page x of y" needs the page count before the first page is finished, so the canvas keeps each
page's drawing state and writes the footers in a second pass when the document is saved.

A document with a contents page is laid out twice: once to find the page each heading lands on,
and again to print the contents with those numbers. The first pass only measures (nothing is
drawn), and the contents is given its entries before it starts, so it is already as long as it
will be and the second pass is the last.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
)
from reportlab.platypus.tableofcontents import TableOfContents

from .. import APP_NAME
from .fonts import BOLD, REGULAR, fit_text, register_fonts
from .styles import ACCENT, MUTED, RULE, style
from .text import clean, escape

PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN = 15 * mm  # left and right
HEADER_BASELINE = 12 * mm  # from the top edge
BODY_TOP = 20 * mm  # from the top edge to the first line of the story
FOOTER_BASELINE = 10 * mm  # from the bottom edge
BODY_BOTTOM = 18 * mm
PORTRAIT_WIDTH = PORTRAIT[0] - 2 * MARGIN
LANDSCAPE_WIDTH = LANDSCAPE[0] - 2 * MARGIN
PORTRAIT_HEIGHT = PORTRAIT[1] - BODY_TOP - BODY_BOTTOM
LANDSCAPE_HEIGHT = LANDSCAPE[1] - BODY_TOP - BODY_BOTTOM


@dataclass(frozen=True)
class DocumentInfo:
    """What the header and footer say, and the PDF's own title and subject."""

    title: str
    service: str
    period: str
    generated_at: datetime
    subject: str = ""
    footer_note: str = ""  # e.g. "Form version 3" or "Draft – not approved"
    audit_anchor: str = ""  # "Audit trail: 4,161 entries, head 3f2a…91c0"


class _NumberedCanvas(Canvas):
    """Holds every page until the end so each footer can say "Page x of y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._page_bookmarks: list[tuple[str, dict[str, Any]]] = []

    def bookmarkPage(self, key: str, **kwargs: Any) -> None:
        # A bookmark names the page being written, and pages are only written in save():
        # made now, every bookmark and contents link would point at the first page.
        self._page_bookmarks.append((key, kwargs))

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._page_bookmarks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            for key, kwargs in state["_page_bookmarks"]:
                super().bookmarkPage(key, **kwargs)
            self._page_number_footer(number, total)
            super().showPage()
        super().save()

    def _page_number_footer(self, number: int, total: int) -> None:
        width = self._pagesize[0]
        self.saveState()
        self.setFont(REGULAR, 8)
        self.setFillColor(MUTED)
        self.drawRightString(width - MARGIN, FOOTER_BASELINE, f"Page {number} of {total}")
        self.restoreState()


class _MeasuringCanvas(_NumberedCanvas):
    """The canvas of the measuring pass: pages are counted, never kept or written."""

    measuring = True

    def showPage(self) -> None:
        self._page_bookmarks = []
        self._startPage()


class _BodyFrame(Frame):
    """A frame that, on the measuring pass, places each flowable without drawing it."""

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        if not getattr(canv, "measuring", False):
            return int(super()._add(flowable, canv, trySplit))
        # An instance attribute hides the class's drawOn for this one call.
        flowable.drawOn = _draw_nothing  # type: ignore[method-assign]
        try:
            return int(super()._add(flowable, canv, trySplit))
        finally:
            del flowable.drawOn

    add = _add  # Frame binds its public name to its own _add


def _draw_nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _canvas_maker() -> Any:
    """Canvases for ``multiBuild``: a measuring one for the first pass, real ones after."""
    made = 0

    def make(*args: Any, **kwargs: Any) -> Canvas:
        nonlocal made
        made += 1
        kind = _MeasuringCanvas if made == 1 else _NumberedCanvas
        return kind(*args, **kwargs)

    return make


def _prefill_contents(flowables: Sequence[Flowable]) -> int:
    """Give each contents table the entries it will have (page numbers aside), so the first
    pass already lays it out at its final length. Returns how many entries there are."""
    entries = [
        (level, escape(f.getPlainText()), 0, f"h{id(f)}")
        for f in flowables
        if isinstance(f, Paragraph) and (level := getattr(f, "toc_level", None)) is not None
    ]
    for f in flowables:
        if isinstance(f, TableOfContents):
            f._entries = list(entries)
    return len(entries)


class ReportDocument(BaseDocTemplate):
    """A4 document with "portrait" and "landscape" page templates (portrait first)."""

    def __init__(self, buffer: io.BytesIO, info: DocumentInfo, *, first: str = "portrait") -> None:
        self.info = info
        super().__init__(
            buffer,
            pagesize=PORTRAIT,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=BODY_TOP,
            bottomMargin=BODY_BOTTOM,
            title=clean(f"{info.title} – {info.service}"),
            author=APP_NAME,
            subject=clean(info.subject or info.period),
            creator=APP_NAME,
        )
        templates = [self._template("portrait", PORTRAIT), self._template("landscape", LANDSCAPE)]
        if first == "landscape":
            templates.reverse()
        self.addPageTemplates(templates)

    def afterFlowable(self, flowable: Flowable) -> None:
        """Headings marked with ``toc_level`` feed the contents page and the PDF's bookmarks."""
        level = getattr(flowable, "toc_level", None)
        if level is None or not isinstance(flowable, Paragraph):
            return
        text = flowable.getPlainText()
        key = f"h{id(flowable)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        # The contents table lays entries out as paragraph markup, so the text is escaped again.
        self.notify("TOCEntry", (level, escape(text), self.page, key))

    def _template(self, name: str, size: tuple[float, float]) -> PageTemplate:
        width, height = size
        frame = _BodyFrame(
            MARGIN,
            BODY_BOTTOM,
            width - 2 * MARGIN,
            height - BODY_TOP - BODY_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=f"{name}-body",
        )
        return PageTemplate(id=name, frames=[frame], onPage=self._decorate, pagesize=size)

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if getattr(canvas, "measuring", False):
            return  # the measuring pass draws nothing
        width, height = canvas._pagesize
        info = self.info
        top = height - HEADER_BASELINE
        usable = width - 2 * MARGIN
        canvas.saveState()
        # Header: service on the left, title in the middle, period on the right.
        canvas.setFont(BOLD, 9)
        canvas.setFillColor(ACCENT)
        canvas.drawString(MARGIN, top, fit_text(clean(info.service), BOLD, 9, usable * 0.32))
        canvas.drawCentredString(
            width / 2, top, fit_text(clean(info.title), BOLD, 9, usable * 0.34)
        )
        canvas.setFont(REGULAR, 9)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(
            width - MARGIN, top, fit_text(clean(info.period), REGULAR, 9, usable * 0.3)
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, top - 2.5 * mm, width - MARGIN, top - 2.5 * mm)
        # Footer (the page count is added by the canvas when the document is saved).
        rule = FOOTER_BASELINE + 4 * mm
        canvas.line(MARGIN, rule, width - MARGIN, rule)
        canvas.setFont(REGULAR, 8)
        generated = f"Generated {info.generated_at:%d/%m/%Y %H:%M} by {APP_NAME}"
        if info.footer_note:
            generated += f" · {clean(info.footer_note)}"
        if info.audit_anchor:
            generated += f" · {clean(info.audit_anchor)}"
        canvas.drawString(MARGIN, FOOTER_BASELINE, fit_text(generated, REGULAR, 8, usable * 0.8))
        canvas.restoreState()


def landscape_pages(flowables: Sequence[Flowable], *, at_end: bool = False) -> list[Flowable]:
    """Put ``flowables`` on landscape pages of their own, then return to portrait (unless they
    end the document, where a page break would leave a blank page)."""
    out: list[Flowable] = [NextPageTemplate("landscape"), PageBreak(), *flowables]
    if not at_end:
        out += [NextPageTemplate("portrait"), PageBreak()]
    return out


def keep_with_next(flowable: Flowable) -> Flowable:
    """Keep a short introduction on the same page as what it introduces."""
    flowable.keepWithNext = True
    return flowable


def contents_heading(paragraph: Paragraph, level: int) -> Paragraph:
    """Mark a heading for the contents page (level 0 or 1) and the PDF bookmarks."""
    paragraph.toc_level = level  # type: ignore[attr-defined]
    return paragraph


def contents_table() -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [style("Contents"), style("ContentsSub")]
    return toc


def build_pdf(story: Sequence[Flowable], info: DocumentInfo, *, first: str = "portrait") -> bytes:
    """Lay the story out and return the finished PDF. A story with a contents table is laid out
    twice, so the page numbers in the contents are the real ones."""
    register_fonts()
    buffer = io.BytesIO()
    doc = ReportDocument(buffer, info, first=first)
    flowables = list(story)
    if any(isinstance(f, TableOfContents) for f in flowables):
        # The prefilled entries say page 0, so the measuring pass is never taken as the last
        # (with no entries at all it could be: then every pass draws).
        measured = _prefill_contents(flowables) > 0
        doc.multiBuild(flowables, canvasmaker=_canvas_maker() if measured else _NumberedCanvas)
    else:
        doc.build(flowables, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
