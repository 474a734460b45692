"""The bundled Unicode font (DejaVu Sans, Bitstream Vera licence; see resources/fonts).

The built-in PDF fonts only cover Latin-1, so names such as Łukasz or Nguyễn would lose letters;
every report therefore uses the bundled TrueType font, embedded (subset) in each PDF.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..config import RESOURCES, resource_file

FONT_DIR = RESOURCES / "fonts"
REGULAR = "CQCSans"
BOLD = "CQCSans-Bold"
# Hashes print in a fixed-width font so each column of hex digits lines up for checking by eye;
# Courier is built into every PDF reader and the digits are plain ASCII.
MONO = "Courier"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    """The bundled font files are not where the installer should have put them."""


def register_fonts() -> None:
    """Register the font family once per process (reports may be built from a worker thread)."""
    global _registered
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            try:
                # TTFont reads the whole file here, so the path need only last this long.
                with resource_file("fonts", filename) as path:
                    pdfmetrics.registerFont(TTFont(name, str(path)))
            except FileNotFoundError:
                raise FontMissing(
                    f"The report font {filename} is missing from {FONT_DIR}; reinstall CQC Desktop."
                ) from None
        # <b> in paragraph markup picks the bold face; there is no italic face, so italic maps to
        # the upright one rather than failing.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        addMapping(BOLD, 0, 0, BOLD)
        addMapping(BOLD, 1, 0, BOLD)
        addMapping(BOLD, 0, 1, BOLD)
        addMapping(BOLD, 1, 1, BOLD)
        _registered = True


def text_width(text: str, font: str, size: float) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, size))


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` (for one-line page headers)."""
    if text_width(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if text_width(text[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"
