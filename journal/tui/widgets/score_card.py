"""The worth-it score as a big number, its verdict and its confidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from journal.tui.present import verdict_label

if TYPE_CHECKING:
    from journal.core.score import ScoreResult


class ScoreCard(Horizontal):
    """`85 Worth It · confidence high`; the verdict class colours it."""

    def __init__(self, score: ScoreResult, *, id: str | None = None) -> None:
        super().__init__(id=id, classes=f"score-card verdict-{score.verdict}")
        self.score = score

    def compose(self) -> ComposeResult:
        yield Digits(str(self.score.score), classes="score-digits")
        with Vertical(classes="score-words"):
            yield Static(Text(verdict_label(self.score.verdict), style="bold"), classes="verdict")
            provisional = " · provisional" if self.score.provisional else ""
            yield Static(f"confidence {self.score.confidence}{provisional}", classes="confidence")
            flags = len(self.score.flags)
            if flags:
                yield Static(
                    Text(f"⚠ {flags} red flag{'s' if flags > 1 else ''}", style="bold"),
                    classes="score-flags",
                )
