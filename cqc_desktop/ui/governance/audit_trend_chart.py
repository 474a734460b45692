"""The score of one audit at one home over time (QtCharts), across template versions."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...formatting import uk_date
from ...services.governance.audit_schedule import TrendPoint
from ...services.governance.audits import percent_text

LINE = QColor("#1f6fb4")
SELECTED = QColor("#e8710a")
DAY_MS = 86_400_000


def _ms(day: date) -> float:
    """Noon of ``day`` on this PC's clock, as the date axis counts (ms since 1970).

    Plain Python: a QDateTime made for each point cost more than the rest of the chart's update.
    """
    return datetime(day.year, day.month, day.day, 12).timestamp() * 1000


class AuditTrendChart(QWidget):
    """Overall score per run, 0–100 %; the run chosen in the list is ringed.

    The series and axes are made once and refilled: choosing another home or run replaces their
    points rather than building the chart again (which cost a redraw of every part of it).
    """

    def __init__(self) -> None:
        super().__init__()
        self.points: list[TrendPoint] = []
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setAccessibleName("Score trend reading")
        self.chart = QChart()
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.setBackgroundRoundness(0)
        self.chart.legend().hide()
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(170)
        self.view.setAccessibleName("Score trend chart")
        self.line, self.dots, self.ring = self._series()
        self.x_axis, self.y_axis = self._axes()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.set_points("", [], None)

    def _series(self) -> tuple[QLineSeries, QScatterSeries, QScatterSeries]:
        line = QLineSeries()
        pen = QPen(LINE)
        pen.setWidthF(2.0)
        line.setPen(pen)
        dots = QScatterSeries()
        dots.setColor(LINE)
        dots.setBorderColor(LINE)
        dots.setMarkerSize(8)
        ring = QScatterSeries()
        ring.setColor(QColor(0, 0, 0, 0))
        ring.setBorderColor(SELECTED)
        ring.setMarkerSize(15)
        for series in (line, dots, ring):
            self.chart.addSeries(series)
        return line, dots, ring

    def _axes(self) -> tuple[QDateTimeAxis, QValueAxis]:
        x_axis = QDateTimeAxis()
        x_axis.setFormat("dd/MM/yy")
        y_axis = QValueAxis()
        y_axis.setRange(0, 105)
        y_axis.setTickCount(6)
        y_axis.setLabelFormat("%d %%")
        y_axis.setTickInterval(20)
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.line, self.dots, self.ring):
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        return x_axis, y_axis

    def plotted(self) -> list[tuple[date, float]]:
        """What the line shows (runs scored all N/A have no point)."""
        return [(p.run_on, p.percent) for p in self.points if p.percent is not None]

    def ringed(self) -> list[tuple[float, float]]:
        """Where the ring is drawn (the chosen run), as (ms, %)."""
        return [(p.x(), p.y()) for p in self.ring.points()]

    def set_points(self, name: str, points: list[TrendPoint], selected_run: int | None) -> None:
        self.points = list(points)
        scored = [p for p in points if p.percent is not None]
        self.view.setVisible(bool(name and scored))
        if not name or not scored:
            for series in (self.line, self.dots, self.ring):
                series.clear()
            self.caption.setText(
                f"{name}: no runs at this home yet, so no trend to show."
                if name
                else "Choose an audit and one home to see its score over time."
            )
            return
        first, last = scored[0], scored[-1]
        trend = (
            f"{percent_text(first.percent)} on {uk_date(first.run_on)} → "
            f"{percent_text(last.percent)} on {uk_date(last.run_on)}"
            if len(scored) > 1
            else f"{percent_text(last.percent)} on {uk_date(last.run_on)}"
        )
        versions = sorted({p.version for p in scored})
        across = (
            f" (template versions {', '.join(map(str, versions))})" if len(versions) > 1 else ""
        )
        self.caption.setText(f"<b>{name}</b>: {len(scored)} run(s), {trend}{across}.")

        xy = [QPointF(_ms(p.run_on), p.percent or 0.0) for p in scored]
        self.line.replace(xy)
        self.dots.replace(xy)
        self.ring.replace(
            [pt for pt, p in zip(xy, scored, strict=True) if p.run_id == selected_run]
        )

        span = max(_ms(last.run_on) - _ms(first.run_on), 14 * DAY_MS)
        pad = span * 0.06
        self.x_axis.setTickCount(min(6, max(2, len(scored))))
        self.x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(int(_ms(first.run_on) - pad)),
            QDateTime.fromMSecsSinceEpoch(int(_ms(first.run_on) + span + pad)),
        )
