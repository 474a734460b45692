"""A Making Data Count icon painted with QPainter from the shape in services/plans/spc_icons
(the PDFs paint the same shape with ReportLab)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ...services.plans.spc_icons import TARGET_Y, IconSpec


def paint_icon(painter: QPainter, spec: IconSpec, rect: QRectF) -> None:
    """Paint ``spec`` into ``rect`` (a square)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(rect.topLeft())
    scale = rect.width() / 100.0
    painter.scale(scale, scale)
    colour = QColor(spec.colour)
    pen = QPen(colour, 6)
    painter.setPen(pen)
    painter.setBrush(QColor("white"))
    painter.drawEllipse(QPointF(50, 50), 45, 45)
    if spec.target_line:
        target = QPen(colour, 3, Qt.PenStyle.DashLine)
        painter.setPen(target)
        painter.drawLine(QPointF(16, TARGET_Y), QPointF(84, TARGET_Y))
    painter.setPen(QPen(colour, 3))
    for a, b in zip(spec.dots, spec.dots[1:], strict=False):
        painter.drawLine(QPointF(*a), QPointF(*b))
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    for x, y in spec.dots:
        painter.drawEllipse(QPointF(x, y), 5, 5)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(40)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(QRectF(20, 4, 60, 44), Qt.AlignmentFlag.AlignCenter, spec.letter)
    painter.restore()


class SpcIcon(QWidget):
    """One icon, with its meaning as the tooltip and accessible name."""

    def __init__(self, size: int = 40) -> None:
        super().__init__()
        self.spec: IconSpec | None = None
        self._size = size
        self.setFixedSize(size, size)

    def set_spec(self, spec: IconSpec | None) -> None:
        self.spec = spec
        self.setVisible(spec is not None)
        text = spec.legend if spec else ""
        self.setToolTip(text)
        self.setAccessibleName(text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._size, self._size)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.spec is None:
            return
        painter = QPainter(self)
        paint_icon(painter, self.spec, QRectF(1, 1, self._size - 2, self._size - 2))
        painter.end()
