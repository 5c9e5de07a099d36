"""The first screen of a new journal: a welcome and one obvious thing to do."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

WELCOME = """\
[b]Welcome to your microneedling journal[/b]

Log each session, check in on how your skin recovers, add before/after photos,
and the journal turns your series into a personal, explained "worth it" score.

There is nobody in this journal yet. Start by adding yourself (or a patient).
To look around first, quit and run [b]journal demo[/b]."""


class EmptyScreen(Screen[None]):
    """Shown when the journal has no patient; adding one opens their dashboard."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("a", "add_patient", "Add patient")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="empty"), Vertical(id="empty-box", classes="panel"):
            yield Static(WELCOME, id="welcome")
            with Center():
                yield Button("Add patient (a)", id="add-patient", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "A new journal"
        self.query_one("#add-patient", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_add_patient()

    def action_add_patient(self) -> None:
        from journal.tui.screens.dashboard import DashboardScreen
        from journal.tui.screens.patient_form import PatientFormScreen

        form = PatientFormScreen()

        def added(saved: bool | None) -> None:
            if saved and form.created is not None:
                self.app.switch_screen(DashboardScreen(form.created))

        self.app.push_screen(form, added)
