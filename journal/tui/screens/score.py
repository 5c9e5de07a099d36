"""Why the score is what it is: every component with its sentence, the trend,
the community benchmark, and what would make the score more certain.

The score is only useful if it can be argued with, so nothing here is a bare
number: each figure comes with the sentence the score engine wrote for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from journal.tui.keys import HELP
from journal.tui.safe import clean, plain
from journal.tui.widgets.score_card import ScoreCard
from journal.tui.widgets.trend import TrendPlot

if TYPE_CHECKING:
    from journal.core.score import ScoreResult
    from journal.tui.data import PatientData

COMPONENT_LABELS = {
    "efficacy": "Efficacy",
    "recovery": "Recovery",
    "safety": "Safety",
    "satisfaction": "Satisfaction",
    "value": "Value",
}


def _bar(score: int, width: int = 10) -> Text:
    filled = round(width * score / 100)
    style = "green" if score >= 70 else "yellow" if score >= 40 else "red"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def components_table(score: ScoreResult) -> Table:
    table = Table(box=None, expand=True, show_edge=False, padding=(0, 1))
    table.add_column("Component", style="bold", no_wrap=True)
    table.add_column("Score", no_wrap=True)
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Why", ratio=1)
    for c in score.components:
        number = Text(f" {c.score:>3}")
        if not c.has_data:
            number.append(" (no data)", style="dim")
        table.add_row(
            COMPONENT_LABELS.get(c.name, c.name.title()),
            Text.assemble(_bar(c.score), number),
            f"{round(c.weight * 100)}%",
            plain(c.sentence),
        )
    return table


def concerns_table(score: ScoreResult) -> Table | None:
    if not score.concerns:
        return None
    table = Table(box=None, expand=True, show_edge=False, padding=(0, 1))
    table.add_column("Concern", style="bold", no_wrap=True)
    table.add_column("Baseline", justify="right")
    table.add_column("Latest", justify="right")
    table.add_column("Change", justify="right")
    table.add_column("")
    for c in score.concerns:
        change = f"{c.percent:+d}%" if c.percent is not None else "—"
        verdict = Text("meaningful", style="green") if c.meaningful else Text("not yet", "dim")
        table.add_row(
            plain(c.label),
            f"{c.baseline:g} ({c.baseline_date.isoformat()})",
            f"{c.latest:g} ({c.latest_date.isoformat()})",
            change,
            verdict,
        )
    return table


class ScoreScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [HELP, Binding("escape", "back", "Back")]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        report = self.data.report
        assert report is not None
        score = report.score
        yield Header()
        with VerticalScroll(id="score-body"):
            with Vertical(id="score-head", classes="panel") as head:
                head.border_title = "Worth it?"
                yield ScoreCard(score)
                yield Static(plain(score.benchmark.sentence), id="benchmark")
            with Vertical(id="components", classes="panel") as box:
                box.border_title = "What the score is made of"
                yield Static(components_table(score))
                extra = [
                    s for s in score.explanation if s not in {c.sentence for c in score.components}
                ]
                for sentence in extra:
                    yield Static(plain(sentence, style="bold"), classes="capped")
            concerns = concerns_table(score)
            if concerns is not None:
                with Vertical(id="concerns", classes="panel") as box:
                    box.border_title = "Your concerns, baseline against latest"
                    yield Static(concerns)
            with Vertical(id="score-trend", classes="panel") as box:
                box.border_title = "Trend (the score as known on each session date)"
                yield TrendPlot(score.trend, today=(self.data.today, score.score), title="")
            with Vertical(id="missing", classes="panel") as box:
                box.border_title = f"What would raise confidence ({score.confidence} now)"
                if score.missing:
                    for line in score.missing:
                        yield Static(plain(f"• {line}"))
                else:
                    yield Static("Nothing is missing: confidence is as high as it gets.")
            with Vertical(id="expect", classes="panel") as box:
                box.border_title = "When to expect results"
                yield Static(plain(report.plan.results_timeline))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        course = self.data.course
        self.sub_title = clean(
            f"Score · {self.data.patient.display_name}" + (f" · {course.title}" if course else "")
        )

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after a correction: the score as the corrected records give it.

        With no course left to score (its last session deleted) the old one
        stays until the user goes back; the dashboard then says so.
        """
        if data.report is None:
            return
        self.data = data
        await self.recompose()

    def action_back(self) -> None:
        self.dismiss(None)
