"""Every photo, one tab per area, oldest first; Enter compares a photo with the baseline.

A photo filed under the wrong area, kind or date is re-filed with `f`, and
deleted with `d` after a confirmation (both through `journal.tui.corrections`,
which reloads the patient afterwards: the photo moves to its new tab).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from journal.core.vocab import PHOTO_KINDS
from journal.tui.corrections import CorrectsRecords
from journal.tui.keys import HELP, UNDO
from journal.tui.present import area_label, days_since_first, photo_day
from journal.tui.safe import clean, literal
from journal.tui.widgets.photo import PhotoCard

if TYPE_CHECKING:
    from journal.core.records import Photo
    from journal.tui.data import PatientData


class GalleryScreen(CorrectsRecords, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        HELP,
        Binding("escape", "back", "Back"),
        Binding("f", "refile", "File under…"),
        Binding("d", "delete", "Delete"),
        UNDO,
    ]
    FAILED_TITLE = "Not changed"

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
                            yield PhotoCard(
                                self.data.thumbs.get(photo.id),
                                caption,
                                photo,
                                id=f"photo-{photo.id.hex}",
                            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Photos · {self.data.patient.display_name}")
        cards = self.query(PhotoCard)
        if cards:
            cards.first().focus()  # Enter compares it; tab moves on through the photos

    def focused_photo(self) -> Photo | None:
        """The photo whose card has the focus (the one `f` and `d` act on)."""
        card = self.focused
        return card.photo if isinstance(card, PhotoCard) else None

    def action_refile(self) -> None:
        from journal.tui.screens.edit_forms import RefileScreen

        photo = self.focused_photo()
        if photo is None or self.busy:
            return

        def chosen(changes: dict[str, Any] | None) -> None:
            if changes:
                self.start_edit("photo", photo, changes)

        self.app.push_screen(RefileScreen(photo), chosen)

    def action_delete(self) -> None:
        photo = self.focused_photo()
        if photo is not None:
            self.ask_delete("photo", photo.id)

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after a correction: draw the tabs again, the same photo in focus."""
        photo = self.focused_photo()
        self.data = data
        await self.recompose()
        card = self.query(f"#photo-{photo.id.hex}") if photo is not None else None
        if card:
            found = card.first(PhotoCard)
            pane = found.query_ancestor(TabPane)
            self.query_one(TabbedContent).active = pane.id or ""
            found.focus()
        elif cards := self.query(PhotoCard):
            cards.first().focus()

    def on_photo_card_chosen(self, event: PhotoCard.Chosen) -> None:
        from journal.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.data, focus=event.photo))

    def action_back(self) -> None:
        self.dismiss(None)
