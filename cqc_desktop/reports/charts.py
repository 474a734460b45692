"""XmR charts in the NHS "Making Data Count" style, drawn with reportlab.graphics.

Grey points are common-cause variation, blue special-cause improvement, orange special-cause
concern; the mean is a solid line, the process limits dashed grey and the target dashed red.
The baseline the action started from is dotted, so the chart shows how far the measure has come.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ..formatting import number
from ..services.report_data_measures import MeasureSeries
from ..services.spc import Variation
from .fonts import REGULAR, fit_text, text_width
from .styles import (
    INK,
    MUTED,
    RULE,
    SPC_COMMON,
    SPC_CONCERN,
    SPC_IMPROVEMENT,
    SPC_LINE,
    SPC_TARGET,
)

POINT_COLOURS = {
    Variation.COMMON.value: SPC_COMMON,
    Variation.IMPROVEMENT.value: SPC_IMPROVEMENT,
    Variation.CONCERN.value: SPC_CONCERN,
    Variation.NEITHER.value: colors.HexColor("#490092"),
}
LEFT, RIGHT, TOP, BOTTOM = 34.0, 92.0, 8.0, 40.0
FONT_SIZE = 7


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _y_range(series: MeasureSeries) -> tuple[float, float]:
    values = [p.value for p in series.points]
    wanted = [*values, series.target, series.baseline]
    if series.limits is not None:
        for v in (series.limits.upper, series.limits.lower):
            if math.isfinite(v):
                wanted.append(v)
    low, high = min(wanted), max(wanted)
    # Counts and percentages cannot go below 0 or (percentages) above 100, so the axis stops there
    # even when a computed limit would not.
    if min([*values, series.target, series.baseline]) >= 0:
        low = max(low, 0.0)
    if series.unit.strip() == "%" and max([*values, series.target, series.baseline]) <= 100:
        high = min(high, 100.0)
    if high == low:
        high, low = high + 1, low - 1 if low > 0 else low
    pad = (high - low) * 0.08
    step = _nice_step(high - low + 2 * pad)
    floor = math.floor((low - pad) / step) * step
    if low >= 0 and floor < 0:
        floor = 0.0
    return floor, math.ceil((high + pad) / step) * step


def _spread_labels(wanted: list[tuple[float, str, colors.Color]], gap: float) -> list[float]:
    """Move right-hand line labels apart so none overlap (keeps their order)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i][0])
    placed = [w[0] for w in wanted]
    last = -math.inf
    for i in order:
        placed[i] = max(placed[i], last + gap)
        last = placed[i]
    return placed


class ChartFlowable(Flowable):
    """A drawing as an ordinary flowable (a Drawing refuses attributes such as keepWithNext)."""

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.drawing = drawing
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        renderPDF.draw(self.drawing, self.canv, 0, 0)


def spc_chart(series: MeasureSeries, width: float, height: float = 62 * mm) -> ChartFlowable:
    """The chart for one measure. Call only when the measure has at least one point."""
    return ChartFlowable(spc_drawing(series, width, height))


def spc_drawing(series: MeasureSeries, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    low, high = _y_range(series)

    def y_of(value: float) -> float:
        return BOTTOM + (value - low) / (high - low) * plot_h

    n = len(series.points)

    def x_of(index: int) -> float:
        return LEFT + (plot_w / 2 if n == 1 else index * plot_w / (n - 1))

    drawing.add(
        Rect(LEFT, BOTTOM, plot_w, plot_h, strokeColor=RULE, fillColor=None, strokeWidth=0.5)
    )
    step = _nice_step(high - low)
    tick = low
    while tick <= high + step / 1000:
        y = y_of(tick)
        drawing.add(
            Line(LEFT, y, LEFT + plot_w, y, strokeColor=colors.HexColor("#eeeeee"), strokeWidth=0.4)
        )
        drawing.add(
            String(
                LEFT - 3,
                y - 2.5,
                number(tick),
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
        tick += step
    _x_labels(drawing, series, x_of, n)
    _reference_lines(drawing, series, y_of, low, high, plot_w)
    _points(drawing, series, x_of, y_of)
    _legend(drawing, width)
    return drawing


def _x_labels(drawing: Drawing, series: MeasureSeries, x_of: object, n: int) -> None:
    assert callable(x_of)
    every = max(1, math.ceil(n / 13))
    for i, point in enumerate(series.points):
        if i % every and i != n - 1:
            continue
        drawing.add(
            String(
                x_of(i),
                BOTTOM - 10,
                point.period_start.strftime("%d/%m"),
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    label = "Week starting" if series.frequency == "weekly" else "Period starting"
    drawing.add(
        String(LEFT, BOTTOM - 20, label, fontName=REGULAR, fontSize=FONT_SIZE, fillColor=MUTED)
    )


def _reference_lines(
    drawing: Drawing, series: MeasureSeries, y_of: object, low: float, high: float, plot_w: float
) -> None:
    assert callable(y_of)
    lines: list[tuple[float, str, colors.Color, Sequence[float] | None, float]] = []
    if series.limits is not None:
        lim = series.limits
        lines.append((lim.mean, f"Mean {number(lim.mean)}", SPC_LINE, None, 0.9))
        lines.append((lim.upper, f"Upper limit {number(lim.upper)}", SPC_LINE, (3, 2), 0.7))
        lines.append((lim.lower, f"Lower limit {number(lim.lower)}", SPC_LINE, (3, 2), 0.7))
    lines.append((series.target, f"Target {number(series.target)}", SPC_TARGET, (5, 2), 1.0))
    lines.append((series.baseline, f"Baseline {number(series.baseline)}", INK, (1, 2), 0.8))
    shown = [line for line in lines if low <= line[0] <= high]
    positions = _spread_labels([(y_of(v), t, c) for v, t, c, _, _ in shown], 8.5)
    for (value, text, colour, dash, width), label_y in zip(shown, positions, strict=True):
        y = y_of(value)
        drawing.add(
            Line(
                LEFT,
                y,
                LEFT + plot_w,
                y,
                strokeColor=colour,
                strokeWidth=width,
                strokeDashArray=dash,
            )
        )
        drawing.add(
            String(
                LEFT + plot_w + 4,
                label_y - 2.5,
                fit_text(text, REGULAR, FONT_SIZE, RIGHT - 6),
                fontName=REGULAR,
                fontSize=FONT_SIZE,
                fillColor=colour,
            )
        )
    off = [t for v, t, *_ in lines if not low <= v <= high]
    if off:
        drawing.add(
            String(
                LEFT + plot_w + RIGHT - 4,
                BOTTOM - 20,
                fit_text("Off scale: " + ", ".join(off), REGULAR, 6, plot_w / 2),
                fontName=REGULAR,
                fontSize=6,
                fillColor=MUTED,
                textAnchor="end",
            )
        )


def _points(drawing: Drawing, series: MeasureSeries, x_of: object, y_of: object) -> None:
    assert callable(x_of) and callable(y_of)
    coords: list[float] = []
    for i, point in enumerate(series.points):
        coords += [x_of(i), y_of(point.value)]
    if len(series.points) > 1:
        drawing.add(PolyLine(coords, strokeColor=SPC_COMMON, strokeWidth=1.1))
    for i, point in enumerate(series.points):
        colour = POINT_COLOURS.get(point.variation, SPC_COMMON)
        drawing.add(Circle(x_of(i), y_of(point.value), 2.6, fillColor=colour, strokeColor=colour))


def _legend(drawing: Drawing, width: float) -> None:
    items = [
        ("dot", SPC_COMMON, "Common cause"),
        ("dot", SPC_IMPROVEMENT, "Improvement"),
        ("dot", SPC_CONCERN, "Concern"),
        ("line", SPC_LINE, "Mean"),
        ("dash", SPC_LINE, "Limits"),
        ("dash", SPC_TARGET, "Target"),
        ("dot-line", INK, "Baseline"),
    ]
    group = Group()
    x, y = LEFT, 6.0
    for kind, colour, text in items:
        if kind == "dot":
            group.add(Circle(x + 3, y + 2.5, 2.4, fillColor=colour, strokeColor=colour))
            x += 8
        else:
            dash = {"line": None, "dash": (3, 2), "dot-line": (1, 2)}[kind]
            group.add(
                Line(
                    x,
                    y + 2.5,
                    x + 12,
                    y + 2.5,
                    strokeColor=colour,
                    strokeWidth=1,
                    strokeDashArray=dash,
                )
            )
            x += 15
        group.add(String(x + 2, y, text, fontName=REGULAR, fontSize=FONT_SIZE, fillColor=MUTED))
        x += text_width(text, REGULAR, FONT_SIZE) + 12
    drawing.add(group)
