"""Is this photo good enough to be evidence, and are two photos fair to compare?

Before/after photos mislead more often than they inform: a blurry follow-up
looks smoother, a brighter room makes skin look clearer, a warm bulb makes it
look redder. The journal imports photos after the fact, so it cannot fix the
light; it can only notice. `photo_quality` reads one photo (sharpness,
exposure, colour cast, how much of the frame is skin) and names each problem
in a sentence a person can act on; `pair_comparability` reads a baseline and a
follow-up and says, in words, what differs between the two shots and whether
the pair is fair evidence at all.

Everything here is pure: PIL images or numpy arrays in, frozen dataclasses
out (each with `to_dict()` for `--json`). OpenCV and numpy are imported at the
top of this module only; `journal.imaging` does not import it, so `journal
--help` never pays for them. Definitions, sources and limits of every number
are in docs/photo-measures.md (## Quality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from PIL import Image

#: Photos are analysed with their long side scaled down to this many pixels, so
#: a 12-MP original and its 2048-px display copy get the same sharpness
#: reading; smaller photos are read as they are (upscaling would look like blur).
ANALYSIS_SIDE = 1024

#: Every verdict is one of these words.
GOOD, POOR, UNKNOWN = "good", "poor", "unknown"


@dataclass(frozen=True)
class QualityLimits:
    """Where a single photo's reading turns from good to poor (one place, documented).

    The scales are explained in docs/photo-measures.md; the values were set on
    the generated skin photos (journal/imaging/synthetic.py) so that a clean
    photo of any of its six skin tones passes and the perturbations in
    tests/imaging/test_quality.py are caught.
    """

    #: Fine-detail share below this reads as blurry (sharp real photographs read
    #: about 0.5, a Gaussian blur of 1 px at the analysis size about 0.15).
    min_sharpness: float = 0.25
    #: Mean brightness (sRGB luma, 0 black - 1 white) below / above these.
    min_brightness: float = 0.16
    max_brightness: float = 0.90
    #: Share of pixels crushed to black / blown to white beyond which detail is lost.
    max_shadows_clipped: float = 0.10
    max_highlights_clipped: float = 0.10
    #: Distance (natural-log chromaticity) outside the range of skin colours.
    max_cast: float = 0.12
    #: Share of the frame that must look like skin.
    min_skin_fraction: float = 0.40


@dataclass(frozen=True)
class PairLimits:
    """How far a follow-up may differ from its baseline: a `note` warns, `block` excludes.

    A pair beyond any `block` limit is not comparable: it is shown with its
    warnings but does not feed the measured change or the score.
    """

    #: Ratio of median linear luminance (2.0 is one EV brighter).
    brightness_note: float = 1.12
    brightness_block: float = 1.26  # a third of a stop
    #: Shift of the median log-chromaticity (0.10 is about a 10% change of one channel's gain).
    white_balance_note: float = 0.06
    white_balance_block: float = 0.12
    #: Scale ratio of the follow-up to the baseline (from the alignment).
    scale_note: float = 1.10
    scale_block: float = 1.25
    #: Rotation between the two, in degrees (from the alignment).
    angle_note: float = 5.0
    angle_block: float = 15.0
    #: Sharpness of the follow-up divided by the baseline's (or its inverse).
    sharpness_note: float = 1.6
    sharpness_block: float = 2.5


QUALITY_LIMITS = QualityLimits()
PAIR_LIMITS = PairLimits()

#: Said wherever measured change is shown: what no check here can see.
CAVEAT = (
    "Photos can only show change fairly under the same light, without make-up "
    "and with the same camera; these checks catch large differences, not all of them."
)

# Skin colour rule: OpenCV 8-bit HSV and YCrCb boxes whose intersection is skin
# (Dahmani, Cheref & Larabi 2020; thresholds as published with their code).
_HSV_LOW, _HSV_HIGH = (0, 15, 0), (17, 170, 255)
_YCRCB_LOW, _YCRCB_HIGH = (0, 135, 85), (255, 180, 135)

# Range of skin chromaticity, as ln(R/G) and ln(B/G) of linear RGB: the six
# skin tones of journal/imaging/synthetic.py with a margin of about 0.1. Not
# yet checked against measured skin; see docs/photo-measures.md.
_SKIN_LN_RG = (0.30, 1.05)
_SKIN_LN_BG = (-0.95, -0.20)

_SHADOW_LUMA, _HIGHLIGHT_LUMA = 6, 250
_QUANTISATION_FLOOR = 2.0


def _srgb_to_linear_table() -> np.ndarray:
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


_LINEAR = _srgb_to_linear_table()
_LOG_LINEAR = np.log(_LINEAR + np.float32(1e-4))


@dataclass(frozen=True)
class Check:
    """One reading of a photo, its verdict, and what to do when it is poor."""

    name: str
    value: float | None
    verdict: str
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 4),
            "verdict": self.verdict,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class PhotoQuality:
    """How fit one photo is to be evidence; `warnings` is what a person reads.

    `luminance` and `chroma` are kept so a stored quality can be compared with
    another photo's without decoding either image again.
    """

    sharpness: float
    brightness: float
    shadows_clipped: float
    highlights_clipped: float
    cast: float | None
    cast_colour: str | None
    skin_fraction: float
    luminance: float
    chroma: tuple[float, float]
    checks: tuple[Check, ...] = field(default=())

    @property
    def warnings(self) -> tuple[str, ...]:
        """The sentences for every poor check, in a fixed order."""
        return tuple(c.warning for c in self.checks if c.warning)

    @property
    def ok(self) -> bool:
        """True when no check is poor (an unassessable check is not a fault)."""
        return all(c.verdict != POOR for c in self.checks)

    def verdict(self, name: str) -> str:
        """The verdict of the check called `name` (sharpness, exposure, colour, skin)."""
        for check in self.checks:
            if check.name == name:
                return check.verdict
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, rounded so the output stays readable."""
        return {
            "ok": self.ok,
            "sharpness": round(self.sharpness, 4),
            "brightness": round(self.brightness, 4),
            "shadows_clipped": round(self.shadows_clipped, 4),
            "highlights_clipped": round(self.highlights_clipped, 4),
            "cast": None if self.cast is None else round(self.cast, 4),
            "cast_colour": self.cast_colour,
            "skin_fraction": round(self.skin_fraction, 4),
            "luminance": round(self.luminance, 5),
            "chroma": [round(self.chroma[0], 4), round(self.chroma[1], 4)],
            "checks": {c.name: c.verdict for c in self.checks},
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Difference:
    """One way a follow-up differs from its baseline; `level` is ok, note or block."""

    name: str
    value: float | None
    level: str
    sentence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 4),
            "level": self.level,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class Comparability:
    """Whether a baseline/follow-up pair is fair evidence of change, and why not."""

    comparable: bool
    brightness_ratio: float
    white_balance_shift: float
    scale: float | None
    angle: float | None
    sharpness_ratio: float
    differences: tuple[Difference, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Sentences for every difference worth a word (notes and blocks)."""
        return tuple(d.sentence for d in self.differences if d.sentence)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "comparable": self.comparable,
            "brightness_ratio": round(self.brightness_ratio, 4),
            "white_balance_shift": round(self.white_balance_shift, 4),
            "scale": None if self.scale is None else round(self.scale, 4),
            "angle": None if self.angle is None else round(self.angle, 3),
            "sharpness_ratio": round(self.sharpness_ratio, 4),
            "differences": [d.to_dict() for d in self.differences],
            "warnings": list(self.warnings),
            "caveat": CAVEAT,
        }


# --------------------------------------------------------------------------- reading


def _as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    """An HxWx3 uint8 RGB array from a PIL image or an RGB / grey numpy array."""
    if isinstance(image, np.ndarray):
        array = image
    else:
        array = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating):
            array = np.clip(np.nan_to_num(array) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        else:
            array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] < 8 or array.shape[1] < 8:
        raise ValueError("expected an RGB or grey image at least 8x8 pixels")
    return np.ascontiguousarray(array)


def _analysis_copy(rgb: np.ndarray) -> np.ndarray:
    """Scale so the long side is ANALYSIS_SIDE: readings do not depend on resolution."""
    height, width = rgb.shape[:2]
    factor = ANALYSIS_SIDE / max(height, width)
    if factor >= 1.0:  # never upscale: interpolation would read as blur
        return rgb
    size = (max(8, round(width * factor)), max(8, round(height * factor)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _sharpness(grey: np.ndarray) -> float:
    """Fine-detail share: Laplacian variance over the variance of mid-scale detail.

    The variance of the Laplacian alone grows with contrast and brightness, so
    a dim photo would read as blurry; dividing by the variance of the
    difference from a Gaussian blur (sigma 3 px) cancels contrast, and a blur
    of the photo lowers the numerator faster than the denominator. The 8-bit
    rounding of a smooth frame alone gives the Laplacian a variance of about
    1.7 grey levels squared (kernel weights squared, 20, times 1/12); taking
    that floor off the top and adding it below keeps a heavy blur or a flat
    frame near 0 instead of dividing noise by nothing.
    """
    g = grey.astype(np.float32)
    laplacian = cv2.Laplacian(g, cv2.CV_32F, ksize=1)
    detail = g - cv2.GaussianBlur(g, (0, 0), 3.0)
    floor = _QUANTISATION_FLOOR
    return max(float(laplacian.var()) - floor, 0.0) / (4.0 * (float(detail.var()) + floor))


def _skin_mask(rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    return cv2.bitwise_and(
        cv2.inRange(hsv, _HSV_LOW, _HSV_HIGH), cv2.inRange(ycrcb, _YCRCB_LOW, _YCRCB_HIGH)
    )


def _chroma_and_luminance(rgb: np.ndarray) -> tuple[tuple[float, float], float]:
    """Median ln(R/G), ln(B/G) of unclipped pixels in linear light, and median luminance.

    A white-balance error multiplies each linear channel by a gain, which
    becomes a shift in log-chromaticity whatever the skin tone; medians
    ignore the odd mark or highlight. Every fourth pixel each way is plenty
    for a median, and the logarithms come from a 256-entry table.
    """
    sample = rgb[::4, ::4].reshape(-1, 3)
    linear = _LINEAR[sample]
    luminance = float(np.median(linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)))
    usable = (sample.min(axis=1) >= 8) & (sample.max(axis=1) <= 250)
    if int(np.count_nonzero(usable)) < 64:
        usable = np.ones(len(sample), dtype=bool)
    logs = _LOG_LINEAR[sample[usable]]
    ln_rg = float(np.median(logs[:, 0] - logs[:, 1]))
    ln_bg = float(np.median(logs[:, 2] - logs[:, 1]))
    return (ln_rg, ln_bg), luminance


def _cast_colour(d_rg: float, d_bg: float) -> str:
    """Name the direction of a chromaticity shift in everyday colour words."""
    angle = math.degrees(math.atan2(d_bg, d_rg))
    if -112.5 <= angle < -22.5:
        return "orange"  # more red, less blue: a warm bulb
    if -22.5 <= angle < 22.5:
        return "red"
    if 22.5 <= angle < 67.5:
        return "magenta"
    if 67.5 <= angle < 157.5:
        return "blue"
    if angle >= 157.5 or angle < -157.5:
        return "cyan"
    return "green"  # less red and less blue than green


_CAST_ADVICE = {
    "orange": "take the photo in daylight rather than under a warm bulb",
    "red": "take the photo in daylight rather than under a warm or coloured light",
    "magenta": "take the photo in daylight and check the camera's white balance",
    "blue": "take the photo in daylight rather than in shade or under cool LEDs",
    "cyan": "take the photo in daylight rather than under cool or coloured light",
    "green": "take the photo in daylight rather than under fluorescent light",
}


def _outside(value: float, low: float, high: float) -> float:
    return value - high if value > high else value - low if value < low else 0.0


def photo_quality(image: Image.Image | np.ndarray) -> PhotoQuality:
    """Read one photo's sharpness, exposure, colour cast and skin share, with verdicts.

    `image` is a PIL image or an RGB (or grey) uint8 numpy array. Never
    raises on a real image, however poor; a poor photo is still evidence of
    something, so this only describes it.
    """
    limits = QUALITY_LIMITS
    rgb = _analysis_copy(_as_rgb(image))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    pixels = grey.size

    sharpness = _sharpness(grey)
    brightness = float(grey.mean()) / 255.0
    shadows = float(np.count_nonzero(grey <= _SHADOW_LUMA)) / pixels
    highlights = float(np.count_nonzero(grey >= _HIGHLIGHT_LUMA)) / pixels
    skin_fraction = float(np.count_nonzero(_skin_mask(rgb))) / pixels
    chroma, luminance = _chroma_and_luminance(rgb)

    checks = [
        Check(
            "sharpness",
            sharpness,
            POOR if sharpness < limits.min_sharpness else GOOD,
            "blurry: hold the phone still or tap the skin to focus"
            if sharpness < limits.min_sharpness
            else None,
        )
    ]

    if brightness < limits.min_brightness or shadows > limits.max_shadows_clipped:
        checks.append(
            Check(
                "exposure",
                brightness,
                POOR,
                "too dark: face a window or switch on a light, without the flash",
            )
        )
    elif brightness > limits.max_brightness or highlights > limits.max_highlights_clipped:
        checks.append(
            Check(
                "exposure",
                brightness,
                POOR,
                "too bright: parts of the skin are washed out; "
                "step out of direct light or turn the flash off",
            )
        )
    else:
        checks.append(Check("exposure", brightness, GOOD))

    cast: float | None = None
    cast_colour: str | None = None
    if skin_fraction < limits.min_skin_fraction:
        # Colour cast is judged against the colours skin can have; without
        # skin in the frame there is nothing to judge it against.
        checks.append(Check("colour", None, UNKNOWN))
    else:
        d_rg = _outside(chroma[0], *_SKIN_LN_RG)
        d_bg = _outside(chroma[1], *_SKIN_LN_BG)
        cast = math.hypot(d_rg, d_bg)
        if cast > limits.max_cast:
            cast_colour = _cast_colour(d_rg, d_bg)
            checks.append(
                Check(
                    "colour",
                    cast,
                    POOR,
                    f"strong {cast_colour} cast: {_CAST_ADVICE[cast_colour]}",
                )
            )
        else:
            checks.append(Check("colour", cast, GOOD))

    checks.append(
        Check(
            "skin",
            skin_fraction,
            POOR if skin_fraction < limits.min_skin_fraction else GOOD,
            "little skin in the frame: move closer so the skin fills most of the photo"
            if skin_fraction < limits.min_skin_fraction
            else None,
        )
    )
    return PhotoQuality(
        sharpness=sharpness,
        brightness=brightness,
        shadows_clipped=shadows,
        highlights_clipped=highlights,
        cast=cast,
        cast_colour=cast_colour,
        skin_fraction=skin_fraction,
        luminance=luminance,
        chroma=chroma,
        checks=tuple(checks),
    )


# --------------------------------------------------------------------------- pairs


def _level(spread: float, note: float, block: float) -> str:
    """ok / note / block for a difference measured as a size (>= 1 for ratios)."""
    return "block" if spread > block else "note" if spread > note else "ok"


def _percent(ratio: float) -> int:
    return round(abs(ratio - 1.0) * 100)


def _brightness(ratio: float) -> Difference:
    limits = PAIR_LIMITS
    spread = max(ratio, 1.0 / ratio) if ratio > 0 else math.inf
    level = _level(spread, limits.brightness_note, limits.brightness_block)
    sentence = None
    if level != "ok":
        if ratio >= 1.0:
            sentence = f"the follow-up is about {_percent(ratio)}% brighter"
        else:
            sentence = f"the follow-up is about {_percent(ratio)}% darker"
        sentence += ": differences may be lighting"
    return Difference("brightness", ratio, level, sentence)


def _white_balance(d_rg: float, d_bg: float) -> Difference:
    limits = PAIR_LIMITS
    shift = math.hypot(d_rg, d_bg)
    level = _level(shift, limits.white_balance_note, limits.white_balance_block)
    sentence = None
    if level != "ok":
        colour = _cast_colour(d_rg, d_bg)
        warmth = {"orange": "warmer (more orange)", "blue": "cooler (more blue)"}.get(
            colour, f"more {colour}"
        )
        sentence = (
            f"the follow-up's colour is {warmth} than the baseline's: "
            "colour differences may be the light, not the skin"
        )
    return Difference("white_balance", shift, level, sentence)


def _scale(scale: float | None) -> Difference:
    limits = PAIR_LIMITS
    if scale is None or not math.isfinite(scale) or scale <= 0:
        return Difference("scale", None, "ok")
    spread = max(scale, 1.0 / scale)
    level = _level(spread, limits.scale_note, limits.scale_block)
    sentence = None
    if level != "ok":
        way = "closer (the skin looks larger)" if scale > 1 else "further away (smaller)"
        sentence = (
            f"the follow-up was taken about {_percent(spread)}% {way}: "
            "small marks and texture read differently at another distance"
        )
    return Difference("scale", scale, level, sentence)


def _angle(angle: float | None) -> Difference:
    limits = PAIR_LIMITS
    if angle is None or not math.isfinite(angle):
        return Difference("angle", None, "ok")
    turn = abs((angle + 180.0) % 360.0 - 180.0)
    level = _level(turn, limits.angle_note, limits.angle_block)
    sentence = None
    if level != "ok":
        sentence = (
            f"the follow-up is turned about {round(turn)} degrees: "
            "light falls differently on turned skin"
        )
    return Difference("angle", angle, level, sentence)


def _sharpness_difference(ratio: float) -> Difference:
    limits = PAIR_LIMITS
    spread = max(ratio, 1.0 / ratio) if ratio > 0 else math.inf
    level = _level(spread, limits.sharpness_note, limits.sharpness_block)
    sentence = None
    if level != "ok":
        which = "follow-up" if ratio < 1 else "baseline"
        sentence = (
            f"the {which} is less sharp than the other photo: "
            "texture and small marks may look smoother than they are"
        )
    return Difference("sharpness", ratio, level, sentence)


def pair_comparability(
    baseline: Image.Image | np.ndarray | PhotoQuality,
    follow_up: Image.Image | np.ndarray | PhotoQuality,
    *,
    scale: float | None = None,
    angle: float | None = None,
) -> Comparability:
    """Say how a follow-up differs from its baseline, in words, and whether it is fair.

    Each side is a photo or its stored `PhotoQuality`. `scale` (follow-up
    size over baseline size) and `angle` (degrees) come from the alignment
    when it has run. Brightness is compared as median linear luminance (so 2.0
    is one EV), white balance as the shift of median log-chromaticity. The
    pair is comparable when no difference passes its `block` limit in
    `PAIR_LIMITS`.
    """
    base = baseline if isinstance(baseline, PhotoQuality) else photo_quality(baseline)
    follow = follow_up if isinstance(follow_up, PhotoQuality) else photo_quality(follow_up)

    ratio = (follow.luminance + 1e-4) / (base.luminance + 1e-4)
    d_rg = follow.chroma[0] - base.chroma[0]
    d_bg = follow.chroma[1] - base.chroma[1]
    sharp_ratio = (follow.sharpness + 1e-3) / (base.sharpness + 1e-3)
    differences = (
        _brightness(ratio),
        _white_balance(d_rg, d_bg),
        _scale(scale),
        _angle(angle),
        _sharpness_difference(sharp_ratio),
    )
    return Comparability(
        comparable=all(d.level != "block" for d in differences),
        brightness_ratio=ratio,
        white_balance_shift=math.hypot(d_rg, d_bg),
        scale=scale,
        angle=angle,
        sharpness_ratio=sharp_ratio,
        differences=differences,
    )
