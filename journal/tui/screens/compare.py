"""The baseline and a later photo of the same area, side by side.

Left/right step the later photo through the series, up/down change the area.
Each side shows its date and the days since the course's first session, so a
change can be read against time (collagen takes months, not days).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from journal.core.vocab import PHOTO_KINDS
from journal.tui.keys import HELP
from journal.tui.present import area_label, days_since_first, photo_day
from journal.tui.safe import clean
from journal.tui.widgets.photo import load_preview, make_image

if TYPE_CHECKING:
    from PIL import Image as PILImage

    from journal.core.records import Photo
    from journal.tui.data import PatientData


STEP = Binding.Group("Earlier/later", compact=True)
AREA = Binding.Group("Area", compact=True)


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        HELP,
        Binding("left", "step(-1)", "Earlier", group=STEP),
        Binding("right", "step(1)", "Later", group=STEP),
        Binding("up", "area(-1)", "Previous area", group=AREA),
        Binding("down", "area(1)", "Next area", group=AREA),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, data: PatientData, *, focus: Photo | None = None) -> None:
        super().__init__()
        self.data = data
        self.series = [(area, photos) for area, photos in data.photos_by_area().items()]
        self.area_index = 0
        self.later_index = 1
        if focus is not None:
            for a, (_area, photos) in enumerate(self.series):
                ids = [p.id for p in photos]
                if focus.id in ids:
                    self.area_index = a
                    self.later_index = max(1, ids.index(focus.id))
        elif self.series:
            self.later_index = len(self.series[0][1]) - 1

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="compare-title")
        with Horizontal(id="compare"):
            for side in ("baseline", "later"):
                with Vertical(id=side, classes="compare-side"):
                    with Container(classes="image-box"):
                        yield make_image(None, headless=self.app.is_headless, id=f"{side}-image")
                    yield Label("", id=f"{side}-caption", classes="photo-caption")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Compare · {self.data.patient.display_name}")
        self.show()

    @property
    def photos(self) -> list[Photo]:
        return self.series[self.area_index][1] if self.series else []

    def caption(self, photo: Photo, role: str) -> Text:
        day = photo_day(photo)
        missing = "" if photo.id in self.data.displays else " (file missing)"
        return Text.assemble(
            (role, "bold"),
            clean(f" · {day.isoformat()} · {PHOTO_KINDS.label(photo.kind)}{missing}\n"),
            days_since_first(self.data.first_session, day),
        )

    def _preview(self, photo: Photo) -> PILImage.Image | None:
        """The decoded preview, or None when the file is missing (the caption says so)."""
        path = self.data.displays.get(photo.id)
        return load_preview(path) if path is not None else None

    def show(self) -> None:
        """Put the current pair on screen (previews are decoded once and cached)."""
        title = self.query_one("#compare-title", Static)
        baseline_image = self.query_one("#baseline-image")
        later_image = self.query_one("#later-image")
        baseline_caption = self.query_one("#baseline-caption", Label)
        later_caption = self.query_one("#later-caption", Label)
        if not self.series:
            title.update("No photos yet. Press i on the dashboard to import some.")
            return
        area, photos = self.series[self.area_index]
        baseline = photos[0]
        baseline_image.image = self._preview(baseline)  # type: ignore[attr-defined]
        baseline_caption.update(self.caption(baseline, "Baseline"))
        areas = f"area {self.area_index + 1} of {len(self.series)}"
        if len(photos) < 2:
            later_image.image = None  # type: ignore[attr-defined]
            later_caption.update("Only one photo of this area so far.")
            title.update(Text.assemble((clean(area_label(area)), "bold"), f" · 1 photo · {areas}"))
            return
        later = photos[self.later_index]
        later_image.image = self._preview(later)  # type: ignore[attr-defined]
        later_caption.update(self.caption(later, f"Photo {self.later_index + 1} of {len(photos)}"))
        title.update(
            Text.assemble(
                (clean(area_label(area)), "bold"),
                f" · {len(photos)} photos · {areas} · ←/→ step through the series",
            )
        )

    def action_step(self, delta: int) -> None:
        count = len(self.photos)
        if count < 2:
            return
        new = min(max(1, self.later_index + delta), count - 1)
        if new == self.later_index:
            self.app.bell()
            return
        self.later_index = new
        self.show()

    def action_area(self, delta: int) -> None:
        if len(self.series) < 2:
            return
        self.area_index = (self.area_index + delta) % len(self.series)
        self.later_index = len(self.photos) - 1
        self.show()

    def action_back(self) -> None:
        self.dismiss(None)
