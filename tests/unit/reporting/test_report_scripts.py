"""Arabic, Hebrew, Chinese and emoji in a report: joined, in reading order, in a font that has
them (read back character by character with pdfplumber)."""

from __future__ import annotations

import io
from datetime import datetime

import pdfplumber
import pytest
from reportlab.platypus import Flowable

from cqc_desktop.reports.fonts import fallback_fonts
from cqc_desktop.reports.layout import PORTRAIT_WIDTH, DocumentInfo, build_pdf
from cqc_desktop.reports.scripts import visual
from cqc_desktop.reports.styles import style
from cqc_desktop.reports.tables import data_table
from cqc_desktop.reports.text import para

ARABIC = "تم إعطاء الدواء متأخراً"
HEBREW = "התרופות ניתנו באיחור"
CHINESE = "晚间给药延误"
EMOJI = "Resident said 💊 then 👍"
LONG_ARABIC = " ".join(["الدواء متأخر في المساء"] * 12)


def _chars(flowables: list[Flowable]) -> list[list[dict[str, object]]]:
    """The characters on each line of page 1, in drawing order (left to right)."""
    info = DocumentInfo(
        title="Scripts", service="Home", period="", generated_at=datetime(2026, 11, 26)
    )
    pdf = build_pdf(flowables, info)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    lines: dict[int, list[dict[str, object]]] = {}
    for ch in chars:
        lines.setdefault(round(float(ch["top"])), []).append(ch)  # type: ignore[arg-type]
    return [sorted(line, key=lambda c: float(c["x0"])) for _, line in sorted(lines.items())]  # type: ignore[arg-type]


def _line_with(lines: list[list[dict[str, object]]], wanted: set[str]) -> list[dict[str, object]]:
    return next(line for line in lines if wanted & {str(c["text"]) for c in line})


def test_arabic_is_joined_and_reads_right_to_left() -> None:
    lines = _chars([para(ARABIC, style("Body"))])
    line = _line_with(lines, {chr(c) for c in range(0xFE70, 0xFEFD)})
    drawn = "".join(str(c["text"]) for c in line)
    # Joined: contextual presentation forms, not the isolated letters as typed.
    assert any(0xFE70 <= ord(ch) <= 0xFEFC for ch in drawn)
    # Reading order: the first word typed ("تم") is drawn at the right-hand end of the line.
    assert drawn.replace(" ", "").endswith("ﻢﺗ")
    assert float(line[-1]["x1"]) > PORTRAIT_WIDTH * 0.9  # right-aligned


def test_hebrew_reads_right_to_left() -> None:
    lines = _chars([para(HEBREW, style("Body"))])
    drawn = "".join(str(c["text"]) for c in _line_with(lines, set(HEBREW)))
    assert drawn.strip() == HEBREW[::-1]


def test_a_long_arabic_note_wraps_from_its_first_words_down() -> None:
    lines = _chars([para(LONG_ARABIC, style("Body"))])
    arabic = [line for line in lines if any(0xFE70 <= ord(str(c["text"])) <= 0xFEFC for c in line)]
    assert len(arabic) >= 2
    words = ["".join(str(c["text"]) for c in line).split() for line in arabic]
    # The note starts at the right of its first line and ends at the left of its last.
    assert words[0][-1] == visual("الدواء")
    assert words[-1][0] == visual("المساء")
    assert sum(len(w) for w in words) == len(LONG_ARABIC.split())


@pytest.mark.skipif(
    len(fallback_fonts()) < 2,
    reason="the optional fallback fonts (resources/fonts/OPTIONAL-FONTS.md) are not on this computer",
)
def test_chinese_and_emoji_are_drawn_in_a_font_that_has_them() -> None:
    lines = _chars(
        [
            para(CHINESE, style("Body")),
            data_table(["Ref", "Note"], [["MED-A1", EMOJI]], [0.2, 0.8], total_width=400),
        ]
    )
    chinese = [c for line in lines for c in line if str(c["text"]) in CHINESE]
    assert "".join(str(c["text"]) for c in chinese) == CHINESE
    assert all("DejaVu" not in str(c["fontname"]) for c in chinese)
    # The two emoji DejaVu Sans lacks are drawn in the fallback symbol font, not as boxes.
    # (ReportLab's text layer maps characters beyond U+FFFF wrongly, so they are found by font.)
    fallback = [c for line in lines for c in line if "DejaVu" not in str(c["fontname"])]
    assert len(fallback) == len(CHINESE) + 2
