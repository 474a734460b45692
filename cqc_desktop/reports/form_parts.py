"""Pieces of a paper form sized for a pen: 5.5 mm tick boxes, 9 mm ruled lines, 10 mm fields."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from .fonts import REGULAR, text_width
from .styles import HEADER_FILL, INK, RULE, style
from .tables import Cell, cell, needs_row_split
from .text import escape, para

BOX = 5.5 * mm
LINE_GAP = 9 * mm  # ruled-line spacing for handwriting
FIELD_HEIGHT = 10 * mm
LINE_COLOUR = colors.HexColor("#8a8a8a")


class TickBox(Flowable):
    """An empty square to tick."""

    def __init__(self, size: float = BOX) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.9)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


class WritingLines(Flowable):
    """``count`` ruled lines across the available width, for handwriting."""

    def __init__(self, count: int, gap: float = LINE_GAP) -> None:
        super().__init__()
        self.count = count
        self.gap = gap
        self.width = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.count * self.gap

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fits = int(available_height // self.gap)
        if fits < 1 or fits >= self.count:
            return []
        return [WritingLines(fits, self.gap), WritingLines(self.count - fits, self.gap)]

    def draw(self) -> None:
        self.canv.setStrokeColor(LINE_COLOUR)
        self.canv.setLineWidth(0.5)
        # Lines sit a quarter-gap above the bottom so the next label never touches the last one.
        for i in range(self.count):
            y = (i + 0.25) * self.gap
            self.canv.line(0, y, self.width, y)


def choices(options: Sequence[str], *, width: float) -> Table:
    """Tick boxes with their labels, wrapping onto more rows when they do not fit ``width``."""
    items = [(TickBox(), Paragraph(escape(o), style("FormText"))) for o in options]
    widths = [BOX + 2 * mm + text_width(o, REGULAR, 10) + 5 * mm for o in options]
    rows: list[list[Flowable | str]] = [[]]
    col_widths: list[list[float]] = [[]]
    used = 0.0
    for (box, label), w in zip(items, widths, strict=True):
        if rows[-1] and used + w > width:
            rows.append([])
            col_widths.append([])
            used = 0.0
        rows[-1] += [box, label]
        col_widths[-1] += [BOX + 2 * mm, w - BOX - 2 * mm]
        used += w
    longest = max(len(r) for r in rows)
    grid = [r + [""] * (longest - len(r)) for r in rows]
    widths_out = [max(cw[i] if i < len(cw) else 0 for cw in col_widths) for i in range(longest)]
    table = Table(grid, colWidths=widths_out, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


MIN_FIELD_FONT = 7.0  # the smallest a printed-in value shrinks to before it wraps further
FIELD_PAD = 2.0


def fitted_value(value: str, room: float, *, height: float) -> Paragraph:
    """A printed-in value (a home's name) that fits ``room`` points across: at the form's size
    if it fits ``height``, else shrunk step by step (wrapping as it goes) until it does, down to
    ``MIN_FIELD_FONT``; past that it wraps onto as many lines as it needs and the field grows.
    It never overprints what is around it."""
    base = style("FormText")
    size = base.fontSize
    while True:
        ps = base.clone(f"FormText{size:g}", fontSize=size, leading=size * 1.18)
        p = para(value, ps)
        _w, h = p.wrap(room, 10_000)
        if h <= height + 0.01 or size <= MIN_FIELD_FONT:
            return p
        size = max(MIN_FIELD_FONT, size - 0.5)


def fields(
    rows: Sequence[Sequence[tuple[str, Cell]]],
    *,
    width: float,
    label_width: float = 30 * mm,
) -> Table:
    """Labelled writing fields, one or two per row; a value (a home's name) is printed in.

    Every row is at least ``FIELD_HEIGHT`` tall and grows with what is printed in it, so a long
    value never runs over the rows or the text above."""
    per_row = max(len(r) for r in rows)
    value_width = width / per_row - label_width
    data = []
    heights = []
    for row in rows:
        line: list[Cell | Flowable] = []
        tallest = 0.0
        for label, value in row:
            # Padding: 2 pt on the left; 6 pt (labels and printed-in values) or 6 mm (fields
            # left to write in) on the right.
            printed = isinstance(value, str) and bool(value.strip())
            label_room = label_width - FIELD_PAD - 6
            value_room = value_width - FIELD_PAD - (6 if printed else 6 * mm)
            label_cell = Paragraph(escape(label), style("FormLabel"))
            value_cell: Cell | Flowable = (
                fitted_value(str(value), value_room, height=FIELD_HEIGHT - 2 * FIELD_PAD - 3)
                if printed
                else cell(value, "FormText")
            )
            for c, room in ((label_cell, label_room), (value_cell, value_room)):
                if isinstance(c, Flowable):
                    tallest = max(tallest, c.wrap(room, 10_000)[1])
            line += [label_cell, value_cell]
        line += [""] * (2 * per_row - len(line))
        data.append(line)
        heights.append(max(FIELD_HEIGHT, tallest + 2 * FIELD_PAD + 2))
    table = Table(
        data,
        colWidths=[label_width, value_width] * per_row,
        rowHeights=heights,
        hAlign="LEFT",
    )
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(rows):
        for c, (_label, value) in enumerate(row):
            printed = isinstance(value, str) and bool(value.strip())
            commands.append(("LINEBELOW", (2 * c + 1, r), (2 * c + 1, r), 0.6, LINE_COLOUR))
            commands.append(
                ("RIGHTPADDING", (2 * c + 1, r), (2 * c + 1, r), 6 if printed else 6 * mm)
            )
    table.setStyle(TableStyle(commands))
    return table


def writing_area(label: str, lines: int, hint: str = "") -> list[Flowable]:
    out: list[Flowable] = [Paragraph(escape(label), style("FormLabel"))]
    if hint:
        out.append(Paragraph(escape(hint), style("FormHint")))
    out.append(WritingLines(lines))
    return out


def signatures(labels: Sequence[str], *, width: float) -> Table:
    """ "Signed" and "Date" lines for each signer, side by side."""
    return fields(
        [[(label, ""), ("Date", "")] for label in labels], width=width, label_width=34 * mm
    )


def tick_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    box_columns: Sequence[int] = (),
    *,
    width: float,
    min_height: float = 11 * mm,
    head_style: str = "CellHead",
    cell_style: str = "Cell",
    header_rows: int = 1,
) -> Table:
    """A grid to fill in by hand: text columns, columns of tick boxes, and blank writing cells
    (``None``), each row at least ``min_height`` tall; the header repeats on every page, with
    the first ``header_rows - 1`` rows of ``rows`` (a row to write each column's record on)."""
    boxes = set(box_columns)
    pad = 4.0
    head = [Paragraph(escape(h), style(head_style)) for h in headers]
    body = [
        [
            TickBox() if i in boxes else Spacer(1, min_height - 2 * pad) if v is None else cell(v)
            for i, v in enumerate(row)
        ]
        for row in rows
    ]
    # Rows split across pages only when one is too long to move whole (a pasted essay in a
    # template); otherwise a split leaves a sliver of a row under a repeated header.
    col_widths = [w * width for w in widths]
    table = Table(
        [head, *body],
        colWidths=col_widths,
        repeatRows=header_rows,
        splitInRow=1 if needs_row_split(rows, col_widths) else 0,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                *(
                    [("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 1.2, INK)]
                    if header_rows > 1
                    else []
                ),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                *[("ALIGN", (c, 0), (c, -1), "CENTER") for c in sorted(boxes)],
                ("TOPPADDING", (0, 1), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 1), (-1, -1), pad),
            ]
        )
    )
    return table
