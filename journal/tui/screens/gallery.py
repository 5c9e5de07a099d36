"""Every photo, one tab per area, oldest first; Enter compares a photo with the baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from journal.core.vocab import PHOTO_KINDS
from journal.tui.present import area_label, days_since_first, photo_day
from journal.tui.safe import clean, literal
from journal.tui.widgets.photo import PhotoCard

if TYPE_CHECKING:
    from journal.tui.data import PatientData


class GalleryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        yield Header()
        series = self.data.photos_by_area()
        if not series:
            yield Static("No photos yet. Press i on the dashboard to import some.", id="no-photos")
        else:
            with TabbedContent(id="gallery"):
                for n, (area, photos) in enumerate(series.items()):
                    label = literal(f"{area_label(area)} ({len(photos)})")
                    with (
                        TabPane(label, id=f"area-{n}"),
                        VerticalScroll(),
                        Grid(classes="gallery-grid"),
                    ):
                        for photo in photos:
                            day = photo_day(photo)
                            caption = (
                                f"{day.isoformat()} · {PHOTO_KINDS.label(photo.kind)}\n"
                                f"{days_since_first(self.data.first_session, day)}"
                            )
                            yield PhotoCard(self.data.thumbs.get(photo.id), caption, photo)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Photos · {self.data.patient.display_name}")
        cards = self.query(PhotoCard)
        if cards:
            cards.first().focus()  # Enter compares it; tab moves on through the photos

    def on_photo_card_chosen(self, event: PhotoCard.Chosen) -> None:
        from journal.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.data, focus=event.photo))

    def action_back(self) -> None:
        self.dismiss(None)
