"""Red-flag alerts and screening warnings, styled so no one misses them.

Red flags are the "call your provider" signs; they sit at the top of the
dashboard on the theme's error colour. Screening answers are warnings to raise
with a provider before treatment, never a diagnosis, and read as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from journal.tui.safe import plain

if TYPE_CHECKING:
    from journal.core.flags import FlagEpisode
    from journal.core.rules import ScreeningWarning


class RedFlagAlerts(Vertical):
    """One line per red flag not yet resolved: what, since when, its status, the advice.

    Resolved flags leave the banner (the flags screen, `f`, still lists them);
    a flag a provider has seen stays until it is resolved, saying who saw it.
    """

    def __init__(self, flags: tuple[FlagEpisode, ...], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="red-flags")
        self.flags = flags

    def compose(self) -> ComposeResult:
        count = len(self.flags)
        unseen = sum(1 for f in self.flags if f.status == "open")
        flags = f"RED FLAG{'S' if count > 1 else ''}"
        title = f"⚠ {flags}: call your provider" if unseen else f"⚠ {flags} seen, not yet resolved"
        yield Static(Text(title, style="bold"), classes="red-flag-title")
        for flag in self.flags:
            if flag.status == "open":
                line = "• " + flag.reports[0].sentence()
            else:  # the provider knows: say who saw it, not "contact your provider"
                line = f"• {flag.label} since {flag.first.isoformat()}: {flag.sentence()}"
                if flag.review is not None and flag.review.seen_note:
                    line += f" ({flag.review.seen_note})"
            yield Static(plain(line), classes="red-flag")
        yield Static(plain("f: red flags · mark seen, resolve"), classes="red-flag-hint")


class ScreeningNotes(Vertical):
    """Intake screening warnings and event-timing warnings from the planner."""

    def __init__(
        self,
        warnings: tuple[ScreeningWarning, ...],
        plan_warnings: tuple[str, ...] = (),
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="screening")
        self.warnings = warnings
        self.plan_warnings = plan_warnings

    def compose(self) -> ComposeResult:
        yield Static(Text("Before your next session", style="bold"), classes="screening-title")
        for warning in self.warnings:
            yield Static(plain(f"• {warning.message}"), classes="screening-line")
        for line in self.plan_warnings:
            yield Static(plain(f"• {line}"), classes="screening-line")
