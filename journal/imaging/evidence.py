"""Photos as evidence, the pure half: one photo's reading, one pair's comparison.

`quality.py`, `align.py` and `measures.py` each do one step; this module runs
them in the order that makes a comparison fair, so every caller (the import,
`journal photo compare`, the TUI compare view and the provider exports built
on journal.services.evidence) gets the same numbers:

1. `read_photo(image)`: the photo's quality (sharpness, exposure, colour cast,
   skin share, warnings in words) and its skin measures on its own, as plain
   dicts to store with the photo.
2. `compare(baseline, follow_up)`: register the follow-up onto the baseline
   (`align.align`, or a stored transform), warp it onto the baseline's frame,
   keep the pixels both photos really show and neither clipped, match its
   colours to the baseline over those pixels (`align.normalise_colour`), then
   measure both on that same region (`measures.skin_measures`) and compare
   (`measures.measured_change`). Whether the pair is comparable comes from
   `quality.pair_comparability` (brightness, white balance, framing scale,
   angle, sharpness), from the alignment, and from how much skin is left to
   measure.
3. `pair_picture(reading)`: the baseline, the aligned follow-up and a
   difference picture side by side, for `photo compare -o`.

Pure: PIL images or numpy arrays in, frozen dataclasses out. OpenCV and numpy
are imported at module level, so nothing the CLI or the TUI loads at start-up
may import this module; journal.services imports it inside functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from journal.imaging import ANALYSIS_VERSION
from journal.imaging.align import Alignment, align, normalise_colour, overlap_mask, warp
from journal.imaging.measures import (
    LIMITS,
    MEASURES,
    MeasureChange,
    SkinMeasures,
    measured_change,
    skin_measures,
    usable_pixels,
)
from journal.imaging.quality import (
    CAVEAT,
    Check,
    Comparability,
    PhotoQuality,
    pair_comparability,
    photo_quality,
)

if TYPE_CHECKING:
    from PIL import Image

#: Stored readings and comparisons carry ANALYSIS_VERSION (journal/imaging/__init__.py);
#: a reading of an older version is read again rather than trusted.

#: A pair measured on less of the frame than this is not comparable: the rest
#: was outside the other photo or clipped (tests/imaging/groundtruth.py uses
#: the same limit when it derives the uncertainties).
MIN_MEASURED = 0.25

#: The panels of `pair_picture` are at most this many pixels on their long side.
PICTURE_EDGE = 768
#: Differences are amplified this many times in the difference picture, so a
#: change of 10 levels (of 255) shows as a clear tint rather than near-black.
DIFFERENCE_GAIN = 4.0


@dataclass(frozen=True)
class PhotoReading:
    """One photo's quality and skin measures, as the plain dicts stored with it."""

    quality: dict[str, Any]
    measures: dict[str, Any]


def read_photo(image: Image.Image | np.ndarray) -> PhotoReading:
    """Quality and whole-frame skin measures of one photo (its display copy).

    The measures of a single photo are on the whole frame minus clipped
    pixels: a skin mask from colour alone would cut the darker marks out of
    the skin they sit on. They are for a reader of one photo; a comparison
    measures both photos again on their common region.
    """
    rgb = _rgb(image)
    quality = photo_quality(rgb)
    measures = skin_measures(rgb)
    return PhotoReading(
        {"version": ANALYSIS_VERSION, **quality.to_dict()},
        {"version": ANALYSIS_VERSION, **measures.to_dict()},
    )


def quality_from_dict(stored: dict[str, Any] | None) -> PhotoQuality | None:
    """A stored quality reading back as a `PhotoQuality` (None: unknown or outdated).

    Only what a pair comparison reads is restored exactly (luminance, chroma,
    sharpness); the checks come back with their verdicts and warnings.
    """
    if not stored or stored.get("version") != ANALYSIS_VERSION:
        return None
    try:
        checks = tuple(
            Check(name, None, verdict, _warning_for(stored, name))
            for name, verdict in dict(stored.get("checks") or {}).items()
        )
        chroma = stored["chroma"]
        return PhotoQuality(
            sharpness=float(stored["sharpness"]),
            brightness=float(stored["brightness"]),
            shadows_clipped=float(stored["shadows_clipped"]),
            highlights_clipped=float(stored["highlights_clipped"]),
            cast=None if stored.get("cast") is None else float(stored["cast"]),
            cast_colour=stored.get("cast_colour"),
            skin_fraction=float(stored["skin_fraction"]),
            luminance=float(stored["luminance"]),
            chroma=(float(chroma[0]), float(chroma[1])),
            checks=checks,
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _warning_for(stored: dict[str, Any], name: str) -> str | None:
    """The stored warning of one check: the warnings are in check order, poor ones only."""
    poor = [n for n, verdict in dict(stored.get("checks") or {}).items() if verdict == "poor"]
    warnings = list(stored.get("warnings") or [])
    if name in poor and len(poor) == len(warnings):
        return str(warnings[poor.index(name)])
    return None


def alignment_from_dict(stored: dict[str, Any] | None) -> Alignment | None:
    """A stored alignment (`Alignment.to_dict()`) back as an `Alignment`, or None."""
    if not stored:
        return None
    try:
        matrix = tuple(tuple(float(v) for v in row) for row in stored["matrix"])
        if len(matrix) != 3 or any(len(row) != 3 for row in matrix):
            return None
        return Alignment(
            ok=bool(stored["ok"]),
            model=str(stored["model"]),
            matrix=matrix,  # type: ignore[arg-type]
            scale=float(stored["scale"]),
            rotation_deg=float(stored["rotation_deg"]),
            shift=(float(stored["shift"][0]), float(stored["shift"][1])),
            matches=int(stored["matches"]),
            inliers=int(stored["inliers"]),
            inlier_ratio=float(stored["inlier_ratio"]),
            reprojection_error=float(stored["reprojection_error"]),
            baseline_size=(int(stored["baseline_size"][0]), int(stored["baseline_size"][1])),
            follow_up_size=(int(stored["follow_up_size"][0]), int(stored["follow_up_size"][1])),
            problem=stored.get("problem"),
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class PairReading:
    """A baseline and a follow-up compared: alignment, comparability, measured change.

    `baseline` and `aligned` are uint8 RGB arrays of the same size (the
    baseline's frame); `aligned` is the follow-up registered and
    colour-normalised onto it; `region` (bool, same height and width) is
    where both were measured. `comparable` is false when the alignment
    failed, a difference passed its block limit, or too little skin was
    left to measure; `warnings` say why (and note smaller differences).
    """

    alignment: Alignment
    comparability: Comparability
    comparable: bool
    warnings: tuple[str, ...]
    baseline_measures: SkinMeasures
    follow_up_measures: SkinMeasures
    changes: tuple[MeasureChange, ...]
    measured_fraction: float
    baseline: np.ndarray
    aligned: np.ndarray
    region: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (no pixels): what is stored and what `--json` prints."""
        return {
            "version": ANALYSIS_VERSION,
            "alignment": self.alignment.to_dict(),
            "comparable": self.comparable,
            "warnings": list(self.warnings),
            "comparability": self.comparability.to_dict(),
            "measured_fraction": round(self.measured_fraction, 4),
            "measures": [
                {**c.to_dict(), "lower_is_better": MEASURES[c.name].lower_is_better}
                for c in self.changes
            ],
            "caveat": CAVEAT,
            "limits": LIMITS,
        }


def compare(
    baseline: Image.Image | np.ndarray,
    follow_up: Image.Image | np.ndarray,
    *,
    baseline_quality: PhotoQuality | None = None,
    follow_up_quality: PhotoQuality | None = None,
    alignment: Alignment | None = None,
) -> PairReading:
    """Align, normalise and measure a follow-up against its baseline (see the module doc).

    Stored qualities and a stored alignment (of these very photos) save
    their work; without them they are computed here. Never raises for
    photos that merely do not match: the reading is then not comparable.
    """
    base = _rgb(baseline)
    follow = _rgb(follow_up)
    size = (base.shape[1], base.shape[0])
    base_quality = baseline_quality or photo_quality(base)
    follow_quality = follow_up_quality or photo_quality(follow)
    fit = alignment if _fits(alignment, base, follow) else align(base, follow)
    assert fit is not None

    warped = np.asarray(warp(follow, fit, size), dtype=np.uint8)
    region = overlap_mask(fit, size) & usable_pixels(base) & usable_pixels(warped)
    normalised = np.asarray(normalise_colour(base, warped, region), dtype=np.uint8)
    region &= usable_pixels(normalised)
    before = skin_measures(base, region)
    after = skin_measures(normalised, region)
    measured = min(before.measured_fraction, after.measured_fraction)

    comparability = pair_comparability(
        base_quality,
        follow_quality,
        # pair_comparability's scale is the follow-up's skin size over the
        # baseline's; the alignment enlarged the follow-up by framing_scale.
        scale=1.0 / fit.framing_scale if fit.ok and fit.framing_scale > 0 else None,
        angle=-fit.rotation_deg if fit.ok else None,
    )
    warnings: list[str] = []
    if not fit.ok:
        warnings.append(f"not aligned: {fit.problem}")
    warnings.extend(comparability.warnings)
    if measured < MIN_MEASURED:
        warnings.append(
            f"only {measured:.0%} of the frame could be measured in both photos "
            "(outside the other photo, or washed out): too little to compare"
        )
    for label, quality in (("baseline", base_quality), ("follow-up", follow_quality)):
        warnings.extend(f"the {label} is {warning}" for warning in quality.warnings)
    return PairReading(
        alignment=fit,
        comparability=comparability,
        comparable=fit.ok and comparability.comparable and measured >= MIN_MEASURED,
        warnings=tuple(warnings),
        baseline_measures=before,
        follow_up_measures=after,
        changes=tuple(measured_change(before, after)),
        measured_fraction=measured,
        baseline=base,
        aligned=normalised,
        region=region,
    )


def _fits(alignment: Alignment | None, base: np.ndarray, follow: np.ndarray) -> bool:
    """A stored alignment is reused only for photos of the sizes it was found on."""
    return (
        alignment is not None
        and alignment.baseline_size == (base.shape[1], base.shape[0])
        and alignment.follow_up_size == (follow.shape[1], follow.shape[0])
    )


def difference_picture(baseline: np.ndarray, aligned: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Where an aligned pair differs: grey baseline, differences tinted red.

    The difference is the absolute difference of the two (aligned,
    colour-normalised) photos, averaged over the channels and amplified
    `DIFFERENCE_GAIN` times; pixels outside the measured `region` are dark
    blue, so a reader sees what was not compared.
    """
    diff = cv2.absdiff(baseline, aligned).astype(np.float32).mean(axis=2) * DIFFERENCE_GAIN
    grey = cv2.cvtColor(baseline, cv2.COLOR_RGB2GRAY).astype(np.float32) * 0.5
    red = np.clip(grey + diff, 0, 255)
    other = np.clip(grey - diff * 0.5, 0, 255)
    picture = np.stack([red, other, other], axis=2).astype(np.uint8)
    picture[~region] = (10, 20, 60)
    return picture


def pair_picture(reading: PairReading) -> np.ndarray:
    """Baseline | aligned follow-up | difference, side by side, as one RGB array.

    Each panel has its long side at most `PICTURE_EDGE`, with a thin dark gap
    between panels. Pixels only: the caller encodes it without metadata.
    """
    height, width = reading.baseline.shape[:2]
    factor = min(1.0, PICTURE_EDGE / max(height, width))
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    base, aligned, region = reading.baseline, reading.aligned, reading.region
    if factor < 1.0:
        base = cv2.resize(base, size, interpolation=cv2.INTER_AREA)
        aligned = cv2.resize(aligned, size, interpolation=cv2.INTER_AREA)
        region = cv2.resize(region.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    gap = np.full((size[1], max(2, math.ceil(size[0] / 100)), 3), 16, dtype=np.uint8)
    difference = difference_picture(base, aligned, region)
    return np.concatenate([base, gap, aligned, gap, difference], axis=1)


def _rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    """An HxWx3 uint8 RGB array from a PIL image or an array."""
    if isinstance(image, np.ndarray):
        array = image
    else:
        array = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] < 3 or array.dtype != np.uint8:
        raise ValueError("expected an 8-bit RGB image")
    return np.ascontiguousarray(array[:, :, :3])
