"""Everything that happened, in date order; Enter opens an entry's detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from journal.tui.keys import HELP, UNDO
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


TITLE_WIDTH = 10  # "Check-in 3", "Session 12" fit; the summary column starts after it


def entry_prompt(entry: TimelineEntry) -> Table:
    """One entry as a row: date, kind, then the summary in a column of its own.

    A grid rather than one line of text, so a summary too long for the
    terminal wraps with a hanging indent under the summary, never under the
    date: the dates stay a clean column to scan down.
    """
    row = Table.grid(padding=(0, 2), expand=True)
    row.add_column(no_wrap=True)
    row.add_column(no_wrap=True, min_width=TITLE_WIDTH)
    row.add_column(ratio=1)
    row.add_row(
        Text(entry.date.isoformat(), style="dim"),
        Text(clean(entry.title), style=KIND_STYLE.get(entry.kind, "bold")),
        Text(clean(entry.summary)),
    )
    return row


EMPTY = (
    "Nothing in this journal yet.\n\n"
    "Back on the dashboard (esc), press n to log the first session, or c for a "
    "check-in (a baseline before the first session is worth it). Photos (i) and "
    "provider reviews (r) appear here too."
)


class TimelineScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the list's own (hidden) Enter would otherwise keep "Details" out of the footer.
        Binding("enter", "open", "Details", priority=True),
        HELP,
        Binding("escape", "back", "Back"),
        UNDO,
    ]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data
        self.entries = timeline(data.history)

    def compose(self) -> ComposeResult:
        yield Header()
        options = [Option(entry_prompt(e), id=f"entry-{n}") for n, e in enumerate(self.entries)]
        yield OptionList(*options, id="timeline")
        yield Static(EMPTY, id="timeline-empty", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Timeline · {self.data.patient.display_name}")
        timeline_list = self.query_one(OptionList)
        if self.entries:
            timeline_list.highlighted = len(self.entries) - 1
        self._show_empty_note()
        timeline_list.focus()

    def _show_empty_note(self) -> None:
        """An empty timeline says how to fill it instead of showing a blank list."""
        self.query_one("#timeline-empty").display = not self.entries
        self.query_one(OptionList).display = bool(self.entries)

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
        self._show_empty_note()
        if not self.entries:
            return
        ids = [e.record.id for e in self.entries]
        fallback = min(index or 0, len(self.entries) - 1)
        timeline_list.highlighted = ids.index(current) if current in ids else fallback

    def action_back(self) -> None:
        self.dismiss(None)
