"""Tables that split across pages with their header row repeated, and small boxed notes.

Every string handed in is user text, printed literally; pass a Flowable to put anything else in
a cell. A string that fits its column on the lines it already has (a date, a name, a count) is
handed to the table as a plain string, drawn in the cell's font without any markup parsing; only
text that needs wrapping becomes a Paragraph (through ``para``, escaped). A long report has
thousands of cells, and a Paragraph in each was most of the time it took to lay out.
Rows may split between pages (``splitInRow``) so one very long cell never makes a table too tall
for the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from .scripts import needs_care
from .styles import (
    FLAG,
    FLAG_FILL,
    HEADER_FILL,
    NOTE_FILL,
    RAG_COLOURS,
    RULE,
    ZEBRA,
    style,
)
from .text import clean, escape, para

Cell = str | Flowable | list[Flowable] | None


def cell(value: Cell, style_name: str = "Cell") -> Flowable | list[Flowable]:
    if isinstance(value, Flowable | list):
        return value
    return para("" if value is None else value, style(style_name))


_SPACES = re.compile(r" {2,}")


def plain_text(value: str, paragraph_style: ParagraphStyle, room: float) -> str | None:
    """``value`` as a plain table string, or None when it needs a Paragraph to wrap.

    The string prints exactly as the Paragraph would (runs of spaces collapsed, ends trimmed,
    one line per line break) and only when every line fits ``room`` points at the style's font.
    """
    if needs_care(value):  # right-to-left script or a fallback font: a paragraph handles both
        return None
    lines = [_SPACES.sub(" ", line.strip(" ")) for line in clean(value).split("\n")]
    font, size = paragraph_style.fontName, paragraph_style.fontSize
    for line in lines:
        if line and stringWidth(line, font, size) > room:
            return None
    return "\n".join(lines)


def _plain_or_para(value: Cell, paragraph_style: ParagraphStyle, room: float) -> Any:
    if isinstance(value, Flowable | list):
        return value
    text = "" if value is None else value
    plain = plain_text(text, paragraph_style, room)
    return plain if plain is not None else para(text, paragraph_style)


@cache
def _cell_kind(style_name: str, padding: tuple[float, float, float, float]) -> type[CellStyle]:
    """A table cell style that prints plain strings like the paragraph style ``style_name``,
    top-aligned with ``padding`` (top, bottom, left, right).

    Handed to the Table ready-made, one per cell, instead of as FONT, ALIGN, VALIGN and PADDING
    commands that the Table would apply cell by cell (and a default style it would make for each
    cell first): on a table of a few thousand cells that was a noticeable share of the time.
    """
    s = style(style_name)
    top, bottom, left, right = padding
    return type(
        f"{style_name}Cell",
        (CellStyle,),
        {
            "fontname": s.fontName,
            "fontsize": s.fontSize,
            "leading": s.leading,
            "color": s.textColor,
            "alignment": {TA_RIGHT: "RIGHT", TA_CENTER: "CENTRE"}.get(s.alignment, "LEFT"),
            "valign": "TOP",
            "topPadding": top,
            "bottomPadding": bottom,
            "leftPadding": left,
            "rightPadding": right,
        },
    )


def _cell_styles(
    rows: Sequence[Sequence[type[CellStyle]]],
) -> list[list[CellStyle]]:
    return [[kind("cell") for kind in row] for row in rows]


def _text_length(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Paragraph | RagMark):
        return len(value.getPlainText())
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0


def needs_row_split(rows: Sequence[Sequence[object]], widths: Sequence[float]) -> bool:
    """True when some row may be too tall to move whole to the next page.

    Splitting a row across pages is what keeps a 5,000-character note from stopping a report, but
    it also cuts ordinary rows in two at the foot of a page, so it is only switched on for tables
    that need it. The estimate is generous: about 0.55 em per character at 8.5 pt.
    """
    limit = 300.0  # points: under half a page
    for row in rows:
        for value, width in zip(row, widths, strict=False):
            per_line = max(1.0, (width - 8) / (8.5 * 0.55))
            if _text_length(value) / per_line * 10.5 > limit:
                return True
    return False


class RagMark(Flowable):
    """RAG as a coloured dot plus the word, so it still reads on a black-and-white printout.

    Drawn as two strings in the "Cell" style: a register has one in every row, and as a
    Paragraph each cost more than the rest of its row. Text too wide for the cell is handed to
    a Paragraph to wrap.
    """

    def __init__(self, rag: str, suffix: str = "") -> None:
        super().__init__()
        self.colour = RAG_COLOURS.get(rag)
        self.text = clean(f"{rag or '—'} {suffix}" if suffix else rag or "—").strip()
        self.mark = "● " if self.colour is not None else ""
        self._para: Paragraph | None = None

    def getPlainText(self) -> str:  # read by needs_row_split, as a Paragraph's is
        return self.mark + self.text

    def _paragraph(self) -> Paragraph:
        if self.colour is None:
            return Paragraph(escape(self.text), style("Cell"))
        dot = f'<font color="{self.colour.hexval()}">●</font> '
        return Paragraph(dot + escape(self.text), style("Cell"))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        s = style("Cell")
        self._para = None
        if stringWidth(self.mark + self.text, s.fontName, s.fontSize) > available_width:
            self._para = self._paragraph()
            return self._para.wrap(available_width, available_height)  # type: ignore[no-any-return]
        self.width, self.height = available_width, s.leading
        return self.width, self.height

    def draw(self) -> None:
        if self._para is not None:
            self._para.drawOn(self.canv, 0, 0)
            return
        s = style("Cell")
        canvas = self.canv
        y = self.height - s.fontSize
        canvas.setFont(s.fontName, s.fontSize)
        x = 0.0
        if self.colour is not None:
            canvas.setFillColor(self.colour)
            canvas.drawString(0, y, "●")
            x = stringWidth("● ", s.fontName, s.fontSize)
        canvas.setFillColor(s.textColor)
        canvas.drawString(x, y, self.text)


def rag_cell(rag: str, *, suffix: str = "") -> Flowable:
    """RAG as a coloured dot plus the word (see ``RagMark``)."""
    return RagMark(rag, suffix)


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    *,
    total_width: float,
    align_right: Sequence[int] = (),
    extra: Sequence[tuple[Any, ...]] = (),
    zebra: bool = True,
    head_style: str = "CellHead",
    padding: float = 3.5,
    column_styles: Sequence[str] = (),
) -> Table:
    """A table with a repeated header row. ``widths`` are fractions of ``total_width``;
    ``column_styles`` names each column's paragraph style (default "Cell", or "CellRight" for
    the ``align_right`` columns)."""
    right = set(align_right)
    columns = range(len(widths))
    col_widths = [w * total_width for w in widths]
    rooms = [w - 2 * padding - 0.5 for w in col_widths]
    head_names = [head_style + ("Right" if i in right else "") for i in columns]
    body_names = [
        "CellRight" if i in right else (column_styles[i] if column_styles else "Cell")
        for i in columns
    ]
    head_styles = [style(name) for name in head_names]
    body_styles = [style(name) for name in body_names]
    head = [_plain_or_para(h, head_styles[i], rooms[i]) for i, h in enumerate(headers)]
    body = [
        [_plain_or_para(v, body_styles[i], rooms[i]) for i, v in enumerate(row)] for row in rows
    ]
    pad = (3.0, 3.0, padding, padding)
    head_kinds = [_cell_kind(name, pad) for name in head_names]
    body_kinds = [_cell_kind(name, pad) for name in body_names]
    table = Table(
        [head, *body],
        colWidths=col_widths,
        repeatRows=1,
        splitInRow=1 if needs_row_split(rows, col_widths) else 0,
        hAlign="LEFT",
        cellStyles=_cell_styles([head_kinds, *([body_kinds] * len(body))]),
    )
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
    ]
    if zebra:
        commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def kv_table(
    pairs: Sequence[tuple[str, Cell]], *, total_width: float, label_width: float = 0.26
) -> Table:
    """Label / value rows (labels are ours; values are user text or flowables)."""
    col_widths = [label_width * total_width, (1 - label_width) * total_width]
    # Padding: 3 pt on the left and 6 pt on the right (ReportLab's default, kept).
    rooms = [w - 9.5 for w in col_widths]
    label_style, value_style = style("CellBold"), style("Cell")
    rows = [
        [_plain_or_para(label, label_style, rooms[0]), _plain_or_para(value, value_style, rooms[1])]
        for label, value in pairs
    ]
    pad = (2.5, 2.5, 3.0, 6.0)
    kinds = [_cell_kind("CellBold", pad), _cell_kind("Cell", pad)]
    table = Table(
        rows,
        colWidths=col_widths,
        splitInRow=1 if needs_row_split(pairs, col_widths) else 0,
        hAlign="LEFT",
        cellStyles=_cell_styles([kinds] * len(rows)),
    )
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE)]))
    return table


def boxed(flowables: Sequence[Flowable], *, total_width: float, warning: bool = False) -> Table:
    """A tinted box around a few paragraphs: a flag (red edge) or a note (amber tint)."""
    table = Table([[list(flowables)]], colWidths=[total_width], splitInRow=1, hAlign="LEFT")
    fill = FLAG_FILL if warning else NOTE_FILL
    edge = FLAG if warning else colors.HexColor("#e0b44c")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LINEBEFORE", (0, 0), (0, -1), 3, edge),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def figure_tiles(tiles: Sequence[tuple[str, str, str]], *, total_width: float) -> Table:
    """Headline figures in a row of tiles: (figure, label, note)."""
    cells = [
        [
            Paragraph(escape(figure), style("Title")),
            Paragraph(escape(label), style("CellBold")),
            Paragraph(escape(note), style("CellSmall")),
        ]
        for figure, label, note in tiles
    ]
    table = Table([cells], colWidths=[total_width / len(tiles)] * len(tiles), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table
