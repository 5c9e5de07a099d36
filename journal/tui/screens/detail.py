"""One timeline entry in full: every field, and the photo itself for a photo."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from journal.tui.present import details
from journal.tui.safe import literal, plain
from journal.tui.widgets.photo import PhotoCard, load_preview

if TYPE_CHECKING:
    from journal.tui.data import PatientData
    from journal.tui.present import TimelineEntry


class DetailScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, entry: TimelineEntry, data: PatientData) -> None:
        super().__init__()
        self.entry = entry
        self.data = data

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("field", style="bold", no_wrap=True)
        table.add_column("value", ratio=1)
        for label, value in details(self.entry, self.data.history):
            table.add_row(plain(label), plain(value))
        with VerticalScroll(id="detail-box", classes="panel") as box:
            box.border_title = literal(f"{self.entry.title} · {self.entry.date.isoformat()}")
            yield Static(table, id="detail-table")
            if self.entry.kind == "photo":
                path = self.data.displays.get(self.entry.record.id)
                if path is not None:
                    yield PhotoCard(load_preview(path), "", classes="detail-photo")

    def action_close(self) -> None:
        self.dismiss(None)
