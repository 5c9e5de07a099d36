"""Two small questions a correction may ask: "delete this?" and "changed elsewhere: now what?"

Both default to the harmless answer: Cancel has the focus in the delete
question, and escape keeps editing in the conflict question, so a stray Enter
or escape never deletes or overwrites anything.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from journal.tui.safe import literal, plain


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something goes; True when the user confirmed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, question: str, note: str = "", *, confirm: str = "Delete"
    ) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.note = note
        self.confirm_label = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="panel dialog") as box:
            box.border_title = literal(self.title_text)
            yield Static(plain(self.question, style="bold"), id="confirm-question")
            if self.note:
                yield Static(Text(self.note, style="dim"), id="confirm-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, id="confirm-yes", variant="error")
                yield Button("Cancel (esc)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


RELOAD = "reload"
OVERWRITE = "overwrite"


class ConflictDialog(ModalScreen[str | None]):
    """The record changed since its form opened: reload it, overwrite it, or keep editing.

    Dismisses with `RELOAD`, `OVERWRITE`, or None (keep editing, nothing saved).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "keep", "Keep editing")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict-box", classes="panel dialog") as box:
            box.border_title = "Changed elsewhere"
            yield Static(plain(self.message, style="bold"), id="conflict-message")
            yield Static(
                Text(
                    "Reload shows the record as it is now (your changes here are dropped); "
                    "Overwrite saves your values over the other change.",
                    style="dim",
                )
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload", id="conflict-reload", variant="primary")
                yield Button("Overwrite", id="conflict-overwrite", variant="warning")
                yield Button("Keep editing (esc)", id="conflict-keep")

    def on_mount(self) -> None:
        self.query_one("#conflict-reload", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        answer = {"conflict-reload": RELOAD, "conflict-overwrite": OVERWRITE}
        self.dismiss(answer.get(event.button.id or ""))

    def action_keep(self) -> None:
        self.dismiss(None)
