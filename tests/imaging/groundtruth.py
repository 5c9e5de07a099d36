"""Generated ground truth for the skin measures: known skin, known perturbations.

Each case paints a synthetic skin photo (journal/imaging/synthetic.py) whose
truth is known: its number of marks and how red it is. A follow-up photo is
the same skin (no real change) or a known change of it (20% less redness, a
third of the marks gone), photographed again under one known perturbation:
exposure +-1 EV, a warmer or cooler white balance, a rotation, a scale
change, a shift, or JPEG re-compression.

Each photo goes through JPEG as a phone photo would. The full pipeline will
register the follow-up to the baseline and normalise its colour
(journal/imaging/align); this step stands in for both: geometric
perturbations are undone with the known inverse transform (perfect
registration, honest resampling), and colour by a simple grey-world gain in
linear light that matches the follow-up's channel means to the baseline's.
Both photos are then measured on the same region: the aligned frame's valid
part, minus pixels either photo clipped (measures.usable_pixels).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from journal.imaging.measures import SkinMeasures, skin_measures, usable_pixels
from journal.imaging.synthetic import paint_skin

SIZE = (512, 384)
SEEDS = (7, 9, 5, 19)  # four skin tones (light to dark) and mark sets
MARKS = 24
SEVERITY = 8
PHOTO_QUALITY = 90


@dataclass(frozen=True)
class Perturbation:
    """One known way a second photo of the same skin differs from the first."""

    name: str
    colour: tuple[float, float, float] = (1.0, 1.0, 1.0)  # linear gain per channel
    angle: float = 0.0  # degrees
    scale: float = 1.0
    shift: tuple[float, float] = (0.0, 0.0)  # fractions of width, height
    recompress: int | None = None  # a second JPEG pass at this quality

    @property
    def geometric(self) -> bool:
        return self.angle != 0.0 or self.scale != 1.0 or self.shift != (0.0, 0.0)


PERTURBATIONS = (
    Perturbation("none"),
    Perturbation("exposure +1 EV", colour=(2.0, 2.0, 2.0)),
    Perturbation("exposure -1 EV", colour=(0.5, 0.5, 0.5)),
    Perturbation("warmer light", colour=(1.15, 1.0, 0.8)),
    Perturbation("cooler light", colour=(0.85, 1.0, 1.2)),
    Perturbation("rotated 10 degrees", angle=10.0),
    Perturbation("rotated -6 degrees", angle=-6.0),
    Perturbation("15% closer", scale=1.15),
    Perturbation("15% further", scale=0.85),
    Perturbation("shifted", shift=(0.06, -0.04)),
    Perturbation("re-compressed", recompress=70),
)


@dataclass(frozen=True)
class Truth:
    """What was painted: the seed's skin, how red, how many marks."""

    seed: int
    redness: float = 1.0
    marks: int = MARKS
    texture: float = 1.0


@functools.lru_cache(maxsize=64)
def paint(truth: Truth) -> np.ndarray:
    """The painted skin as an RGB array, straight from the painter (no JPEG yet)."""
    image = paint_skin(
        seed=truth.seed,
        severity=SEVERITY,
        size=SIZE,
        redness=truth.redness,
        texture=truth.texture,
        mark_count=truth.marks,
    )
    rgb = np.asarray(image.convert("RGB"))
    rgb.setflags(write=False)  # shared through the cache
    return rgb


def jpeg(rgb: np.ndarray, quality: int = PHOTO_QUALITY) -> np.ndarray:
    """Round-trip through Pillow's JPEG encoder, as every photo is stored."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    v = rgb.astype(np.float64) / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    v = np.clip(linear, 0.0, 1.0)
    encoded = np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)
    return np.asarray(np.round(encoded * 255.0), dtype=np.uint8)


def _matrix(p: Perturbation) -> np.ndarray:
    width, height = SIZE
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), p.angle, p.scale)
    matrix[0, 2] += p.shift[0] * width
    matrix[1, 2] += p.shift[1] * height
    return matrix


def _warp(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(rgb, matrix, SIZE, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))


def photograph(truth: Truth, p: Perturbation) -> np.ndarray:
    """The follow-up photo as the camera saved it: perturbed, then JPEG."""
    rgb = paint(truth)
    if p.colour != (1.0, 1.0, 1.0):
        rgb = _to_srgb(_to_linear(rgb) * np.asarray(p.colour))
    if p.geometric:
        rgb = _warp(rgb, _matrix(p))
    rgb = jpeg(rgb)
    if p.recompress is not None:
        rgb = jpeg(rgb, p.recompress)
    return rgb


def align(follow_up: np.ndarray, p: Perturbation) -> tuple[np.ndarray, np.ndarray]:
    """Undo a geometric perturbation with its known inverse; return the photo and valid region."""
    valid = np.ones(follow_up.shape[:2], dtype=np.uint8)
    if not p.geometric:
        return follow_up, valid > 0
    inverse = cv2.invertAffineTransform(_matrix(p))
    covered = _warp(np.full_like(follow_up, 255), _matrix(p))[..., 0]
    aligned = _warp(follow_up, inverse)
    back = cv2.warpAffine(covered, inverse, SIZE, flags=cv2.INTER_NEAREST)
    # Keep clear of the interpolated edge of the warped frame.
    valid = cv2.erode((back == 255).astype(np.uint8), np.ones((5, 5), np.uint8))
    return aligned, valid > 0


def grey_world(image: np.ndarray, reference: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Match `image`'s linear channel means to `reference`'s over `region`.

    A stand-in for the alignment module's colour normalisation: a single gain
    per channel in linear light, which undoes an exposure or white-balance
    change exactly except where the camera clipped.
    """
    lin, ref = _to_linear(image), _to_linear(reference)
    gains = ref[region].mean(axis=0) / np.maximum(lin[region].mean(axis=0), 1e-6)
    return _to_srgb(lin * gains)


def measure_pair(before: Truth, after: Truth, p: Perturbation) -> tuple[SkinMeasures, SkinMeasures]:
    """Baseline and follow-up measured as the pipeline will: aligned, normalised, same region."""
    baseline = jpeg(paint(before))
    follow_up, region = align(photograph(after, p), p)
    region &= usable_pixels(baseline) & usable_pixels(follow_up)
    follow_up = grey_world(follow_up, baseline, region)
    region &= usable_pixels(follow_up)
    return skin_measures(baseline, region), skin_measures(follow_up, region)


def no_change_pairs() -> list[tuple[int, Perturbation, SkinMeasures, SkinMeasures]]:
    """Every seed under every perturbation, nothing really changed."""
    return [
        (seed, p, *measure_pair(Truth(seed), Truth(seed), p))
        for seed in SEEDS
        for p in PERTURBATIONS
    ]


REAL_CHANGES: dict[str, tuple[Callable[[int], Truth], str]] = {
    "20% less redness": (lambda seed: Truth(seed, redness=0.8), "redness"),
    "a third of the marks gone": (lambda seed: Truth(seed, marks=MARKS - MARKS // 3), "spots"),
    "finer texture": (lambda seed: Truth(seed, texture=0.6), "texture"),
}


def movement(name: str, before: SkinMeasures, after: SkinMeasures) -> tuple[float, float]:
    """(absolute, relative) movement of one measure between two photos."""
    a, b = before.value(name), after.value(name)
    moved = abs(b - a)
    return moved, moved / abs(a) if a else math.inf


MIN_MEASURED = 0.25  # a pair measured on less of the frame than this is not comparable


def comparable(
    pairs: list[tuple[int, Perturbation, SkinMeasures, SkinMeasures]],
) -> list[tuple[int, Perturbation, SkinMeasures, SkinMeasures]]:
    """Pairs with enough measurable skin; the rest lost it to clipping (the quality check's job)."""
    return [
        row
        for row in pairs
        if min(row[2].measured_fraction, row[3].measured_fraction) >= MIN_MEASURED
    ]


def derive_uncertainty(
    pairs: list[tuple[int, Perturbation, SkinMeasures, SkinMeasures]], name: str
) -> float:
    """Worst relative movement of one measure over no-change pairs (the basis of MEASURES)."""
    return max(movement(name, a, b)[1] for _, _, a, b in pairs if a.value(name))
