"""Everything that happened, in date order; Enter opens an entry's detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList
from textual.widgets.option_list import Option

from journal.tui.present import TimelineEntry, timeline
from journal.tui.safe import clean

if TYPE_CHECKING:
    from journal.tui.data import PatientData

KIND_STYLE = {
    "session": "bold cyan",
    "check-in": "bold green",
    "photo": "bold magenta",
    "review": "bold yellow",
}


def entry_prompt(entry: TimelineEntry) -> Text:
    return Text.assemble(
        (entry.date.isoformat(), "dim"),
        "  ",
        (f"{entry.title:<10}", KIND_STYLE.get(entry.kind, "bold")),
        "  ",
        clean(entry.summary),
    )


class TimelineScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Details", show=True),
    ]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data
        self.entries = timeline(data.history)

    def compose(self) -> ComposeResult:
        yield Header()
        options = [Option(entry_prompt(e), id=f"entry-{n}") for n, e in enumerate(self.entries)]
        yield OptionList(*options, id="timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Timeline · {self.data.patient.display_name}")
        timeline_list = self.query_one(OptionList)
        if self.entries:
            timeline_list.highlighted = len(self.entries) - 1
        timeline_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.open_entry(event.option_index)

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.open_entry(index)

    def open_entry(self, index: int) -> None:
        from journal.tui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.entries[index], self.data))

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after a correction: list it again, keeping the cursor on the same record."""
        timeline_list = self.query_one(OptionList)
        index = timeline_list.highlighted
        current = self.entries[index].record.id if index is not None and self.entries else None
        self.data = data
        self.entries = timeline(data.history)
        timeline_list.clear_options()
        timeline_list.add_options(
            [Option(entry_prompt(e), id=f"entry-{n}") for n, e in enumerate(self.entries)]
        )
        if not self.entries:
            return
        ids = [e.record.id for e in self.entries]
        fallback = min(index or 0, len(self.entries) - 1)
        timeline_list.highlighted = ids.index(current) if current in ids else fallback

    def action_back(self) -> None:
        self.dismiss(None)
