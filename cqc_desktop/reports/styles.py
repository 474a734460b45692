"""Named paragraph styles and the colours every document shares.

Sizes are chosen for print: body text 9.5 pt, table text 8.5 pt, nothing smaller than 7 pt.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1

from .fonts import BOLD, MONO, REGULAR, register_fonts

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#1f3a5f")  # headings and table headers
RULE = colors.HexColor("#b8c2cc")
ZEBRA = colors.HexColor("#f3f5f8")
HEADER_FILL = colors.HexColor("#e3e9f0")
FLAG = colors.HexColor("#b3261e")  # "closed without full evidence" and other warnings
FLAG_FILL = colors.HexColor("#fbeae9")
NOTE_FILL = colors.HexColor("#fff6e0")

RAG_COLOURS = {
    "Red": colors.HexColor("#c62828"),
    "Amber": colors.HexColor("#d98200"),
    "Green": colors.HexColor("#2e7d32"),
}

# NHS "Making Data Count" palette.
SPC_COMMON = colors.HexColor("#a6a6a6")
SPC_IMPROVEMENT = colors.HexColor("#289de0")
SPC_CONCERN = colors.HexColor("#f59b00")
SPC_TARGET = colors.HexColor("#de1b1b")
SPC_LINE = colors.HexColor("#7f7f7f")


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {
        "fontName": REGULAR,
        "fontSize": 9.5,
        "leading": 12.5,
        "textColor": INK,
        "alignment": TA_LEFT,
        # Words longer than the line (a pasted URL, a hash, "XXXXXXXX…") are broken rather than
        # running off the page.
        "splitLongWords": 1,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)  # type: ignore[arg-type]


def _build() -> StyleSheet1:
    register_fonts()
    sheet = StyleSheet1()
    for style in (
        _style("CoverTitle", fontName=BOLD, fontSize=24, leading=30, textColor=ACCENT),
        _style("CoverSub", fontSize=13, leading=18, textColor=MUTED, spaceAfter=4),
        _style("Title", fontName=BOLD, fontSize=17, leading=22, textColor=ACCENT, spaceAfter=4),
        _style("Subtitle", fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=8),
        _style(
            "H1",
            fontName=BOLD,
            fontSize=13.5,
            leading=17,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        _style(
            "H2",
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        _style(
            "H3",
            fontName=BOLD,
            fontSize=10,
            leading=13,
            textColor=INK,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        _style("Body", spaceAfter=4),
        _style("BodyTight"),
        _style("Small", fontSize=8, leading=10, textColor=MUTED),
        _style("Muted", textColor=MUTED, spaceAfter=4),
        _style("Bullet", leftIndent=12, bulletIndent=2, spaceAfter=2),
        _style("Flag", fontName=BOLD, textColor=FLAG),
        _style("Cell", fontSize=8.5, leading=10.5),
        _style("CellBold", fontName=BOLD, fontSize=8.5, leading=10.5),
        _style("CellRight", fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        _style("CellCentre", fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        _style("CellHead", fontName=BOLD, fontSize=8, leading=10, textColor=ACCENT),
        _style(
            "CellHeadRight",
            fontName=BOLD,
            fontSize=8,
            leading=10,
            textColor=ACCENT,
            alignment=TA_RIGHT,
        ),
        _style("SmallHead", fontName=BOLD, fontSize=7, leading=8.5, textColor=ACCENT),
        _style(
            "SmallHeadRight",
            fontName=BOLD,
            fontSize=7,
            leading=8.5,
            textColor=ACCENT,
            alignment=TA_RIGHT,
        ),
        _style("CellSmall", fontSize=7.5, leading=9.5),
        _style("CellFlag", fontName=BOLD, fontSize=8, leading=10, textColor=FLAG),
        _style("Hash", fontName=MONO, fontSize=7, leading=9),
        _style("FormLabel", fontName=BOLD, fontSize=9, leading=12, spaceBefore=3),
        _style("FormText", fontSize=10, leading=13),
        _style("FormHint", fontSize=8, leading=10, textColor=MUTED),
        _style("Contents", fontName=BOLD, fontSize=10.5, leading=16, spaceBefore=4),
        _style("ContentsSub", fontSize=9.5, leading=13, leftIndent=14),
    ):
        sheet.add(style)
    return sheet


_SHEET: StyleSheet1 | None = None


def styles() -> StyleSheet1:
    """The shared stylesheet (built on first use, after the fonts are registered)."""
    global _SHEET
    if _SHEET is None:
        _SHEET = _build()
    return _SHEET


def style(name: str) -> ParagraphStyle:
    result = styles()[name]
    assert isinstance(result, ParagraphStyle)
    return result
