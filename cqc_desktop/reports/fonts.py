"""The bundled Unicode font (DejaVu Sans, Bitstream Vera licence; see resources/fonts), and the
optional fallback fonts for scripts it lacks.

The built-in PDF fonts only cover Latin-1, so names such as Łukasz or Nguyễn would lose letters;
every report therefore uses the bundled TrueType font, embedded (subset) in each PDF. DejaVu Sans
also has Hebrew, Arabic (with its joined forms) and many symbols and emoji.

Chinese, Japanese and Korean, and emoji DejaVu lacks, are an optional font pack rather than part
of every install (a CJK font is several megabytes): a TrueType file named in ``FALLBACKS`` placed
in ``resources/fonts/optional`` is used, else the same file from the computer's own fonts
(Droid Sans Fallback and Symbola on Linux; SimHei and Segoe UI Symbol on Windows). Only the
characters used are embedded in each PDF.
"""

from __future__ import annotations

import os
import sys
import threading
from functools import cache
from pathlib import Path

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
OPTIONAL_DIR = FONT_DIR / "optional"
# Fallback font name → file names to look for, best first. TrueType outlines only: ReportLab
# cannot embed CFF (.otf) fonts such as Noto Sans CJK.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "CQCFallbackCJK": (
        "DroidSansFallbackFull.ttf",
        "DroidSansFallback.ttf",
        "msyh.ttc",  # Microsoft YaHei, on every Windows 10 and 11
        "simhei.ttf",
    ),
    "CQCFallbackSymbols": ("Symbola.ttf", "Symbola_hint.ttf", "seguisym.ttf"),
}
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


def _system_font_dirs() -> list[Path]:
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
        return [windir / "Fonts", local]
    if sys.platform == "darwin":
        return [Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]


def _find(filename: str) -> Path | None:
    bundled = OPTIONAL_DIR / filename
    if bundled.is_file():
        return bundled
    for folder in _system_font_dirs():
        if not folder.is_dir():
            continue
        direct = folder / filename
        if direct.is_file():
            return direct
        for found in folder.rglob(filename):
            return found
    return None


@cache
def fallback_fonts() -> tuple[str, ...]:
    """Register the fallback fonts that can be found; their names, best first."""
    register_fonts()
    names = []
    for name, files in FALLBACKS.items():
        for filename in files:
            path = _find(filename)
            if path is None:
                continue
            try:
                pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            except Exception:  # a damaged or unsupported font file: try the next one
                continue
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
            names.append(name)
            break
    return tuple(names)


@cache
def _coverage(font: str) -> frozenset[int]:
    register_fonts()
    face = pdfmetrics.getFont(font).face
    return frozenset(face.charToGlyph)


def font_covers(font: str, ch: str) -> bool:
    return ord(ch) in _coverage(font)


@cache
def fallback_for(ch: str) -> str | None:
    """The first fallback font that has ``ch``, or None (it prints in the main font)."""
    for name in fallback_fonts():
        if font_covers(name, ch):
            return name
    return None


def text_width(text: str, font: str, size: float) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, size))


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` (for one-line page headers),
    in the order it is drawn (right-to-left script reversed, Arabic joined)."""
    from .scripts import visual

    text = visual(text)
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
