"""Text in any script: right-to-left order and Arabic joining, and fallback fonts per run of text.

PDF text is drawn left to right, glyph by glyph. Arabic and Hebrew are stored in logical order
(the order they are typed), so each line is put into visual order with the Unicode bidirectional
algorithm (python-bidi), after Arabic letters are joined into their initial, medial and final forms
(arabic-reshaper; the bundled DejaVu Sans has those forms and Hebrew). ReportLab 5 can also shape
with HarfBuzz, but its right-to-left ordering needs a separate package that is not published for
every platform we ship on, and shaping without reordering prints Arabic joined but backwards.

Characters the bundled font lacks (Chinese, Japanese, Korean; emoji it does not have) are printed
in a fallback font chosen per run of text from the optional font pack (see ``fonts``). With no
fallback font installed they print as the main font's empty box, as before.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .fonts import REGULAR, fallback_for, font_covers

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")
# Everything below Hebrew (Latin, Greek, Cyrillic, Armenian, punctuation) is in DejaVu Sans.
_BEYOND_BASIC = re.compile("[\u0590-\U0010ffff]")


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def needs_care(text: str) -> bool:
    """True when ``text`` has right-to-left script or characters that may need a fallback font
    (so a table prints it as a paragraph rather than a plain string)."""
    return _BEYOND_BASIC.search(text) is not None


def rtl_base(text: str) -> bool:
    """Whether a line reads right to left: its first strong letter is Hebrew or Arabic."""
    for ch in text:
        if _RTL.match(ch):
            return True
        if ch.isalpha():
            return False
    return False


def visual(line: str) -> str:
    """One line of logical-order text as it is drawn: Arabic joined, right-to-left runs reversed,
    numbers and Latin words inside them kept reading left to right."""
    return _visual(line) if has_rtl(line) else line


@lru_cache(maxsize=4096)
def _visual(line: str) -> str:
    from bidi import get_display

    if _ARABIC.search(line):
        import arabic_reshaper

        line = arabic_reshaper.reshape(line)
    return str(get_display(line))


def font_runs(escaped: str) -> str:
    """Wrap runs of characters the main font lacks in ``<font name=…>`` for a fallback font that
    has them. ``escaped`` is already markup-safe; tags and entities pass through untouched."""
    if not needs_care(escaped):
        return escaped
    out: list[str] = []
    run_font: str | None = None
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        text = "".join(run)
        out.append(f'<font name="{run_font}">{text}</font>' if run_font else text)
        run.clear()

    in_tag = False
    for ch in escaped:
        if ch == "<":
            in_tag = True
        font: str | None = None
        if not in_tag and ord(ch) >= 0x0590 and not font_covers(REGULAR, ch):
            font = fallback_for(ch)
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
        if ch == ">":
            in_tag = False
    flush()
    return "".join(out)
