"""The one door user text goes through on its way into a PDF.

Platypus paragraphs parse a small XML-like markup, so a care note containing ``<b>``, ``&`` or
``<font>`` would otherwise change the layout or stop the report with a parse error. ``escape``
makes any text print literally; ``para`` wraps it in a paragraph. Markup is only ever written by
this package around escaped text, never taken from the database.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from ..formatting import uk_date, uk_datetime
from .scripts import font_runs, has_rtl, rtl_base, visual

# C0 controls other than tab and newline (and DEL) have no glyph and upset PDF text extraction.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: object) -> str:
    """Plain text that is safe to measure and draw: no control characters or lone surrogates."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _escape_line(line: str) -> str:
    line = visual(line)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return font_runs(line.replace('"', "&quot;"))


def escape(value: object) -> str:
    """Markup-safe text for a Platypus paragraph; line breaks are kept as line breaks.

    Each line is in drawing order (right-to-left script reversed, Arabic joined) and characters
    the main font lacks are set in a fallback font (``scripts``)."""
    return "<br/>".join(_escape_line(line) for line in clean(value).split("\n"))


class _Paragraph(Paragraph):
    """A Paragraph that keeps its line breaks for the width it was last wrapped to.

    A paragraph in a table cell is wrapped each time its table is measured (for each page it
    might start on, on both passes of a document with a contents page) and again when drawn,
    always at its column's width; breaking the lines once instead of half a dozen times was a
    fifth of the inspection pack's time.
    """

    _wrapped: tuple[float, float, float, Any, Any] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        done = self._wrapped
        if done is not None and done[0] == availWidth:
            _, self.width, self.height, self.blPara, self._wrapWidths = done
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if width == availWidth and hasattr(self, "blPara"):  # not the "cannot fit" answer
            self._wrapped = (availWidth, width, height, self.blPara, self._wrapWidths)
        return width, height


class _RightToLeftParagraph(_Paragraph):
    """User text with right-to-left script: broken into lines in logical (typed) order for the
    width it is given, then each line put into drawing order, so a long Arabic or Hebrew note
    reads from its first line down; a line that starts in Arabic or Hebrew is right-aligned."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        self._logical = text
        self._broken_for: float | None = None
        if rtl_base(text):
            style = style.clone(f"{style.name}RTL", alignment=TA_RIGHT)
        super().__init__(escape(text), style)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._broken_for != availWidth:
            lines = []
            for logical in self._logical.split("\n"):
                lines += _break_logical(logical, availWidth, self.style)
            Paragraph.__init__(self, "<br/>".join(_escape_line(x) for x in lines), self.style)
            self._wrapped = None
            self._broken_for = availWidth
        return super().wrap(availWidth, availHeight)


def _break_logical(line: str, width: float, style: ParagraphStyle) -> list[str]:
    """Greedy line breaks in logical order, measuring each line as it will be drawn."""
    words = line.split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(visual(candidate), style.fontName, style.fontSize) > width:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    return out


def para(value: object, style: ParagraphStyle, *, empty: str = "") -> Paragraph:
    """A paragraph of user text, printed literally. ``empty`` is shown (escaped) when blank."""
    text = clean(value)
    if not text.strip():
        text = empty
    if has_rtl(text):
        return _RightToLeftParagraph(text, style)
    return _Paragraph(escape(text), style)


def labelled(label: str, value: object, style: ParagraphStyle, *, empty: str = "—") -> Paragraph:
    """ "Label: value" with the label in bold; both are escaped."""
    text = clean(value)
    shown = text if text.strip() else empty
    return Paragraph(f"<b>{escape(label)}</b> {escape(shown)}", style)


def markup(template: str, style: ParagraphStyle, **values: object) -> Paragraph:
    """A paragraph from trusted markup with user values escaped into it.

    ``markup("<b>{ref}</b> {title}", style, ref=a.reference, title=a.title)``
    """
    return Paragraph(template.format(**{k: escape(v) for k, v in values.items()}), style)


def when(value: date | datetime | None, empty: str = "—") -> str:
    """A date (or date and time) the way every report shows it: dd/mm/yyyy."""
    if isinstance(value, datetime):
        return uk_datetime(value, empty)
    return uk_date(value, empty)


def pct(value: float | None, places: int = 1, empty: str = "—") -> str:
    """A percentage such as 90.9 % (a no-break space keeps the sign with the number)."""
    if value is None:
        return empty
    return f"{value:.{places}f}\u00a0%"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
