"""A photo with its caption, drawn by textual-image.

In a real terminal textual-image picks the best protocol it finds (Sixel, the
Kitty graphics protocol, else coloured half blocks). A headless app (tests,
snapshots, benchmarks) always draws half blocks, so a snapshot does not depend
on the terminal that happened to run the test suite.
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Static
from textual_image.widget import HalfcellImage
from textual_image.widget import Image as AutoImage

from journal.tui.safe import plain

if TYPE_CHECKING:
    from journal.core.records import Photo


class Readable(Protocol):
    """A stored photo file read on demand (journal.services.photos.StoredPhoto)."""

    def read(self) -> bytes | None: ...

    def __hash__(self) -> int: ...


#: What a screen hands to a card or a preview: a photo's bytes, a file on
#: demand from the journal's photo store, or (tests, tools) a path.
PhotoSource = bytes | Readable | Path

PREVIEW_EDGE = 720  # plenty for a terminal cell grid, and a fraction of the decode cost
THUMB_PREVIEW_EDGE = 320  # a card shows a stored thumbnail, never larger


@functools.lru_cache(maxsize=32)
def load_preview(path: PhotoSource, edge: int = PREVIEW_EDGE) -> PILImage.Image:
    """Decode a photo once at reduced scale; stepping through a series reuses it.

    JPEG `draft` lets the decoder skip most of the pixels of a large display
    copy, so a compare step costs milliseconds, not a full decode per frame.
    A stored file is read here, when shown (from the folder or the database).
    """
    try:
        source: Any = path
        if isinstance(path, bytes):
            source = io.BytesIO(path)
        elif not isinstance(path, Path):
            data = path.read()
            if data is None:
                return unreadable_placeholder(edge)
            source = io.BytesIO(data)
        with warnings.catch_warnings(), PILImage.open(source) as image:
            warnings.simplefilter("ignore")  # a bomb warning: we draw a preview at `edge`
            image.draft("RGB", (edge, edge))
            preview = image.convert("RGB")
            preview.thumbnail((edge, edge))
            return preview
    except Exception:  # damaged, truncated or not an image: never crash the screen
        return unreadable_placeholder(edge)


def unreadable_placeholder(edge: int = PREVIEW_EDGE) -> PILImage.Image:
    """A grey, crossed-out square shown in place of a photo file that does not decode."""
    from PIL import ImageDraw

    side = max(8, edge // 4)
    image = PILImage.new("RGB", (side, side), (96, 96, 96))
    draw = ImageDraw.Draw(image)
    draw.line((0, 0, side, side), fill=(200, 60, 60), width=max(1, side // 24))
    draw.line((0, side, side, 0), fill=(200, 60, 60), width=max(1, side // 24))
    return image


def make_image(
    source: Path | PILImage.Image | None, *, headless: bool, id: str | None = None
) -> Widget:
    """The image widget suited to where the app runs (class `photo-image` for the stylesheet).

    Headless, half blocks are deterministic, so snapshots do not depend on the
    terminal the tests happened to run in.
    """
    cls = HalfcellImage if headless else AutoImage
    return cls(source, id=id, classes="photo-image")


class PhotoCard(Vertical, can_focus=True):
    """A thumbnail and its caption; Enter (or a click) chooses it."""

    BINDINGS: ClassVar[list[BindingType]] = [("enter", "choose", "Compare")]

    class Chosen(Message):
        """The user picked this photo (the gallery opens it in the compare view)."""

        def __init__(self, photo: Photo) -> None:
            super().__init__()
            self.photo = photo

    def __init__(
        self,
        source: PhotoSource | PILImage.Image | None,
        caption: str,
        photo: Photo | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._source = source
        self._caption = caption
        self.photo = photo
        self.can_focus = photo is not None

    def compose(self) -> ComposeResult:
        if self._source is None:
            yield Static("photo file missing\n(journal doctor)", classes="photo-missing")
        else:
            source = self._source
            if not isinstance(source, PILImage.Image):
                source = load_preview(source, THUMB_PREVIEW_EDGE)  # decode here, not mid-render
            yield make_image(source, headless=self.app.is_headless)
        yield Label(plain(self._caption), classes="photo-caption")

    def action_choose(self) -> None:
        if self.photo is not None:
            self.post_message(self.Chosen(self.photo))

    def on_click(self) -> None:
        self.action_choose()
