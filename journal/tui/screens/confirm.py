"""The questions a correction may ask: "delete this?", "changed elsewhere: now what?", "erase?"

All default to the harmless answer: Cancel has the focus in the delete
question, and escape keeps editing in the conflict question, so a stray Enter
or escape never deletes or overwrites anything. Erasing a patient cannot be
undone, so that question asks for more than a key press: the patient's name,
typed out.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

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


class EraseDialog(ModalScreen[bool]):
    """Erase a patient for good: True only once their name is typed and Erase pressed.

    `question` is the service's own preview (`erase_preview`); the dialog adds
    that nothing brings the patient back, not even ctrl+z. The Erase button
    stays disabled until the typed name matches (case and outer spaces aside),
    so no stray key can erase anybody.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, question: str) -> None:
        super().__init__()
        self.name_to_type = name
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="erase-box", classes="panel dialog") as box:
            box.border_title = "Erase this patient?"
            yield Static(plain(self.question + ".", style="bold"), id="erase-question")
            yield Static(
                Text(
                    "It cannot be undone: ctrl+z will not bring them back, and nothing of "
                    "them stays in the journal's files. Backups are yours to delete.",
                    style="dim",
                ),
                id="erase-note",
            )
            yield Static(
                Text.assemble("Type ", plain(self.name_to_type, style="bold"), " to confirm:"),
                id="erase-prompt",
            )
            yield Input(placeholder="the patient's name", id="erase-name", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Erase", id="erase-yes", variant="error", disabled=True)
                yield Button("Cancel (esc)", id="erase-no")

    def on_mount(self) -> None:
        self.query_one("#erase-name", Input).focus()

    def typed_name(self) -> bool:
        typed = self.query_one("#erase-name", Input).value.strip().casefold()
        return typed == self.name_to_type.strip().casefold()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#erase-yes", Button).disabled = not self.typed_name()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.typed_name():
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "erase-yes" and self.typed_name())

    def action_cancel(self) -> None:
        self.dismiss(False)
