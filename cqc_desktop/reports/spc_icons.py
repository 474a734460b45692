"""The Making Data Count icons on the PDF canvas, from the same shape the screen paints
(services/plans/spc_icons), with their meaning written beside them as the chart's key."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from ..services.plans.measure_reading import MeasureReading
from ..services.plans.spc_icons import ASSURANCE_ICONS, TARGET_Y, VARIATION_ICONS, IconSpec
from .fonts import BOLD, REGULAR, text_width
from .styles import MUTED

ICON_SIZE = 20.0
KEY_SIZE = 7.5


def paint_icon(canvas: Canvas, spec: IconSpec, x: float, y: float, size: float) -> None:
    """Paint ``spec`` in the square whose lower-left corner is (x, y)."""
    k = size / 100.0

    def at(px: float, py: float) -> tuple[float, float]:
        return x + px * k, y + (100 - py) * k  # the shape's y runs downwards

    colour = colors.HexColor(spec.colour)
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colors.white)
    canvas.setLineWidth(6 * k)
    canvas.setDash()
    canvas.circle(*at(50, 50), 45 * k, stroke=1, fill=1)
    if spec.target_line:
        canvas.setLineWidth(3 * k)
        canvas.setDash([6 * k, 4 * k], 0)
        canvas.line(*at(16, TARGET_Y), *at(84, TARGET_Y))
        canvas.setDash()
    canvas.setLineWidth(3 * k)
    path = canvas.beginPath()
    path.moveTo(*at(*spec.dots[0]))
    for point in spec.dots[1:]:
        path.lineTo(*at(*point))
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setFillColor(colour)
    for point in spec.dots:
        canvas.circle(*at(*point), 5 * k, stroke=0, fill=1)
    canvas.setFont(BOLD, 40 * k)
    cx, cy = at(50, 40)
    canvas.drawCentredString(cx, cy, spec.letter)
    canvas.restoreState()


class IconKey(Flowable):
    """The measure's variation and assurance icons, each with its meaning beside it."""

    def __init__(self, reading: MeasureReading) -> None:
        super().__init__()
        self.specs = [VARIATION_ICONS[reading.variation_icon]]
        if reading.assurance_icon is not None:
            self.specs.append(ASSURANCE_ICONS[reading.assurance_icon])
        self.height = ICON_SIZE + 2

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        x = 0.0
        for spec in self.specs:
            paint_icon(self.canv, spec, x, 1, ICON_SIZE)
            x += ICON_SIZE + 4
            self.canv.setFont(REGULAR, KEY_SIZE)
            self.canv.setFillColor(MUTED)
            self.canv.drawString(x, 1 + ICON_SIZE / 2 - 2.5, spec.legend)
            x += text_width(spec.legend, REGULAR, KEY_SIZE) + 14
