"""Photos as evidence: compare a follow-up photo with its area's baseline.

API (for the CLI's `journal photo compare`, and next for the TUI compare view
and the provider PDF/HTML):

    compare_photos(journal, patient_ref, area, *, from_ref=None, to_ref=None) -> Evidence

picks the pair, aligns the follow-up onto the baseline, normalises its
colours, measures both on the skin they share and says whether the pair is
fair evidence. The pair by default is the area's **baseline** (the earliest
photo of kind "before"; the vocabulary also reads "baseline" as "before") and
its **latest** other photo; `from_ref` / `to_ref` (photo id or id prefix)
choose either side. Bad choices raise `InvalidValue` / `NotFound` before any
photo is decoded: an area with no photos, no baseline, one photo only, a
photo of another area, the same photo twice.

`Evidence` (frozen) holds:

* `baseline`, `follow_up`: the two `records.Photo`;
* `alignment`: `journal.imaging.align.Alignment` (3x3 transform from
  follow-up to baseline pixels, scale, rotation, inliers, reprojection error,
  `sentence()`);
* `comparable` and `warnings` (sentences: brightness, white balance,
  framing, angle, sharpness, alignment, poor single photos);
  `comparability` has the numbers behind them;
* `changes`: one `journal.imaging.measures.MeasureChange` per measure
  (baseline, follow-up, change, percent, uncertainty, detected, improved,
  sentence);
* `baseline_image` and `aligned_image`: PIL RGB images of the same size, the
  baseline and the follow-up registered and colour-normalised onto it (what
  a blink/overlay toggle swaps); `region` (numpy bool) is where both were
  measured; `difference_image()` and `pair_image()` (baseline | aligned |
  difference) and `pair_png()` (metadata-free PNG bytes) are built on demand;
* `caveat` and `limits`: what no check can see (light, makeup, cameras);
* `to_dict()`: the `--json` document (no pixels).

Caching: computing a comparison decodes two display photos and runs the
alignment (about 0.1-0.3 s), so its result is stored on the follow-up photo
(`photo.comparison`, migration 0009) with the baseline's id and both photos'
hashes. The next compare of the same pair reuses the stored transform (the
warp and the measures are recomputed, as the pictures are wanted anyway),
and the score reads the stored comparisons only (`photo_pairs`), without
decoding a photo or importing OpenCV. Photos without a stored quality
(imported before 0009, or from an archive) get theirs read and stored at
their first compare.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journal.core import records
from journal.core.errors import InvalidValue, JournalUnavailable, NotFound
from journal.core.lookup import id_matches
from journal.core.vocab import AREAS
from journal.export import summary
from journal.services.photo_pairs import current as _current

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from journal.imaging.align import Alignment
    from journal.imaging.evidence import PairReading
    from journal.imaging.measures import MeasureChange
    from journal.imaging.quality import Comparability
    from journal.services.journal import Journal

BASELINE_KIND = "before"


@dataclass(frozen=True)
class Evidence:
    """One aligned, measured before/after pair; see the module docstring for the API."""

    area: str
    baseline: records.Photo
    follow_up: records.Photo
    reading: PairReading
    reused_alignment: bool = False

    @property
    def alignment(self) -> Alignment:
        return self.reading.alignment

    @property
    def comparability(self) -> Comparability:
        return self.reading.comparability

    @property
    def comparable(self) -> bool:
        return self.reading.comparable

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.reading.warnings

    @property
    def changes(self) -> tuple[MeasureChange, ...]:
        return self.reading.changes

    @property
    def region(self) -> np.ndarray:
        return self.reading.region

    @property
    def caveat(self) -> str:
        from journal.imaging.quality import CAVEAT

        return CAVEAT

    @property
    def limits(self) -> str:
        from journal.imaging.measures import LIMITS

        return LIMITS

    @property
    def baseline_image(self) -> Image.Image:
        """The baseline's display copy (RGB)."""
        from PIL import Image

        return Image.fromarray(self.reading.baseline)

    @property
    def aligned_image(self) -> Image.Image:
        """The follow-up registered and colour-normalised onto the baseline's frame."""
        from PIL import Image

        return Image.fromarray(self.reading.aligned)

    def difference_image(self) -> Image.Image:
        """Differences tinted red on the grey baseline; unmeasured pixels dark blue."""
        from PIL import Image

        from journal.imaging.evidence import difference_picture

        reading = self.reading
        picture = difference_picture(reading.baseline, reading.aligned, reading.region)
        return Image.fromarray(picture)

    def pair_image(self) -> Image.Image:
        """Baseline | aligned follow-up | difference, each at most 768 px long."""
        from PIL import Image

        from journal.imaging.evidence import pair_picture

        return Image.fromarray(pair_picture(self.reading))

    def pair_png(self) -> bytes:
        """`pair_image()` as PNG bytes with no metadata (no text chunks, no EXIF, no ICC)."""
        image = self.pair_image()
        image.info = {}
        out = io.BytesIO()
        image.save(out, "PNG", optimize=False)
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """The `photo compare --json` document."""
        return {
            "area": self.area,
            "baseline": _photo_ref(self.baseline),
            "follow_up": _photo_ref(self.follow_up),
            **self.reading.to_dict(),
        }


def _photo_ref(photo: records.Photo) -> dict[str, Any]:
    return {
        "id": str(photo.id),
        "kind": photo.kind,
        "taken_at": photo.taken_at.isoformat(),
        "quality": photo.quality,
    }


# --------------------------------------------------------------------------- choosing


def choose_pair(
    photos: list[records.Photo], area: str, from_ref: str | None, to_ref: str | None
) -> tuple[records.Photo, records.Photo]:
    """The (baseline, follow-up) pair of one area among a patient's photos (oldest first).

    Pure and cheap: every bad choice is refused here, before a photo is read.
    """
    of_area = [p for p in photos if p.area == area]
    if not of_area:
        raise InvalidValue("area", area, "this patient has no photos of this area")
    baseline = (
        _pick(photos, of_area, area, from_ref, "from")
        if from_ref is not None
        else next((p for p in of_area if p.kind == BASELINE_KIND), None)
    )
    if baseline is None:
        raise InvalidValue(
            "area",
            area,
            "has no baseline photo (kind before) to compare with; add one or give --from",
        )
    if to_ref is not None:
        follow_up = _pick(photos, of_area, area, to_ref, "to")
    else:
        later = [p for p in of_area if p.id != baseline.id]
        if not later:
            raise InvalidValue("area", area, "has only its baseline photo; add a follow-up photo")
        follow_up = later[-1]
    if follow_up.id == baseline.id:
        raise InvalidValue("to", to_ref or from_ref, "is the same photo as the baseline")
    return baseline, follow_up


def _pick(
    photos: list[records.Photo], of_area: list[records.Photo], area: str, ref: str, flag: str
) -> records.Photo:
    matches = id_matches(ref, [p.id for p in photos])
    if not matches:
        raise NotFound(f"no photo of this patient has the id {ref.strip()!r}")
    if len(matches) > 1:
        raise InvalidValue(flag, ref, "matches more than one photo; give more of its id")
    photo = next(p for p in of_area + photos if p.id == matches[0])
    if photo.area != area:
        raise InvalidValue(flag, ref, f"is a photo of {photo.area or 'no area'}, not of {area}")
    return photo


# --------------------------------------------------------------------------- comparing


def compare_photos(
    journal: Journal,
    patient_ref: str,
    area: str,
    *,
    from_ref: str | None = None,
    to_ref: str | None = None,
    store: bool = True,
    photos: list[records.Photo] | None = None,
) -> Evidence:
    """Compare a follow-up photo of `area` with its baseline (module docstring: the API).

    With `store`, the comparison and any missing photo readings are saved, so
    the score can use them; a journal that cannot be written to still gets
    its comparison. `photos` (the patient's photos, oldest first) saves the
    query when the caller already holds them (the TUI, an export of several
    areas); the pair is chosen among them.
    """
    from journal.services.photos import list_photos

    clean_area = AREAS.normalize(area)
    if photos is None:
        photos = list_photos(journal, patient_ref)
    baseline, follow_up = choose_pair(photos, clean_area, from_ref, to_ref)

    from journal.imaging.evidence import (
        alignment_from_dict,
        compare,
        quality_from_dict,
        read_photo,
    )

    base_pixels = _display_pixels(journal, baseline)
    follow_pixels = _display_pixels(journal, follow_up)
    readings: dict[uuid.UUID, tuple[dict[str, Any], dict[str, Any]]] = {}
    qualities = []
    for photo, pixels in ((baseline, base_pixels), (follow_up, follow_pixels)):
        quality = quality_from_dict(photo.quality)
        if quality is None or not _current(photo.measures):
            fresh = read_photo(pixels)
            readings[photo.id] = (fresh.quality, fresh.measures)
            quality = quality_from_dict(fresh.quality)
        qualities.append(quality)
    stored = _stored_comparison(follow_up, baseline)
    alignment = alignment_from_dict(stored["alignment"]) if stored else None
    reading = compare(
        base_pixels,
        follow_pixels,
        baseline_quality=qualities[0],
        follow_up_quality=qualities[1],
        alignment=alignment,
    )
    comparison = {
        **reading.to_dict(),
        "baseline_id": str(baseline.id),
        "baseline_sha256": baseline.sha256,
        "follow_up_sha256": follow_up.sha256,
    }
    if readings:
        baseline = _with_reading(baseline, readings)
        follow_up = _with_reading(follow_up, readings)
    follow_up = replace(follow_up, comparison=comparison)
    if store:
        _save(journal, readings, follow_up.id, comparison)
    return Evidence(
        clean_area, baseline, follow_up, reading, reused_alignment=alignment is not None
    )


def _stored_comparison(follow_up: records.Photo, baseline: records.Photo) -> dict[str, Any] | None:
    """The follow-up's stored comparison when it is of this very pair and current."""
    stored = follow_up.comparison
    if not _current(stored) or not isinstance(stored, dict):
        return None
    same = (
        stored.get("baseline_id") == str(baseline.id)
        and stored.get("baseline_sha256") == baseline.sha256
        and stored.get("follow_up_sha256") == follow_up.sha256
    )
    return stored if same else None


def _with_reading(
    photo: records.Photo, readings: dict[uuid.UUID, tuple[dict[str, Any], dict[str, Any]]]
) -> records.Photo:
    if photo.id not in readings:
        return photo
    quality, measures = readings[photo.id]
    return replace(photo, quality=quality, measures=measures)


def _display_pixels(journal: Journal, photo: records.Photo) -> np.ndarray:
    """The display copy's pixels (RGB); one line when the file is gone or damaged.

    Read through the journal's photo store (`read_photo`), never by a path:
    a PostgreSQL journal keeps its photos in the database, and an encrypted
    journal's files are sealed, so only the store turns them into JPEG bytes.
    """
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from journal.services.photos import read_photo

    data = read_photo(journal, photo)
    if data is None:
        raise JournalUnavailable(
            f"the display copy of photo {photo.id.hex[:8]} is missing from the photo store; "
            "run journal doctor"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        raise JournalUnavailable(
            f"the display copy of photo {photo.id.hex[:8]} cannot be read; run journal doctor"
        ) from None


def _save(
    journal: Journal,
    readings: dict[uuid.UUID, tuple[dict[str, Any], dict[str, Any]]],
    follow_up_id: uuid.UUID,
    comparison: dict[str, Any],
) -> None:
    """Store the readings and the comparison: a cache, so `updated_at` is left alone.

    Not a user's edit (nothing in the change log, an open edit form is not
    told the photo moved). A journal that cannot be written to right now
    keeps the comparison uncached; the next compare tries again.
    """
    from sqlalchemy import update
    from sqlalchemy.exc import SQLAlchemyError

    from journal.store.models import PhotoRow

    def values(**changed: Any) -> dict[str, Any]:
        return {**changed, "updated_at": PhotoRow.updated_at}

    try:
        with journal.write() as db:
            for photo_id, (quality, measures) in readings.items():
                db.execute(
                    update(PhotoRow)
                    .where(PhotoRow.id == photo_id)
                    .values(values(quality=quality, measures=measures))
                )
            db.execute(
                update(PhotoRow)
                .where(PhotoRow.id == follow_up_id)
                .values(values(comparison=comparison))
            )
    except (SQLAlchemyError, JournalUnavailable):
        return


# --------------------------------------------------------------------------- showing


#: The verdict words of a measured change, the same in the TUI and the exports.
IMPROVED, NO_CHANGE, WORSE = "improved", "no change beyond uncertainty", "worse"
#: Columns of the measured-change table (TUI compare view, provider PDF and HTML).
CHANGE_COLUMNS = summary.CHANGE_COLUMNS
#: Said beside a pair that is not comparable: it is shown, never counted.
NOT_COUNTED = "Not comparable: shown for reference, not counted in the score."
#: Said for an area whose photos have no baseline to compare with.
NO_BASELINE = (
    "No baseline photo of this area (a photo of kind before), so there is nothing to "
    "compare with: re-file the earliest photo as before."
)


@dataclass(frozen=True)
class AreaComparison:
    """One area's comparison for a view of several areas: the evidence, or why there is none."""

    area: str
    evidence: Evidence | None
    problem: str | None = None


def verdict_word(change: MeasureChange) -> str:
    """`improved`, `no change beyond uncertainty` or `worse`: one word a reader can act on."""
    if not change.detected or change.improved is None:
        return NO_CHANGE
    return IMPROVED if change.improved else WORSE


def change_cells(change: MeasureChange) -> tuple[str, str, str, str, str, str]:
    """One row of `CHANGE_COLUMNS`: values in the measure's unit, change with its percent.

    Marks are counted, so they print as whole numbers; the other measures
    with two decimals (their uncertainty is a few hundredths at the least).
    """
    whole = change.name == "spots"

    def number(value: float, sign: bool = False) -> str:
        text = f"{value:+.0f}" if whole and sign else f"{value:.0f}" if whole else None
        if text is None:
            text = f"{value:+.2f}" if sign else f"{value:.2f}"
        return text

    percent = f" ({change.percent:+.0f}%)" if change.percent else ""
    return (
        f"{change.label.capitalize()} ({change.unit})",
        number(change.baseline),
        number(change.follow_up),
        number(change.change, sign=True) + percent,
        "\u00b1" + number(change.uncertainty),
        verdict_word(change),
    )


def compare_areas(
    journal: Journal, patient_ref: str, photos: list[records.Photo]
) -> list[AreaComparison]:
    """Each area of `photos` (oldest first) with two photos or more, compared once.

    The pair is the area's baseline and its latest photo among `photos` (a
    course's photos, for a course summary); an area without a baseline gets
    the reason in words instead. Photos whose file cannot be read cost their
    area its comparison, never the whole view. Comparisons go through
    `compare_photos`, so they are stored and the next view reuses the alignment.
    """
    areas: list[str] = []
    for photo in photos:
        if photo.area is not None and photo.area not in areas:
            areas.append(photo.area)
    found: list[AreaComparison] = []
    for area in areas:
        if sum(1 for p in photos if p.area == area) < 2:
            continue
        if not any(p.area == area and p.kind == BASELINE_KIND for p in photos):
            found.append(AreaComparison(area, None, NO_BASELINE))
            continue
        try:
            baseline, follow_up = choose_pair(photos, area, None, None)
            evidence = compare_photos(
                journal,
                patient_ref,
                area,
                from_ref=str(baseline.id),
                to_ref=str(follow_up.id),
                photos=photos,
            )
        except (InvalidValue, NotFound, JournalUnavailable) as exc:
            found.append(AreaComparison(area, None, str(exc)))
            continue
        found.append(AreaComparison(area, evidence))
    return found


# --------------------------------------------------------------------------- the score
# The score's view of stored comparisons lives in journal/services/photo_pairs.py
# (no export or OpenCV imports: every write that keeps the stored results uses it).
