"""Chart geometry shared by the PDF (fpdf2 lines) and the HTML (inline SVG).

A chart is described once in data units (axes, ticks, coloured bands, series)
and each renderer only maps it onto its own canvas with `Chart.project`. That
keeps the two documents' charts identical and lets the scaling be tested
without drawing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from journal.export.summary import RecoveryLine, short_date

RGB = tuple[int, int, int]
PALETTE: tuple[RGB, ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
MAX_X_LABELS = 8
X_INSET = 0.04
# Each series gets its own marker and dash pattern as well as a colour, so two
# series with equal values stay distinguishable (and in print, in grey, or to a
# reader who cannot tell the colours apart). Dashes are in units of the line width.
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES: tuple[tuple[float, float], ...] = ((0, 0), (4, 2), (1.2, 1.6), (6, 2))
DODGE = 0.018  # of the x span: how far series are shifted apart so equal points do not hide


@dataclass(frozen=True)
class Tick:
    value: float
    label: str


@dataclass(frozen=True)
class Band:
    """A horizontal stripe, e.g. the Worth It zone of the score."""

    low: float
    high: float
    color: RGB
    label: str


@dataclass(frozen=True)
class Series:
    """One line of a chart. `points` are where it is drawn (already dodged, see DODGE)."""

    label: str
    color: RGB
    points: tuple[tuple[float, float], ...]
    marker: str = "circle"
    dash: tuple[float, float] = (0, 0)  # (on, off) in line widths; (0, 0) is solid

    @property
    def drawn(self) -> bool:
        return bool(self.points)


@dataclass(frozen=True)
class Box:
    """Where the plot area sits on the canvas (canvas units, y grows downwards)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bands: tuple[Band, ...]
    series: tuple[Series, ...]
    empty_text: str

    @property
    def is_empty(self) -> bool:
        return not any(s.points for s in self.series)

    def tick_labels(
        self, box: Box, width_of: Callable[[str], float], gap: float
    ) -> list[tuple[float, str]]:
        """The x tick labels to print, centred at their x: none overlaps another.

        Walking left to right, a label that would touch the previous one is
        skipped; the last tick is always kept (the one before it gives way).
        """
        placed: list[tuple[float, str, float]] = []
        for tick in self.x_ticks:
            x, _y = self.project(tick.value, self.y_min, box)
            half = width_of(tick.label) / 2
            if placed and x - half < placed[-1][0] + placed[-1][2] + gap:
                if tick is not self.x_ticks[-1]:
                    continue
                placed.pop()
                while placed and x - half < placed[-1][0] + placed[-1][2] + gap:
                    placed.pop()
            placed.append((x, tick.label, half))
        return [(x, label) for x, label, _half in placed]

    def project(self, x: float, y: float, box: Box) -> tuple[float, float]:
        """Data coordinates to canvas coordinates inside `box`.

        The x axis keeps a small inset at both ends so the first and last
        points (and their labels) never sit on the frame.
        """
        span_x = (self.x_max - self.x_min) or 1.0
        span_y = (self.y_max - self.y_min) or 1.0
        y = min(max(y, self.y_min), self.y_max)
        inset = box.width * X_INSET
        px = box.left + inset + (x - self.x_min) / span_x * (box.width - 2 * inset)
        py = box.top + box.height - (y - self.y_min) / span_y * box.height
        return px, py


def trend_chart(points: Sequence[tuple[dt.date, int]]) -> Chart:
    """The worth-it score as of each session date, over the verdict zones."""
    if points:
        first = points[0][0].toordinal()
        data = tuple((float(d.toordinal() - first), float(s)) for d, s in points)
        x_max = max(data[-1][0], 1.0)
        step = max(1, -(-len(points) // MAX_X_LABELS))  # ceil: thin the labels, keep all points
        ticks = tuple(
            Tick(float(d.toordinal() - first), short_date(d))
            for i, (d, _s) in enumerate(points)
            if i % step == 0 or i == len(points) - 1
        )
    else:
        data, x_max, ticks = (), 1.0, ()
    return Chart(
        title="Worth-it score after each session",
        x_min=0.0,
        x_max=x_max,
        y_min=0.0,
        y_max=100.0,
        x_ticks=ticks,
        y_ticks=tuple(Tick(v, str(v)) for v in (0, 40, 70, 100)),
        bands=(
            Band(70, 100, (226, 241, 227), "Worth It"),
            Band(40, 70, (253, 243, 220), "Not Sure"),
            Band(0, 40, (251, 228, 228), "Not Worth It"),
        ),
        series=(Series("score", (33, 33, 33), data),),
        empty_text="No score yet: log a session and a check-in.",
    )


def recovery_chart(lines: Sequence[RecoveryLine]) -> Chart:
    """Worst symptom (0-10) by day after each session, one line per session.

    Every session is in the legend, a session without rated check-ins marked
    "not rated" and drawn nowhere. Sessions recover alike more often than not,
    so each line has its own marker and dash and is shifted a little sideways
    (DODGE): two identical recoveries show as two lines side by side.
    """
    last_day = max((d for line in lines for d, _v in line.points), default=0)
    x_max = 7 if last_day <= 7 else 14 if last_day <= 14 else 21 if last_day <= 21 else 30
    drawn = [line for line in lines if line.points]
    shift = {
        line.number: (i - (len(drawn) - 1) / 2) * DODGE * x_max for i, line in enumerate(drawn)
    }
    series = tuple(
        Series(
            f"#{line.number} {line.session_date.isoformat()}"
            + ("" if line.points else " (not rated)"),
            PALETTE[(line.number - 1) % len(PALETTE)],
            tuple((float(d) + shift.get(line.number, 0.0), float(v)) for d, v in line.points),
            MARKERS[(line.number - 1) % len(MARKERS)],
            DASHES[(line.number - 1) % len(DASHES)],
        )
        for line in lines
    )
    ticks = tuple(Tick(float(d), f"day {d}" if d == 0 else str(d)) for d in _day_ticks(x_max))
    return Chart(
        title="Recovery: worst symptom by day after each session",
        x_min=0.0,
        x_max=float(x_max),
        y_min=0.0,
        y_max=10.0,
        x_ticks=ticks,
        y_ticks=tuple(Tick(v, str(v)) for v in (0, 5, 10)),
        bands=(),
        series=series,
        empty_text="No symptoms rated after a session yet.",
    )


def _day_ticks(x_max: int) -> list[int]:
    step = 1 if x_max <= 7 else 2 if x_max <= 14 else 3 if x_max <= 21 else 5
    return list(range(0, x_max + 1, step))
