"""Photos sized for a page: small, metadata-free JPEG bytes.

A display copy is 2048 px on its long edge; a before/after half page needs
about 700, a contact-sheet tile 260. Embedding what the page needs keeps a
20-photo PDF to a few megabytes and the HTML mailable. Every photo is
re-encoded from its pixels, so nothing but pixels leaves the journal, even
for files that came from an archive or an older version of the pipeline.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from journal.core.records import Photo
from journal.imaging import pipeline

PAIR_EDGE = 720  # before/after pictures: ~85 mm wide at ~200 dpi
TILE_EDGE = 260  # contact sheet tiles: ~34 mm wide
FHIR_EDGE = 1024
QUALITY = 80

PhotoFile = Callable[[Photo, str], Path | bytes | None]
"""A photo's `display` or `thumb` file (its bytes, from the journal's photo store,
or a path); None when it cannot be found."""


def page_jpeg(path: Path | bytes | None, edge: int, quality: int = QUALITY) -> bytes | None:
    """Decode at reduced scale, fit within `edge` px, re-encode; None if unreadable.

    A missing or damaged file costs the document one picture (the renderers
    draw a placeholder), never the whole export.
    """
    if path is None:
        return None
    from PIL import Image, UnidentifiedImageError

    source = io.BytesIO(path) if isinstance(path, bytes) else path
    try:
        with pipeline.quiet_pillow(), Image.open(source, formats=["JPEG"]) as image:
            if image.size[0] * image.size[1] > pipeline.MAX_PIXELS:
                return None  # the store never holds such a file; a planted one is skipped
            image.draft("RGB", (edge, edge))  # let libjpeg skip what we'd throw away
            rgb = image.convert("RGB")
            rgb.thumbnail((edge, edge), Image.Resampling.BICUBIC, reducing_gap=2.0)
        # encode_jpeg clears `info`: a comment, EXIF or ICC profile of the stored
        # file would otherwise be written into every PDF, HTML and FHIR export.
        return pipeline.encode_jpeg(rgb, quality)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


class PhotoCache:
    """Resized copies by (photo, edge): one photo often appears twice in a document."""

    def __init__(self, locate: PhotoFile) -> None:
        self._locate = locate
        self._done: dict[tuple[str, int], bytes | None] = {}

    def jpeg(self, photo: Photo, edge: int) -> bytes | None:
        key = (photo.sha256, edge)
        if key not in self._done:
            self._done[key] = self._resize(photo, edge)
        return self._done[key]

    def prefetch(self, wanted: list[tuple[Photo, int]]) -> None:
        """Resize several photos in threads (Pillow releases the GIL while decoding)."""
        todo = [(p, e) for p, e in wanted if (p.sha256, e) not in self._done]
        if len(todo) < 4:
            for p, e in todo:
                self.jpeg(p, e)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda item: self._resize(*item), todo))
        for (p, e), data in zip(todo, results, strict=True):
            self._done[(p.sha256, e)] = data

    def _resize(self, photo: Photo, edge: int) -> bytes | None:
        """The thumbnail when it is big enough, else the display copy (also its fallback)."""
        which = "thumb" if edge <= 320 else "display"
        data = page_jpeg(self._locate(photo, which), edge)
        if data is None and which == "thumb":
            data = page_jpeg(self._locate(photo, "display"), edge)
        return data
