"""An XmR chart in the NHS "Making Data Count" style, drawn with QtCharts.

The reading comes from services/plans/measure_reading (the same one the PDFs and the closure gate
use): mean and limits per phase, limits held within what the measure can be, the variation and
assurance icons above the chart, labelled marks for changes, reopening and closure, and the
plain-English sentence under it. The axes are made once and reused, so a redraw never leaves old
tick labels or titles underneath the new ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QLabel,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...formatting import number
from ...models import Measure
from ...services.plans.measure_reading import (
    MARK_CHANGE,
    MARK_REOPENED,
    MeasureReading,
    measure_reading,
)
from ...services.plans.measure_words import rule_words
from ...services.plans.spc import DEFAULT_RULES, SpcRules, Variation
from ...services.plans.spc_icons import ASSURANCE_ICONS, VARIATION_ICONS
from .spc_icon import SpcIcon

COMMON = QColor("#5b6b7a")
IMPROVEMENT = QColor("#1f6fb4")
CONCERN = QColor("#e8710a")
TARGET = QColor("#7b3294")
LIMIT = QColor("#8a8a8a")
BASELINE = QColor("#3d3d3d")
MARK_COLOURS = {MARK_CHANGE: QColor("#2e7d32"), MARK_REOPENED: QColor("#b00020")}
MARK_OTHER = QColor("#444444")
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
    reading: MeasureReading
    points: tuple[ChartPoint, ...] = ()
    rules: SpcRules = DEFAULT_RULES

    @classmethod
    def from_measure(
        cls, measure: Measure, today: date, rules: SpcRules = DEFAULT_RULES
    ) -> ChartData:
        reading = measure_reading(measure, today, rules)
        pts = [p for p in measure.points if p.period_start <= today]
        return cls(
            title=measure.name,
            unit=measure.unit,
            direction=measure.direction,
            baseline=measure.baseline_value,
            target=reading.target,
            reading=reading,
            points=tuple(
                ChartPoint(p.period_start, p.value, r.variation, r.rules, p.derived)
                for p, r in zip(pts, reading.result.points, strict=True)
            ),
            rules=rules,
        )

    @property
    def sentence(self) -> str:
        return self.reading.sentence


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next((f * power for f in (1, 2, 2.5, 5) if raw <= f * power), 10 * power)


def _ms(d: date) -> float:
    return float(QDateTime(QDate(d.year, d.month, d.day), QTime(12, 0)).toMSecsSinceEpoch())


def _segment(
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
    """Icons and title, the chart, the plain-English reading, and the key."""

    sig_point_clicked = Signal(object)
    """Carries the period start (date) of the point clicked."""

    def __init__(self) -> None:
        super().__init__()
        self.data: ChartData | None = None
        self.variation_icon = SpcIcon(40)
        self.assurance_icon = SpcIcon(40)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.icon_meaning = QLabel()
        self.icon_meaning.setWordWrap(True)
        self.icon_meaning.setStyleSheet("color: #555;")
        self.icon_meaning.setAccessibleName("Icon meanings")
        self.chart = QChart()
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.legend().hide()
        self.chart.setBackgroundRoundness(0)
        # Made once: removing and re-adding axes on every redraw left the old ones painted.
        self.axis_x = QDateTimeAxis()
        self.axis_x.setFormat("dd/MM/yyyy")
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%.4g")
        self.chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.chart.plotAreaChanged.connect(self._place_mark_labels)
        self._mark_labels: list[tuple[QGraphicsSimpleTextItem, float]] = []
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(170)
        self.view.setAccessibleName("Measure chart")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Chart reading")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #555;")
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Chart key")
        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.variation_icon)
        top.addWidget(self.assurance_icon)
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.title)
        words.addWidget(self.icon_meaning)
        top.addLayout(words, 1)
        small = QFont(self.font())
        small.setPointSizeF(max(7.5, small.pointSizeF() - 1))
        for label in (self.caption, self.legend, self.icon_meaning):
            label.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.headline)
        layout.addWidget(self.caption)
        layout.addWidget(self.legend)
        self.set_data(None)

    def series_names(self) -> list[str]:
        return [s.name() for s in self.chart.series()]

    def set_data(self, data: ChartData | None) -> None:
        self.data = data
        self.chart.removeAllSeries()
        for item, _x in self._mark_labels:
            self.chart.scene().removeItem(item)
        self._mark_labels = []
        if data is None or not data.points:
            self.headline.setText(
                "No points yet: enter the first value to start the chart."
                if data is not None
                else "No measure is set for this action."
            )
            self.title.setText(data.title if data is not None else "")
            self.icon_meaning.setText("")
            for axis in (self.axis_x, self.axis_y):
                axis.setVisible(False)
            for icon in (self.variation_icon, self.assurance_icon):
                icon.set_spec(None)
            self.caption.setText("")
            self.legend.setText("")
            return
        self._draw(data)

    def _draw(self, data: ChartData) -> None:
        reading = data.reading
        result = reading.result
        self.variation_icon.set_spec(VARIATION_ICONS[reading.variation_icon])
        self.assurance_icon.set_spec(
            ASSURANCE_ICONS[reading.assurance_icon] if reading.assurance_icon else None
        )
        unit = f" ({data.unit})" if data.unit else ""
        self.title.setText(f"<b>{data.title}{unit}</b>")
        meanings = [VARIATION_ICONS[reading.variation_icon].legend]
        if reading.assurance_icon is not None:
            meanings.append(ASSURANCE_ICONS[reading.assurance_icon].legend)
        self.icon_meaning.setText(" · ".join(meanings))
        self.headline.setText(data.sentence)
        self.caption.setText(reading.caption)
        self.caption.setVisible(bool(reading.caption))

        xs = [_ms(p.period) for p in data.points]
        step = (xs[1] - xs[0]) if len(xs) > 1 else DAY_MS * 7.0
        pad = max(DAY_MS * 2.0, step / 2)
        x0, x1 = xs[0] - pad, xs[-1] + pad
        series: list[QLineSeries | QScatterSeries] = []
        line = QLineSeries()
        line.setName("Value")
        pen = QPen(COMMON)
        pen.setWidthF(1.8)
        line.setPen(pen)
        for x, p in zip(xs, data.points, strict=True):
            line.append(x, p.value)
        series.append(line)

        wanted = [p.value for p in data.points] + [data.baseline, data.target]
        for phase in result.phases:
            if phase.limits is None or phase.size == 0:
                continue
            left = xs[phase.start] - step / 2 if phase.start else x0
            right = xs[phase.stop - 1] + step / 2 if phase.stop < len(xs) else x1
            lim = phase.limits
            series.append(_segment("Mean", lim.mean, left, right, LIMIT, Qt.PenStyle.SolidLine))
            for y in (lim.upper, lim.lower):
                series.append(
                    _segment("Process limits", y, left, right, LIMIT, Qt.PenStyle.DashLine)
                )
            wanted += [lim.upper, lim.lower]
        series.append(_segment("Baseline", data.baseline, x0, x1, BASELINE, Qt.PenStyle.DotLine))
        series.append(_segment("Target", data.target, x0, x1, TARGET, Qt.PenStyle.DashDotLine))

        lo, hi = min(wanted), max(wanted)
        span = (hi - lo) or max(abs(hi), 1.0)
        lo, hi = lo - span * 0.08, hi + span * 0.12
        bounds = result.bounds
        if bounds.lower is not None:
            lo = max(lo, bounds.lower)
        self.axis_x.setRange(
            QDateTime.fromMSecsSinceEpoch(int(x0)), QDateTime.fromMSecsSinceEpoch(int(x1))
        )
        self.axis_x.setTickCount(max(2, min(len(xs), max(2, self.width() // 110))))
        self.axis_x.setTitleText("Week starting" if len(xs) < 2 or step < DAY_MS * 20 else "Month")
        # Round ticks that stop at the measure's bounds (0 and 100 for a percentage).
        step = _nice_step(hi - lo)
        low = math.floor(lo / step) * step
        high = math.ceil(hi / step) * step
        if bounds.lower is not None:
            low = max(low, bounds.lower)
        if bounds.upper is not None:
            high = min(high, bounds.upper)
        self.axis_y.setRange(low, high)
        self.axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
        self.axis_y.setTickAnchor(0.0)
        self.axis_y.setTickInterval(step)
        self.axis_y.setTitleText(data.unit or "Value")
        for mark in reading.marks:
            if x0 <= _ms(mark.on) <= x1:
                vertical = QLineSeries()
                vertical.setName(f"{mark.label} {mark.on:%d/%m/%Y}")
                vpen = QPen(MARK_COLOURS.get(mark.kind, MARK_OTHER))
                vpen.setWidthF(1.4)
                vpen.setStyle(Qt.PenStyle.DashLine)
                vertical.setPen(vpen)
                vertical.append(_ms(mark.on), self.axis_y.min())
                vertical.append(_ms(mark.on), self.axis_y.max())
                series.append(vertical)
                label = QGraphicsSimpleTextItem(mark.label[:28], self.chart)
                label.setBrush(MARK_COLOURS.get(mark.kind, MARK_OTHER))
                small = QFont(self.font())
                small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
                label.setFont(small)
                label.setToolTip(f"{mark.label} ({mark.on:%d/%m/%Y})")
                self._mark_labels.append((label, _ms(mark.on)))

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
            dots.hovered.connect(self._hovered)
            if dots.count() or variation is Variation.COMMON:
                series.append(dots)

        for axis in (self.axis_x, self.axis_y):
            axis.setVisible(True)
        for s in series:
            self.chart.addSeries(s)
            s.attachAxis(self.axis_x)
            s.attachAxis(self.axis_y)
        self.legend.setText(self._legend(data))
        self._place_mark_labels()

    def _place_mark_labels(self) -> None:
        area = self.chart.plotArea()
        for n, (item, x) in enumerate(self._mark_labels):
            at = self.chart.mapToPosition(QPointF(x, self.axis_y.max()))
            # Staggered so two marks a week apart do not print over each other.
            item.setPos(at.x() + 3, area.top() + 2 + (n % 2) * 13)

    @staticmethod
    def _legend(data: ChartData) -> str:
        def key(symbol: str, colour: QColor, text: str) -> str:
            return (
                f"<span style='color:{colour.name()}; font-weight:700'>{symbol}</span>&nbsp;{text}"
            )

        reading = data.reading
        parts = [key("●", COMMON, "Value")]
        current = reading.result.current
        if current is not None and current.limits is not None:
            lim = current.limits
            parts.append(key("━", LIMIT, f"Mean {number(lim.mean)}"))
            parts.append(key("╌", LIMIT, f"Process limits {number(lim.lower)}–{number(lim.upper)}"))
        parts.append(key("┈", BASELINE, f"Baseline {number(data.baseline)}"))
        parts.append(key("━ ·", TARGET, f"Target {number(data.target)}"))
        kinds = {p.variation for p in data.points}
        if Variation.IMPROVEMENT in kinds:
            parts.append(key("●", IMPROVEMENT, "Special cause: improvement"))
        if Variation.CONCERN in kinds:
            parts.append(key("●", CONCERN, "Special cause: concern"))
        if any(m.kind == MARK_CHANGE for m in reading.marks):
            parts.append(key("┆", MARK_COLOURS[MARK_CHANGE], "Change made"))
        return " &nbsp;&nbsp; ".join(parts)

    def point_at(self, x_ms: float) -> ChartPoint | None:
        if self.data is None or not self.data.points:
            return None
        clicked = QDateTime.fromMSecsSinceEpoch(int(x_ms)).date().toPython()
        return min(self.data.points, key=lambda p: abs((p.period - clicked).days))

    def hover_text(self, p: ChartPoint) -> str:
        """Date, value and any rule broken, as the hover tooltip shows it."""
        unit = self.data.unit if self.data else ""
        value = f"{number(p.value)} %" if unit.strip() == "%" else number(p.value)
        text = f"{p.period:%d/%m/%Y}: {value}"
        if p.rules and self.data is not None:
            kind = "Improvement" if p.variation is Variation.IMPROVEMENT else "Concern"
            text += f" — {kind}: " + "; ".join(rule_words(r, self.data.rules) for r in p.rules)
        return text

    def _hovered(self, point: QPointF, state: bool) -> None:
        found = self.point_at(point.x()) if state else None
        if found is None:
            QToolTip.hideText()
            return
        QToolTip.showText(QCursor.pos(), self.hover_text(found), self.view)

    def _clicked(self, point: QPointF) -> None:
        found = self.point_at(point.x())
        if found is not None:
            self.sig_point_clicked.emit(found.period)

    def describe_point(self, p: ChartPoint) -> str:
        """The reading of one point in words (used in the points table)."""
        if p.variation is Variation.COMMON:
            return "Common cause"
        kind = "Improvement" if p.variation is Variation.IMPROVEMENT else "Concern"
        return f"{kind} ({', '.join(p.rules)})" if p.rules else kind
