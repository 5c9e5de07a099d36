"""The first screen of an encrypted journal: its passphrase (or recovery key), typed unseen.

The app shows it when opening the journal needs a secret nobody gave
(`journal.services.unlock.Locked`). The text goes to the app's opening
worker; a wrong one comes back as one line under the field, the field is
cleared, and nothing about the journal's content is shown until it opens.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

PROMPT = """\
[b]This journal is encrypted[/b]

Type its passphrase to open it. Lost it? Type the recovery key you were shown
when the journal was encrypted (eight groups of four letters and digits)."""


class PassphraseScreen(Screen[None]):
    """Asks for the secret; `refused` puts a failure under the field."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="unlock"), Vertical(id="unlock-box", classes="panel"):
            yield Static(PROMPT, id="unlock-prompt")
            yield Input(password=True, placeholder="Passphrase", id="passphrase")
            yield Static("", id="unlock-status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Locked"
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        if not text:
            return
        field = self.query_one("#passphrase", Input)
        field.disabled = True
        self.query_one("#unlock-status", Static).update("Unlocking…")
        self.app.unlock_with(text)  # type: ignore[attr-defined]

    def refused(self, message: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.disabled = False
        field.focus()
        self.query_one("#unlock-status", Static).update(message)
