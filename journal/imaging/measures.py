"""Measured change on a skin photo: redness, pigment spread, texture and marks.

A before/after pair only becomes evidence when what changed is measured the
same way on both photos and the number comes with how much it moves when
nothing changed. This module measures one photo's skin region
(`skin_measures`) and compares two (`measured_change`); the photos are
expected to be aligned and colour-normalised already (journal/imaging/align).

Every measure is built to shrug off what a different room does to a photo:
they work on camera absorbance (`-log10` of linearised RGB), where a
brighter exposure or a warmer bulb adds a constant per channel, and each
measure subtracts the skin's own reference (its median, or its local
background) before it looks at anything. What no normalisation can undo is
stated in docs/photo-measures.md (## Measures) and in `LIMITS`.

OpenCV and numpy are imported here at module level: nothing the CLI or the
TUI imports at start-up imports this module (journal/imaging/__init__.py
does not), so `journal --help` never pays for them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from PIL import Image

# Photos are measured at this long side (display copies are 2048 px): the
# measures are then defined in fractions of the frame, not in pixels, and one
# photo costs the same whatever its size.
ANALYSIS_LONG_SIDE = 768

# A channel at or above this value is clipped (its colour is lost); below the
# floor the sensor noise dominates. Such pixels are left out of every measure.
CLIPPED = 250
BLACK = 6

# Redness counts erythema only this many index points above the skin's own
# tone: below it is mottling, grain and JPEG colour noise.
REDNESS_DEAD_ZONE = 3.0

# Spots: a mark is a connected patch darker than its surroundings by more
# than SPOT_DARKER (natural-log brightness, 0.10 = about 10% darker) or
# redder by more than SPOT_REDDER erythema-index points, with an equivalent
# radius between these fractions of the frame's long side.
SPOT_DARKER = 0.28
SPOT_REDDER = 8.0
SPOT_MIN_RADIUS = 0.005
_SPOT_SIGMA = 0.008  # marks are smoothed at this scale first, so pores do not count
SPOT_MAX_RADIUS = 0.06

# Scales, as fractions of the frame's long side.
_SMOOTH_SIGMA = 0.004  # colour and marks: finer than this is grain and JPEG noise
_TEXTURE_SIGMAS = (0.004, 0.012)  # the band "fine texture" measures: pores, fine lines
_BACKGROUND_SIGMA = 0.04  # the skin around a mark
_TREND_SIGMA = 0.15  # lighting falling across the frame

LIMITS = (
    "Measured on ordinary photos, not under a clinic's fixed light: a change in lighting "
    "direction, makeup, a different camera or heavy compression can move these numbers "
    "by more than the stated uncertainty."
)


@dataclass(frozen=True)
class MeasureInfo:
    """What a measure means to a reader, and how much it moves with no real change.

    `relative_uncertainty` and `absolute_uncertainty` were measured on the
    generated ground-truth set (tests/imaging/groundtruth.py: the same skin
    under exposure, white balance, rotation, scale, shift and JPEG
    re-compression); the uncertainty of a value is the larger of the two.
    tests/imaging/test_measures.py recomputes them and fails if they no
    longer bound the no-change movement.
    """

    name: str
    label: str
    unit: str
    lower_is_better: bool
    relative_uncertainty: float
    absolute_uncertainty: float

    def uncertainty(self, value: float) -> float:
        """How far this measure moves, at this level, on a pair with no real change."""
        return max(self.absolute_uncertainty, self.relative_uncertainty * abs(value))


MEASURES: dict[str, MeasureInfo] = {
    info.name: info
    for info in (
        MeasureInfo(
            "redness",
            "redness",
            "erythema-index points above the skin's own tone",
            lower_is_better=True,
            relative_uncertainty=0.06,
            absolute_uncertainty=0.03,
        ),
        MeasureInfo(
            "pigment_spread",
            "uneven pigmentation",
            "melanin-index points (standard deviation)",
            lower_is_better=True,
            relative_uncertainty=0.07,
            absolute_uncertainty=0.1,
        ),
        MeasureInfo(
            "texture",
            "texture",
            "% fine-scale brightness variation (RMS)",
            lower_is_better=True,
            relative_uncertainty=0.11,
            absolute_uncertainty=0.1,
        ),
        MeasureInfo(
            "spots",
            "marks",
            "countable marks",
            lower_is_better=True,
            relative_uncertainty=0.0,
            absolute_uncertainty=2.0,
        ),
    )
}


@dataclass(frozen=True)
class SkinMeasures:
    """One photo's skin, measured; see MEASURES for units and uncertainty."""

    redness: float
    pigment_spread: float
    texture: float
    spots: int
    measured_fraction: float  # share of the frame that was measurable skin

    def value(self, name: str) -> float:
        """The named measure (a key of MEASURES) as a float."""
        return float(getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for `--json` and for storing with the photo."""
        return asdict(self)


@dataclass(frozen=True)
class MeasureChange:
    """One measure from baseline to follow-up, with its no-change uncertainty."""

    name: str
    label: str
    unit: str
    baseline: float
    follow_up: float
    change: float  # follow_up - baseline, in the measure's unit
    percent: float | None  # change in % of the baseline; None when the baseline is ~0
    uncertainty: float  # in the measure's unit
    detected: bool  # the change is larger than the uncertainty
    improved: bool | None  # None when no change was detected
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values for `--json`."""
        return asdict(self)


def usable_pixels(image: Image.Image | NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Pixels whose colour can be measured: none of R, G, B clipped or black.

    A pair should be measured on the intersection of both photos' usable
    pixels (and of the aligned region), so both numbers describe the same skin.
    """
    red, green, blue = cv2.split(_rgb(image))
    brightest = cv2.max(cv2.max(red, green), blue)
    darkest = cv2.min(cv2.min(red, green), blue)
    return np.asarray((brightest < CLIPPED) & (darkest > BLACK))


def skin_measures(
    image: Image.Image | NDArray[np.uint8], mask: NDArray[np.bool_] | None = None
) -> SkinMeasures:
    """Measure redness, pigment spread, texture and marks on the masked skin.

    `image` is an RGB PIL image or an HxWx3 uint8 array in RGB order; `mask`
    (HxW, true = skin to measure) defaults to the whole frame. Clipped and
    black pixels are always left out.
    """
    rgb = _rgb(image)
    height, width = rgb.shape[:2]
    region = usable_pixels(rgb)
    if mask is not None:
        if mask.shape != (height, width):
            raise ValueError(f"mask is {mask.shape}, the image is {(height, width)}")
        region &= mask.astype(bool)
    scale = min(1.0, ANALYSIS_LONG_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        region = cv2.resize(region.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    long_side = max(rgb.shape[:2])

    # Absorbance per channel: -log10 of linear light (sRGB decoded by a table).
    absorb = _ABSORBANCE[rgb]
    a_red, a_green, a_blue = absorb[..., 0], absorb[..., 1], absorb[..., 2]
    erythema = 100.0 * (a_green - a_red)  # log10(R / G): blood absorbs green, not red
    melanin = 100.0 * a_red  # red light is absorbed by melanin, barely by blood
    log_bright = -(a_red + a_green + a_blue) * (math.log(10.0) / 3.0)  # ln(geometric mean)

    detail = _SMOOTH_SIGMA * long_side
    low, high = (sigma * long_side for sigma in _TEXTURE_SIGMAS)
    weight = None if region.all() else region.astype(np.float32)
    # The measured core keeps clear of the region's edge by the widest fine filter.
    core = cv2.erode(region.astype(np.uint8), _square(math.ceil(2 * high))) > 0
    if core.sum() < 64:
        return SkinMeasures(0.0, 0.0, 0.0, 0, 0.0)
    measured_fraction = float(core.mean())

    smooth_erythema = _masked_blur(erythema, weight, _SPOT_SIGMA * long_side)
    # The skin's own tone, followed across the frame: a light falling off or
    # mixing in from one side shifts the index smoothly, a red mark does not.
    reference = _masked_blur(smooth_erythema, weight, _TREND_SIGMA * long_side)
    excess = smooth_erythema[core] - reference[core] - REDNESS_DEAD_ZONE
    redness = float(np.maximum(excess, 0.0).mean())

    smooth_melanin = _masked_blur(melanin, weight, detail)
    trend = _masked_blur(smooth_melanin, weight, _TREND_SIGMA * long_side)
    pigment_spread = float((smooth_melanin - trend)[core].std())

    smooth_bright = _masked_blur(log_bright, weight, low)
    fine = smooth_bright - _masked_blur(log_bright, weight, high)
    texture = 100.0 * float(np.sqrt(np.mean(fine[core] ** 2)))

    spots = _count_spots(
        _masked_blur(log_bright, weight, _SPOT_SIGMA * long_side),
        _masked_blur(erythema, weight, _SPOT_SIGMA * long_side),
        weight,
        core,
        _BACKGROUND_SIGMA * long_side,
    )
    return SkinMeasures(
        redness=round(redness, 4),
        pigment_spread=round(pigment_spread, 4),
        texture=round(texture, 4),
        spots=spots,
        measured_fraction=round(measured_fraction, 4),
    )


def measured_change(before: SkinMeasures, after: SkinMeasures) -> list[MeasureChange]:
    """Each measure from `before` to `after`, in words, judged against its uncertainty.

    A change counts as detected only when it exceeds what the measure moves
    on pairs with no real change (at the baseline's level); smaller changes
    read "no clear change" rather than a number that looks like progress.
    """
    changes = []
    for info in MEASURES.values():
        baseline, follow_up = before.value(info.name), after.value(info.name)
        change = follow_up - baseline
        uncertainty = info.uncertainty(baseline)
        detected = abs(change) > uncertainty
        percent = 100.0 * change / baseline if abs(baseline) > info.absolute_uncertainty else None
        improved = None if not detected else (change < 0) == info.lower_is_better
        changes.append(
            MeasureChange(
                name=info.name,
                label=info.label,
                unit=info.unit,
                baseline=baseline,
                follow_up=follow_up,
                change=round(change, 4),
                percent=None if percent is None else round(percent, 1),
                uncertainty=round(uncertainty, 4),
                detected=detected,
                improved=improved,
                sentence=_sentence(info, change, percent, uncertainty, baseline, detected),
            )
        )
    return changes


def _sentence(
    info: MeasureInfo,
    change: float,
    percent: float | None,
    uncertainty: float,
    baseline: float,
    detected: bool,
) -> str:
    """ "redness down 18% (uncertainty 8%)" or "marks: no clear change"."""
    if not detected:
        return f"{info.label}: no clear change (within {_amount(info, uncertainty, baseline)})"
    direction = "down" if change < 0 else "up"
    size = f"{abs(percent):.0f}%" if percent is not None else _amount(info, abs(change), baseline)
    return f"{info.label} {direction} {size} (uncertainty {_amount(info, uncertainty, baseline)})"


def _amount(info: MeasureInfo, amount: float, baseline: float) -> str:
    if info.name == "spots":
        count = round(amount)
        return f"{count} mark" if count == 1 else f"{count} marks"
    if abs(baseline) > info.absolute_uncertainty:
        return f"{100.0 * amount / abs(baseline):.0f}%"
    return f"{amount:.2f} {info.unit}"


def _count_spots(
    smooth: NDArray[np.float32],
    erythema: NDArray[np.float32],
    weight: NDArray[np.float32] | None,
    core: NDArray[np.bool_],
    background_sigma: float,
) -> int:
    """Connected patches darker or redder than the skin around them, within size bounds."""
    darker = _masked_blur(smooth, weight, background_sigma) - smooth
    redder = erythema - _masked_blur(erythema, weight, background_sigma)
    candidate = ((darker > SPOT_DARKER) | (redder > SPOT_REDDER)) & core
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(
        candidate.astype(np.uint8), connectivity=8
    )
    long_side = max(smooth.shape)
    low = math.pi * (SPOT_MIN_RADIUS * long_side) ** 2
    high = math.pi * (SPOT_MAX_RADIUS * long_side) ** 2
    areas = stats[1:count, cv2.CC_STAT_AREA]
    return int(np.count_nonzero((areas >= low) & (areas <= high)))


def _masked_blur(
    values: NDArray[np.float32], weight: NDArray[np.float32] | None, sigma: float
) -> NDArray[np.float32]:
    """Gaussian blur that only averages measured pixels (normalised convolution).

    Without it, the black border of a warped photo or a masked-out eye would
    bleed into the skin next to it and read as a dark mark. `weight` None
    means every pixel counts. Wide blurs run on a shrunken copy: a wide
    kernel costs more than the resizing, and the result is smooth anyway.
    """
    height, width = values.shape
    factor = max(1, int(sigma // 3))
    top: Any = values if weight is None else values * weight
    bottom: Any = weight
    if factor > 1:
        small = (max(1, width // factor), max(1, height // factor))
        top = cv2.resize(top, small, interpolation=cv2.INTER_AREA)
        if bottom is not None:
            bottom = cv2.resize(bottom, small, interpolation=cv2.INTER_AREA)
    top = cv2.GaussianBlur(top, (0, 0), sigma / factor)
    if bottom is not None:
        top = top / np.maximum(cv2.GaussianBlur(bottom, (0, 0), sigma / factor), 1e-6)
    if factor > 1:
        top = cv2.resize(top, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(top, dtype=np.float32)


def _square(radius: int) -> NDArray[np.uint8]:
    """A square structuring element: OpenCV erodes with it in separable passes (fast)."""
    size = 2 * max(1, radius) + 1
    return np.ones((size, size), dtype=np.uint8)


def _rgb(image: Image.Image | NDArray[np.uint8]) -> NDArray[np.uint8]:
    array = image if isinstance(image, np.ndarray) else np.asarray(image.convert("RGB"))
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError("expected an RGB image (HxWx3, 8 bits per channel)")
    return np.ascontiguousarray(array)


def _absorbance_table() -> NDArray[np.float32]:
    """-log10 of linear light for every 8-bit sRGB value (IEC 61966-2-1 decoding)."""
    v = np.arange(256, dtype=np.float64) / 255.0
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return np.asarray(-np.log10(np.maximum(linear, 1e-4)), dtype=np.float32)


_ABSORBANCE = _absorbance_table()
