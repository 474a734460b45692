"""Tables that split across pages with their header row repeated, and small boxed notes.

Every string handed in is user text and goes through ``para`` (escaped); pass a Flowable to put
anything else in a cell. Rows may split between pages (``splitInRow``) so one very long cell
never makes a table too tall for the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

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
from .text import escape, para

Cell = str | Flowable | list[Flowable] | None


def cell(value: Cell, style_name: str = "Cell") -> Flowable | list[Flowable]:
    if isinstance(value, Flowable | list):
        return value
    return para("" if value is None else value, style(style_name))


def _text_length(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Paragraph):
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


def rag_cell(rag: str, *, suffix: str = "") -> Paragraph:
    """RAG as a coloured dot plus the word, so it still reads on a black-and-white printout."""
    colour = RAG_COLOURS.get(rag)
    word = escape(rag or "—")
    extra = f" {escape(suffix)}" if suffix else ""
    if colour is None:
        return Paragraph(word + extra, style("Cell"))
    return Paragraph(f'<font color="{colour.hexval()}">●</font> {word}{extra}', style("Cell"))


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
) -> Table:
    """A table with a repeated header row. ``widths`` are fractions of ``total_width``."""
    right = set(align_right)
    head = [
        Paragraph(escape(h), style(head_style + ("Right" if i in right else "")))
        for i, h in enumerate(headers)
    ]
    body = [
        [cell(v, "CellRight" if i in right else "Cell") for i, v in enumerate(row)] for row in rows
    ]
    col_widths = [w * total_width for w in widths]
    table = Table(
        [head, *body],
        colWidths=col_widths,
        repeatRows=1,
        splitInRow=1 if needs_row_split(rows, col_widths) else 0,
        hAlign="LEFT",
    )
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
    ]
    if zebra:
        commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def kv_table(
    pairs: Sequence[tuple[str, Cell]], *, total_width: float, label_width: float = 0.26
) -> Table:
    """Label / value rows (labels are ours; values are user text or flowables)."""
    rows = [[Paragraph(escape(label), style("CellBold")), cell(value)] for label, value in pairs]
    col_widths = [label_width * total_width, (1 - label_width) * total_width]
    table = Table(
        rows,
        colWidths=col_widths,
        splitInRow=1 if needs_row_split(pairs, col_widths) else 0,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
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
