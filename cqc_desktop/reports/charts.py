"""XmR charts in the NHS "Making Data Count" style, drawn straight onto the PDF canvas.

Grey points are common-cause variation, blue special-cause improvement, orange special-cause
concern; the mean is a solid line, the process limits dashed grey and the target dashed red.
The baseline the action started from is dotted, so the chart shows how far the measure has come.
Mean and limits are drawn per phase (services/plans/spc_phases), held within what the measure can
be, and changes, reopening and closure are labelled vertical marks.

A monthly report holds dozens of these, so the chart is worked out once as a short list of
marks (``ChartMarks``) and painted with a handful of PDF paths: all grid lines in one stroke,
all points of one colour in one stroke (a zero-length segment with a round cap is a filled
dot), all labels in one text object. reportlab.graphics would make one object, and one
graphics-state change, for every dot and label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from ..formatting import number
from ..services.plans.measure_reading import MARK_CHANGE, MARK_CLOSED, MARK_REOPENED
from ..services.plans.spc import Variation
from ..services.reporting.measures import MeasureSeries
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
GRID = colors.HexColor("#eeeeee")
LEFT, RIGHT, TOP, BOTTOM = 34.0, 92.0, 8.0, 40.0
FONT_SIZE = 7
POINT_RADIUS = 2.6  # the dot's radius; its outline (1 pt, same colour) adds 0.5 pt all round
LEGEND_RADIUS = 2.4
# Three measures (heading, facts, chart and reading) fit on a portrait page at this height; at
# 62 mm only two did, leaving a third of each page blank.
CHART_HEIGHT = 54 * mm
DOT = (1.0, 2.0)  # the baseline's dotted pattern
DASH = (3.0, 2.0)  # process limits
TARGET_DASH = (5.0, 2.0)
MARK_DASH = (2.0, 1.5)
MARK_COLOURS = {
    MARK_CHANGE: colors.HexColor("#2e7d32"),
    MARK_REOPENED: colors.HexColor("#b00020"),
    MARK_CLOSED: colors.HexColor("#444444"),
}


@dataclass(frozen=True)
class Mark:
    """A straight line: from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: colors.Color
    width: float
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    colour: colors.Color
    size: float = FONT_SIZE
    anchor: str = "start"  # "start", "middle" or "end"


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    colour: colors.Color
    radius: float = POINT_RADIUS


@dataclass
class ChartMarks:
    """Everything one chart paints, in the order it is painted."""

    width: float
    height: float
    frame: tuple[float, float, float, float]  # x, y, width, height of the plot area
    grid: list[Mark] = field(default_factory=list)
    lines: list[Mark] = field(default_factory=list)  # reference lines and legend samples
    trace: list[tuple[float, float]] = field(default_factory=list)  # the line through the points
    dots: list[Dot] = field(default_factory=list)  # the points, then the legend's dots
    labels: list[Label] = field(default_factory=list)


class ChartFlowable(Flowable):
    """A chart as an ordinary flowable (so it can be kept with the heading before it)."""

    def __init__(self, marks: ChartMarks) -> None:
        super().__init__()
        self.marks = marks
        self.width, self.height = marks.width, marks.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        paint(self.marks, self.canv)


def paint(marks: ChartMarks, canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setLineCap(0)
    canvas.setLineJoin(0)
    _stroke(canvas, marks.grid)
    x, y, w, h = marks.frame
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.setDash()
    canvas.rect(x, y, w, h, stroke=1, fill=0)
    _stroke(canvas, marks.lines)
    if len(marks.trace) > 1:
        canvas.setStrokeColor(SPC_COMMON)
        canvas.setLineWidth(1.1)
        canvas.setDash()
        path = canvas.beginPath()
        path.moveTo(*marks.trace[0])
        for point in marks.trace[1:]:
            path.lineTo(*point)
        canvas.drawPath(path, stroke=1, fill=0)
    _dots(canvas, marks.dots)
    _labels(canvas, marks.labels)
    canvas.restoreState()


def _stroke(canvas: Canvas, marks: Sequence[Mark]) -> None:
    """One path for each run of lines drawn alike (colour, width, dash)."""
    i = 0
    while i < len(marks):
        first = marks[i]
        path = canvas.beginPath()
        while i < len(marks) and (marks[i].colour, marks[i].width, marks[i].dash) == (
            first.colour,
            first.width,
            first.dash,
        ):
            m = marks[i]
            path.moveTo(m.x1, m.y1)
            path.lineTo(m.x2, m.y2)
            i += 1
        canvas.setStrokeColor(first.colour)
        canvas.setLineWidth(first.width)
        if first.dash:
            canvas.setDash(list(first.dash), 0)
        else:
            canvas.setDash()
        canvas.drawPath(path, stroke=1, fill=0)


def _dots(canvas: Canvas, dots: Sequence[Dot]) -> None:
    """Filled dots with a 1 pt outline, as round-capped zero-length strokes (one per colour)."""
    canvas.setLineCap(1)
    canvas.setDash()
    groups: dict[tuple[str, float], list[Dot]] = {}
    for dot in dots:
        groups.setdefault((dot.colour.hexval(), dot.radius), []).append(dot)
    for (_, radius), group in groups.items():
        path = canvas.beginPath()
        for dot in group:
            path.moveTo(dot.x, dot.y)
            path.lineTo(dot.x, dot.y)
        canvas.setStrokeColor(group[0].colour)
        canvas.setLineWidth(2 * radius + 1)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.setLineCap(0)


def _labels(canvas: Canvas, labels: Sequence[Label]) -> None:
    text = canvas.beginText()
    font: tuple[float, str] | None = None
    for label in labels:
        if font != (label.size, label.colour.hexval()):
            font = (label.size, label.colour.hexval())
            text.setFont(REGULAR, label.size)
            text.setFillColor(label.colour)
        x = label.x
        if label.anchor != "start":
            width = text_width(label.text, REGULAR, label.size)
            x -= width if label.anchor == "end" else width / 2
        text.setTextOrigin(x, label.y)
        text.textOut(label.text)
    canvas.drawText(text)


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
    for phase in series.reading.result.phases:
        if phase.limits is not None:
            wanted += [v for v in (phase.limits.upper, phase.limits.lower) if math.isfinite(v)]
    low, high = min(wanted), max(wanted)
    # Limits are already held within what the measure can be (0–100 for a percentage, 0 or more
    # for a count), so the axis stops there too.
    bounds = series.reading.result.bounds
    if high == low:
        high, low = high + 1, low - 1 if low > 0 else low
    pad = (high - low) * 0.08
    step = _nice_step(high - low + 2 * pad)
    floor = math.floor((low - pad) / step) * step
    ceiling = math.ceil((high + pad) / step) * step
    if bounds.lower is not None:
        floor = max(floor, bounds.lower)
    if bounds.upper is not None:
        ceiling = min(ceiling, bounds.upper)
    return floor, ceiling


def _spread_labels(wanted: list[tuple[float, str, colors.Color]], gap: float) -> list[float]:
    """Move right-hand line labels apart so none overlap (keeps their order)."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i][0])
    placed = [w[0] for w in wanted]
    last = -math.inf
    for i in order:
        placed[i] = max(placed[i], last + gap)
        last = placed[i]
    return placed


def spc_chart(series: MeasureSeries, width: float, height: float = CHART_HEIGHT) -> ChartFlowable:
    """The chart for one measure. Call only when the measure has at least one point."""
    return ChartFlowable(spc_marks(series, width, height))


def spc_marks(series: MeasureSeries, width: float, height: float) -> ChartMarks:
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    marks = ChartMarks(width, height, (LEFT, BOTTOM, plot_w, plot_h))
    low, high = _y_range(series)

    def y_of(value: float) -> float:
        return BOTTOM + (value - low) / (high - low) * plot_h

    n = len(series.points)

    def x_of(index: int) -> float:
        return LEFT + (plot_w / 2 if n == 1 else index * plot_w / (n - 1))

    step = _nice_step(high - low)
    tick = low
    while tick <= high + step / 1000:
        y = y_of(tick)
        marks.grid.append(Mark(LEFT, y, LEFT + plot_w, y, GRID, 0.4))
        marks.labels.append(Label(LEFT - 3, y - 2.5, number(tick), MUTED, anchor="end"))
        tick += step
    _x_labels(marks, series, x_of, n)
    _reference_lines(marks, series, y_of, x_of, plot_w)
    _event_marks(marks, series, x_of, plot_h)
    marks.trace = [(x_of(i), y_of(p.value)) for i, p in enumerate(series.points)]
    marks.dots = [
        Dot(x, y, POINT_COLOURS.get(p.variation, SPC_COMMON))
        for (x, y), p in zip(marks.trace, series.points, strict=True)
    ]
    _legend(marks)
    return marks


def _x_labels(
    marks: ChartMarks, series: MeasureSeries, x_of: Callable[[int], float], n: int
) -> None:
    every = max(1, math.ceil(n / 13))
    for i, point in enumerate(series.points):
        # Every few points, and always the last; a regular label just before the last one
        # would run into it.
        if i != n - 1 and (i % every or n - 1 - i < every * 0.6):
            continue
        marks.labels.append(
            Label(
                x_of(i), BOTTOM - 10, point.period_start.strftime("%d/%m"), MUTED, anchor="middle"
            )
        )
    label = "Week starting" if series.frequency == "weekly" else "Period starting"
    marks.labels.append(Label(LEFT, BOTTOM - 20, label, MUTED))


def _reference_lines(
    marks: ChartMarks,
    series: MeasureSeries,
    y_of: Callable[[float], float],
    x_of: Callable[[int], float],
    plot_w: float,
) -> None:
    n = len(series.points)
    half = plot_w / (2 * max(n - 1, 1))
    result = series.reading.result
    for phase in result.phases:
        lim = phase.limits
        if lim is None or phase.size == 0:
            continue
        left = LEFT if phase.start == 0 else x_of(phase.start) - half
        right = LEFT + plot_w if phase.stop >= n else x_of(phase.stop - 1) + half
        marks.lines.append(Mark(left, y_of(lim.mean), right, y_of(lim.mean), SPC_LINE, 0.9))
        for value in (lim.upper, lim.lower):
            marks.lines.append(Mark(left, y_of(value), right, y_of(value), SPC_LINE, 0.7, DASH))
    lines: list[tuple[float, str, colors.Color, tuple[float, ...] | None, float]] = []
    current = result.current
    if current is not None and current.limits is not None:
        lim = current.limits
        lines.append((lim.mean, f"Mean {number(lim.mean)}", SPC_LINE, None, 0.0))
        lines.append((lim.upper, f"Upper limit {number(lim.upper)}", SPC_LINE, DASH, 0.0))
        lines.append((lim.lower, f"Lower limit {number(lim.lower)}", SPC_LINE, DASH, 0.0))
    lines.append((series.target, f"Target {number(series.target)}", SPC_TARGET, TARGET_DASH, 1.0))
    lines.append((series.baseline, f"Baseline {number(series.baseline)}", INK, DOT, 0.8))
    positions = _spread_labels([(y_of(v), t, c) for v, t, c, _, _ in lines], 8.5)
    for (value, text, colour, dash, width), label_y in zip(lines, positions, strict=True):
        y = y_of(value)
        if width:
            marks.lines.append(Mark(LEFT, y, LEFT + plot_w, y, colour, width, dash))
        marks.labels.append(
            Label(
                LEFT + plot_w + 4,
                label_y - 2.5,
                fit_text(text, REGULAR, FONT_SIZE, RIGHT - 6),
                colour,
            )
        )


def _event_marks(
    marks: ChartMarks, series: MeasureSeries, x_of: Callable[[int], float], plot_h: float
) -> None:
    """Changes, reopening and closure as labelled vertical marks."""
    periods = [p.period_start for p in series.points]
    n = len(periods)
    for count, mark in enumerate(series.reading.marks):
        if not periods or not periods[0] <= mark.on <= periods[-1] + (periods[-1] - periods[0]):
            continue
        index = next((i for i, p in enumerate(periods) if p >= mark.on), n - 1)
        x = x_of(index)
        if index and periods[index] > mark.on:
            # Between two points: placed in proportion to the days.
            before, after = periods[index - 1], periods[index]
            share = (mark.on - before).days / max((after - before).days, 1)
            x = x_of(index - 1) + (x_of(index) - x_of(index - 1)) * share
        colour = MARK_COLOURS.get(mark.kind, INK)
        marks.lines.append(Mark(x, BOTTOM, x, BOTTOM + plot_h, colour, 0.9, MARK_DASH))
        label = fit_text(mark.label, REGULAR, 6, 90)
        marks.labels.append(
            Label(x + 2, BOTTOM + plot_h - 7 - (count % 2) * 7, label, colour, size=6)
        )


def _legend(marks: ChartMarks) -> None:
    items: list[tuple[str, colors.Color, str]] = [
        ("dot", SPC_COMMON, "Common cause"),
        ("dot", SPC_IMPROVEMENT, "Improvement"),
        ("dot", SPC_CONCERN, "Concern"),
        ("line", SPC_LINE, "Mean"),
        ("dash", SPC_LINE, "Limits"),
        ("dash", SPC_TARGET, "Target"),
        ("dot-line", INK, "Baseline"),
    ]
    dashes: dict[str, tuple[float, ...] | None] = {"line": None, "dash": DASH, "dot-line": DOT}
    x, y = LEFT, 6.0
    for kind, colour, text in items:
        if kind == "dot":
            marks.dots.append(Dot(x + 3, y + 2.5, colour, LEGEND_RADIUS))
            x += 8
        else:
            marks.lines.append(Mark(x, y + 2.5, x + 12, y + 2.5, colour, 1.0, dashes[kind]))
            x += 15
        marks.labels.append(Label(x + 2, y, text, MUTED))
        x += text_width(text, REGULAR, FONT_SIZE) + 12
