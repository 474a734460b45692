"""An XmR chart in the NHS "Making Data Count" style, drawn with QtCharts.

Points are joined by a line; special-cause points are coloured (improvement blue, concern orange);
the mean, the process limits, the baseline and the target are horizontal lines; the headline
variation and assurance are written above the chart in words as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...formatting import number
from ...models import Measure
from ...services.plans.measures import target_value
from ...services.plans.spc import DEFAULT_RULES, Assurance, SpcRules, Variation, analyse

COMMON = QColor("#5b6b7a")
IMPROVEMENT = QColor("#1f6fb4")
CONCERN = QColor("#e8710a")
TARGET = QColor("#7b3294")
LIMIT = QColor("#8a8a8a")
BASELINE = QColor("#3d3d3d")
DAY_MS = 86_400_000


@dataclass(frozen=True)
class ChartPoint:
    period: date
    value: float
    variation: Variation
    rules: tuple[str, ...] = ()
    derived: bool = False


@dataclass(frozen=True)
class ChartData:
    """Everything the chart draws, as plain values (tests read these too)."""

    title: str
    unit: str
    direction: str
    baseline: float
    target: float
    points: tuple[ChartPoint, ...] = ()
    mean: float | None = None
    upper: float | None = None
    lower: float | None = None
    variation: Variation = Variation.COMMON
    assurance: Assurance = Assurance.TOO_FEW_POINTS
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_measure(
        cls, measure: Measure, today: date, rules: SpcRules = DEFAULT_RULES
    ) -> ChartData:
        pts = [p for p in measure.points if p.period_start <= today]
        goal = target_value(measure.baseline_value, measure.target_kind, measure.target_value)
        result = analyse([p.value for p in pts], measure.direction, goal, rules)
        limits = result.limits
        return cls(
            title=measure.name,
            unit=measure.unit,
            direction=measure.direction,
            baseline=measure.baseline_value,
            target=goal,
            points=tuple(
                ChartPoint(p.period_start, p.value, r.variation, r.rules, p.derived)
                for p, r in zip(pts, result.points, strict=True)
            ),
            mean=limits.mean if limits else None,
            upper=limits.upper if limits else None,
            lower=limits.lower if limits else None,
            variation=result.variation,
            assurance=result.assurance,
        )

    @property
    def headline(self) -> str:
        variation = {
            Variation.COMMON: "Common cause variation (no signal)",
            Variation.IMPROVEMENT: "Special cause: improvement",
            Variation.CONCERN: "Special cause: concern",
            Variation.NEITHER: "Special cause",
        }[self.variation]
        assurance = {
            Assurance.PASS: "will consistently pass the target",
            Assurance.FAIL: "will consistently fail the target",
            Assurance.INCONSISTENT: "inconsistent: will hit and miss the target",
            Assurance.NO_TARGET: "no target set",
            Assurance.TOO_FEW_POINTS: "too few points to judge",
        }[self.assurance]
        return f"{variation}. Assurance: {assurance}."


def _ms(d: date) -> float:
    return float(QDateTime(QDate(d.year, d.month, d.day), QTime(12, 0)).toMSecsSinceEpoch())


def _hline(
    name: str, y: float, x0: float, x1: float, colour: QColor, style: Qt.PenStyle
) -> QLineSeries:
    series = QLineSeries()
    series.setName(name)
    series.append(x0, y)
    series.append(x1, y)
    pen = QPen(colour)
    pen.setWidthF(1.6)
    pen.setStyle(style)
    series.setPen(pen)
    return series


class MeasureChart(QWidget):
    """The chart plus the headline above it. ``set_data(None)`` shows an explanation instead."""

    sig_point_clicked = Signal(object)
    """Carries the period start (date) of the point clicked."""

    def __init__(self) -> None:
        super().__init__()
        self.data: ChartData | None = None
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Chart reading")
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        # A wrapped HTML legend under the chart reads better at office-PC widths than QtCharts'
        # own, which elides entries to "Proce…".
        self.chart.legend().hide()
        self.chart.setBackgroundRoundness(0)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(220)
        self.view.setAccessibleName("Measure chart")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Chart key")
        layout.addWidget(self.headline)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        self.set_data(None)

    def series_names(self) -> list[str]:
        return [s.name() for s in self.chart.series()]

    def set_data(self, data: ChartData | None) -> None:
        self.data = data
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if data is None or not data.points:
            self.headline.setText(
                "No points yet: enter the first value below to start the chart."
                if data is not None
                else "No measure is set for this action."
            )
            self.headline.setStyleSheet("color: #555;")
            self.chart.setTitle("")
            self.legend.setText("")
            return
        self._draw(data)

    def _draw(self, data: ChartData) -> None:
        colour = {
            Variation.IMPROVEMENT: IMPROVEMENT,
            Variation.CONCERN: CONCERN,
        }.get(data.variation, BASELINE)
        self.headline.setText(data.headline)
        self.headline.setStyleSheet(f"color: {colour.name()}; font-weight: 600;")
        unit = f" ({data.unit})" if data.unit else ""
        self.chart.setTitle(f"{data.title}{unit}")
        title_font = QFont(self.font())
        title_font.setBold(True)
        self.chart.setTitleFont(title_font)

        xs = [_ms(p.period) for p in data.points]
        # A little room either side so end points are not cut in half by the plot edge.
        pad = max(DAY_MS * 2.0, (xs[-1] - xs[0]) * 0.03)
        x0, x1 = xs[0] - pad, xs[-1] + pad

        line = QLineSeries()
        line.setName("Value")
        pen = QPen(COMMON)
        pen.setWidthF(1.8)
        line.setPen(pen)
        for x, p in zip(xs, data.points, strict=True):
            line.append(x, p.value)
        series: list[QLineSeries | QScatterSeries] = [line]

        for name, y, col, style in (
            ("Mean", data.mean, LIMIT, Qt.PenStyle.SolidLine),
            ("Process limits", data.upper, LIMIT, Qt.PenStyle.DashLine),
            ("", data.lower, LIMIT, Qt.PenStyle.DashLine),
            ("Baseline", data.baseline, BASELINE, Qt.PenStyle.DotLine),
            ("Target", data.target, TARGET, Qt.PenStyle.DashDotLine),
        ):
            if y is None:
                continue
            series.append(_hline(name, y, x0, x1, col, style))

        for name, variation, col in (
            ("Common cause", Variation.COMMON, COMMON),
            ("Improvement", Variation.IMPROVEMENT, IMPROVEMENT),
            ("Concern", Variation.CONCERN, CONCERN),
        ):
            dots = QScatterSeries()
            dots.setName(name)
            dots.setColor(col)
            dots.setBorderColor(col)
            dots.setMarkerSize(9 if variation is Variation.COMMON else 11)
            for x, p in zip(xs, data.points, strict=True):
                if p.variation is variation:
                    dots.append(x, p.value)
            dots.clicked.connect(self._clicked)
            if dots.count() or variation is Variation.COMMON:
                series.append(dots)

        axis_x = QDateTimeAxis()
        axis_x.setFormat("dd/MM/yyyy")
        axis_x.setRange(
            QDateTime.fromMSecsSinceEpoch(int(x0)), QDateTime.fromMSecsSinceEpoch(int(x1))
        )
        axis_x.setTickCount(max(2, min(len(xs), max(2, self.width() // 110))))
        axis_x.setTitleText("Period starting")
        values = [p.value for p in data.points]
        extras = [
            v
            for v in (data.mean, data.upper, data.lower, data.baseline, data.target)
            if v is not None
        ]
        lo, hi = min(values + extras), max(values + extras)
        span = (hi - lo) or max(abs(hi), 1.0)
        lo, hi = lo - span * 0.08, hi + span * 0.08
        if min([*values, data.baseline, data.target]) >= 0:
            lo = max(lo, 0.0)
        axis_y = QValueAxis()
        axis_y.setRange(lo, hi)
        axis_y.setLabelFormat("%.4g")
        axis_y.applyNiceNumbers()
        axis_y.setTitleText(data.unit or "Value")
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for s in series:
            self.chart.addSeries(s)
            s.attachAxis(axis_x)
            s.attachAxis(axis_y)
        self.legend.setText(self._legend(data))
        self.view.setToolTip(self._tooltip(data))

    @staticmethod
    def _legend(data: ChartData) -> str:
        def key(symbol: str, colour: QColor, text: str) -> str:
            return (
                f"<span style='color:{colour.name()}; font-weight:700'>{symbol}</span>&nbsp;{text}"
            )

        parts = [key("●", COMMON, "Value")]
        if data.mean is not None:
            parts.append(key("━", LIMIT, f"Mean {number(data.mean)}"))
        if data.upper is not None and data.lower is not None:
            parts.append(
                key("╌", LIMIT, f"Process limits {number(data.lower)}–{number(data.upper)}")
            )
        parts.append(key("┈", BASELINE, f"Baseline {number(data.baseline)}"))
        parts.append(key("━ ·", TARGET, f"Target {number(data.target)}"))
        kinds = {p.variation for p in data.points}
        if Variation.IMPROVEMENT in kinds:
            parts.append(key("●", IMPROVEMENT, "Special cause: improvement"))
        if Variation.CONCERN in kinds:
            parts.append(key("●", CONCERN, "Special cause: concern"))
        return " &nbsp;&nbsp; ".join(parts)

    def _tooltip(self, data: ChartData) -> str:
        parts = [f"Baseline {number(data.baseline)}", f"Target {number(data.target)}"]
        if data.mean is not None:
            parts.append(f"Mean {number(data.mean)}")
        if data.upper is not None and data.lower is not None:
            parts.append(f"Limits {number(data.lower)} to {number(data.upper)}")
        return " · ".join(parts)

    def _clicked(self, point: QPointF) -> None:
        if self.data is None:
            return
        clicked = QDateTime.fromMSecsSinceEpoch(int(point.x())).date().toPython()
        best = min(self.data.points, key=lambda p: abs((p.period - clicked).days))
        self.sig_point_clicked.emit(best.period)

    def describe_point(self, p: ChartPoint) -> str:
        """The reading of one point in words (used in the points table)."""
        if p.variation is Variation.COMMON:
            return "Common cause"
        kind = "Improvement" if p.variation is Variation.IMPROVEMENT else "Concern"
        return f"{kind} ({', '.join(p.rules)})" if p.rules else kind
