"""Text that fits: lines wrapped to a width and shrunk to a smallest size, for the STTP's
long names, titles and subjects (reportlab measures the strings)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

ELLIPSIS = "…"


@dataclass(frozen=True)
class Fitted:
    """Lines of one text at the size they fit at."""

    lines: list[str]
    font: str
    size: float
    cut: bool = False  # the last line ends in an ellipsis: the text did not fit

    @property
    def leading(self) -> float:
        return self.size * 1.2

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def fitted(
    text: str, font: str, size: float, width: float, *, min_size: float, max_lines: int
) -> Fitted:
    """`text` at the largest size down to `min_size` (half a point at a time) that wraps into
    `max_lines` lines of `width`; at `min_size` the last line is cut with an ellipsis."""
    current = size
    while True:
        lines = simpleSplit(text, font, current, width) or [""]
        if len(lines) <= max_lines:
            return Fitted(lines, font, current)
        if current - 0.5 < min_size:
            return Fitted(_cut(lines, font, current, width, max_lines), font, current, cut=True)
        current -= 0.5


def _cut(lines: list[str], font: str, size: float, width: float, max_lines: int) -> list[str]:
    # Only where even the smallest size cannot hold it (beyond the contract's lengths).
    last = " ".join(lines[max_lines - 1 :])
    while last and stringWidth(last + ELLIPSIS, font, size) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]


def draw_lines(canvas: Canvas, text: Fitted, x: float, top: float, *, centred: bool) -> float:
    """Draw the lines downward from baseline `top`; returns the baseline after the last."""
    canvas.setFont(text.font, text.size)
    y = top
    for line in text.lines:
        if centred:
            canvas.drawCentredString(x, y, line)
        else:
            canvas.drawString(x, y, line)
        y -= text.leading
    return y
