"""The worth-it score across sessions, drawn with textual-plotext."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from journal.core.score import TrendPoint

WORTH_IT_AT = 70  # the verdict thresholds, drawn so a point reads at a glance
NOT_SURE_AT = 40
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class TrendPlot(PlotextPlot):
    """One point per session date, scored with what was known on that day.

    `today` adds the score as of today when it differs from the last session's:
    what happened since (a red flag, a late rating) then shows as the last step
    of the line instead of contradicting the number above the plot.
    """

    def __init__(
        self,
        points: tuple[TrendPoint, ...],
        *,
        today: tuple[dt.date, int] | None = None,
        title: str = "Score by session",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.labels = [f"{MONTHS[p.date.month - 1]} {p.date.day}" for p in points]
        self.scores = [p.score for p in points]
        later = today is not None and bool(points) and today[0] > points[-1].date
        if today is not None and later and today[1] != points[-1].score:
            self.labels.append("today")
            self.scores.append(today[1])
        self.title = title

    def on_mount(self) -> None:
        plt = self.plt
        plt.title(self.title)
        plt.ylim(0, 100)
        plt.yticks([0, NOT_SURE_AT, WORTH_IT_AT, 100])
        if not self.scores:
            return
        xs = list(range(1, len(self.scores) + 1))
        plt.hline(WORTH_IT_AT, "green")
        plt.hline(NOT_SURE_AT, "orange")
        plt.plot(xs, self.scores, marker="braille", color="cyan")
        for x, y in zip(xs, self.scores, strict=True):  # the number: a cell is ~15 points tall
            plt.text(
                str(y), x, min(y + 10, 100), color="cyan", background="default", alignment="center"
            )
        plt.xticks([float(x) for x in xs], self.labels)
        if len(xs) == 1:
            plt.xlim(0, 2)
        else:
            plt.xlim(0.7, len(xs) + 0.3)
