"""The baseline and a later photo of the same area: aligned, measured, blinkable.

Left/right step the later photo through the series, up/down change the area.
Each later photo is compared with the area's baseline by
`journal.services.evidence.compare_photos` (the same numbers as `journal
photo compare` and the provider's PDF): the follow-up is shown registered and
colour-normalised onto the baseline, each photo has its measures under it
(the follow-up's with change, uncertainty and a verdict word), and the
comparability warnings are said in words. A comparison takes 0.1-0.3 s (two
photo decodes and an alignment), so it runs in a thread worker with a loading
indicator and is kept per pair: stepping back is instant.

`b` blinks: it swaps the two photos in place (captions follow their photo;
the measures table below stays, its headers name the photos). The follow-up
is aligned onto the baseline, so a change shows as a jump at the same spot,
the way clinicians spot it.

A pair that cannot be compared (no baseline photo of kind before, a photo
file missing, photos without an area) is shown as taken, side by side, with
the reason in words.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from journal.core.vocab import PHOTO_KINDS
from journal.tui.actions import describe, journal_app
from journal.tui.keys import HELP
from journal.tui.present import area_label, days_since_first, photo_day
from journal.tui.safe import clean, plain
from journal.tui.widgets.photo import PREVIEW_EDGE, load_preview, make_image

if TYPE_CHECKING:
    from PIL import Image as PILImage

    from journal.core.records import Photo
    from journal.services.evidence import Evidence
    from journal.tui.data import PatientData


STEP = Binding.Group("Earlier/later", compact=True)
AREA = Binding.Group("Area", compact=True)
NO_AREA = "These photos have no area, so they cannot be compared: re-file them (f in the gallery)."
SIDES = ("baseline", "later")  # the left and the right pane
VERDICT_STYLES = {"improved": "green", "worse": "bold red"}


@dataclass(frozen=True)
class Compared:
    """One pair's comparison as the screen shows it, prepared off the UI thread."""

    evidence: Evidence
    baseline: PILImage.Image  # previews, at most PREVIEW_EDGE on their long side
    aligned: PILImage.Image


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        HELP,
        Binding("left", "step(-1)", "Earlier", group=STEP),
        Binding("right", "step(1)", "Later", group=STEP),
        Binding("up", "area(-1)", "Previous area", group=AREA),
        Binding("down", "area(1)", "Next area", group=AREA),
        Binding("b", "blink", "Blink"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, data: PatientData, *, focus: Photo | None = None) -> None:
        super().__init__()
        self.data = data
        self.series = [(area, photos) for area, photos in data.photos_by_area().items()]
        self.area_index = 0
        self.later_index = 1
        self.swapped = False  # `b`: the follow-up shown where the baseline was, and back
        # Each pair's comparison (or why there is none), by (area, later photo id).
        self.results: dict[tuple[str | None, uuid.UUID], Compared | str] = {}
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
            for side in SIDES:
                with Vertical(id=side, classes="compare-side"):
                    with Container(classes="image-box"):
                        yield make_image(None, headless=self.app.is_headless, id=f"{side}-image")
                    yield Label("", id=f"{side}-caption", classes="photo-caption")
        with Horizontal(id="compare-measures"):
            for side in SIDES:
                yield Static("", id=f"{side}-measures", classes="compare-measures")
        yield Static("", id="compare-warnings")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"Compare · {self.data.patient.display_name}")
        self.show()

    @property
    def photos(self) -> list[Photo]:
        return self.series[self.area_index][1] if self.series else []

    @property
    def key(self) -> tuple[str | None, uuid.UUID] | None:
        """The pair on screen: (area, later photo id); None with fewer than two photos."""
        photos = self.photos
        if len(photos) < 2:
            return None
        return self.series[self.area_index][0], photos[self.later_index].id

    # -- words ----------------------------------------------------------------------

    @property
    def position(self) -> str:
        """`Photo 3 of 5`: where the later photo is in its area's series."""
        return f"Photo {self.later_index + 1} of {len(self.photos)}"

    def caption(self, photo: Photo, role: str, *, aligned: bool = False) -> Text:
        day = photo_day(photo)
        missing = "" if photo.id in self.data.displays else " (file missing)"
        how = " · aligned" if aligned else ""
        return Text.assemble(
            (role, "bold"),
            clean(f" · {day.isoformat()} · {PHOTO_KINDS.label(photo.kind)}{missing}{how}\n"),
            days_since_first(self.data.first_session, day),
        )

    @staticmethod
    def measures_of(evidence: Evidence, follow_up: bool) -> Table:
        """Half of the measures table: the baseline's values, or the follow-up's with
        change, uncertainty and verdict. The halves sit side by side under the photos,
        row for row, and stay put when `b` swaps the photos (their headers name them).
        """
        from journal.services.evidence import change_cells

        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, expand=False)
        if follow_up:
            table.add_column("Follow-up", justify="right", no_wrap=True)
            table.add_column("Change", justify="right", no_wrap=True)
            table.add_column("±", justify="right", no_wrap=True)
            table.add_column("Verdict")
        else:
            table.add_column("Measure", style="bold", no_wrap=True)
            table.add_column("Baseline", justify="right", no_wrap=True)
        for change in evidence.changes:
            _label, base, later, delta, spread, verdict = change_cells(change)
            if follow_up:
                style = VERDICT_STYLES.get(verdict, "dim")
                table.add_row(later, delta, spread.lstrip("±"), Text(verdict, style))
            else:
                table.add_row(change.label, base)
        return table

    @staticmethod
    def warnings_of(evidence: Evidence) -> Text:
        """Whether the pair counts, its warnings in words, and what no check can see."""
        from journal.services.evidence import NOT_COUNTED

        text = Text()
        if not evidence.comparable:
            text.append(NOT_COUNTED, "bold red")
        else:
            text.append("Comparable pair: counted in the score.", "bold green")
        for warning in evidence.warnings:
            text.append(f"\n• {clean(warning)}", "red" if not evidence.comparable else "yellow")
        text.append(f"\n{clean(evidence.alignment.sentence())} {clean(evidence.caveat)}", "dim")
        return text

    # -- showing ---------------------------------------------------------------------

    def _preview(self, photo: Photo) -> PILImage.Image | None:
        """The decoded preview, or None when the file is missing (the caption says so)."""
        path = self.data.displays.get(photo.id)
        return load_preview(path) if path is not None else None

    def show(self) -> None:
        """Put the current pair on screen; a pair not compared yet is compared in a worker."""
        title = self.query_one("#compare-title", Static)
        if not self.series:
            title.update("No photos yet. Press i on the dashboard to import some.")
            return
        area, photos = self.series[self.area_index]
        areas = f"area {self.area_index + 1} of {len(self.series)}"
        key = self.key
        if key is None:
            self._as_taken(photos[0], None, "Only one photo of this area so far.")
            title.update(Text.assemble((clean(area_label(area)), "bold"), f" · 1 photo · {areas}"))
            return
        title.update(
            Text.assemble(
                (clean(area_label(area)), "bold"),
                f" · {len(photos)} photos · {areas} · ←/→ step · b blink",
            )
        )
        result = self.results.get(key)
        if result is None:
            self.query_one("#compare").loading = True
            self.compare(key)
            return
        self.query_one("#compare").loading = False
        self._put(result)

    def _put(self, result: Compared | str) -> None:
        photos = self.photos
        later = photos[self.later_index]
        if isinstance(result, str):
            self._as_taken(photos[0], later, result)
            return
        evidence = result.evidence
        sides = [
            (result.baseline, self.caption(evidence.baseline, "Baseline")),
            (
                result.aligned,
                self.caption(evidence.follow_up, self.position, aligned=True),
            ),
        ]
        if self.swapped:
            sides.reverse()
        for side, (image, caption) in zip(SIDES, sides, strict=True):
            self.query_one(f"#{side}-image").image = image  # type: ignore[attr-defined]
            self.query_one(f"#{side}-caption", Label).update(caption)
        for side, follow_up in zip(SIDES, (False, True), strict=True):
            table = self.measures_of(evidence, follow_up)
            self.query_one(f"#{side}-measures", Static).update(table)
        self.query_one("#compare-warnings", Static).update(self.warnings_of(evidence))

    def _as_taken(self, first: Photo, later: Photo | None, message: str) -> None:
        """The photos as taken, side by side (no comparison), and why in words."""
        sides: list[tuple[Photo | None, str]] = [(first, "First photo")]
        sides.append((later, self.position) if later else (None, ""))
        if self.swapped and later is not None:
            sides.reverse()
        for side, (photo, role) in zip(SIDES, sides, strict=True):
            image = self.query_one(f"#{side}-image")
            caption = self.query_one(f"#{side}-caption", Label)
            image.image = self._preview(photo) if photo else None  # type: ignore[attr-defined]
            caption.update(self.caption(photo, role) if photo else "")
            self.query_one(f"#{side}-measures", Static).update("")
        self.query_one("#compare-warnings", Static).update(plain(message, "bold"))

    @work(thread=True, group="compare", exit_on_error=False)
    def compare(self, key: tuple[str | None, uuid.UUID]) -> None:
        """Compare one pair off the UI thread and hand the result back (kept per pair)."""
        result = self._compared(key)
        app = journal_app(self)
        app.call_from_thread(self._arrived, key, result)

    def _compared(self, key: tuple[str | None, uuid.UUID]) -> Compared | str:
        """The comparison of the pair `key`, or one line saying why there is none."""
        from journal.core.errors import JournalError
        from journal.services.evidence import BASELINE_KIND, NO_BASELINE, compare_photos

        area, later_id = key
        if area is None:
            return NO_AREA
        photos = sorted(self.data.history.photos, key=lambda p: (p.taken_at, p.sha256))
        of_area = [p for p in photos if p.area == area]
        baseline = next((p for p in of_area if p.kind == BASELINE_KIND), None)
        if baseline is None:
            return NO_BASELINE
        if baseline.id == later_id:
            return "This is the baseline photo itself: step to a later photo (→)."
        try:
            evidence = compare_photos(
                journal_app(self).journal,
                self.data.ref,
                area,
                to_ref=str(later_id),
                photos=photos,
            )
            return Compared(
                evidence, _preview(evidence.baseline_image), _preview(evidence.aligned_image)
            )
        except JournalError as exc:
            return describe(exc)
        except Exception as exc:  # a photo nothing could read: the view stays usable
            self.app.log.error(f"compare failed: {type(exc).__name__}")
            return "This pair could not be compared (journal doctor checks the photo files)."

    def _arrived(self, key: tuple[str | None, uuid.UUID], result: Compared | str) -> None:
        self.results[key] = result
        if self.is_attached and key == self.key:
            self.query_one("#compare").loading = False
            self._put(result)

    # -- keys ------------------------------------------------------------------------

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

    def action_blink(self) -> None:
        """Swap the two photos in place (aligned, so a change jumps at the same spot)."""
        key = self.key
        if key is None or key not in self.results:
            self.app.bell()
            return
        self.swapped = not self.swapped
        self._put(self.results[key])

    def action_back(self) -> None:
        self.dismiss(None)


def _preview(image: PILImage.Image) -> PILImage.Image:
    """A copy at most PREVIEW_EDGE on its long side: what the terminal can draw."""
    copy = image.copy()
    copy.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
    return copy
