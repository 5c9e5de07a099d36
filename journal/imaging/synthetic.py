"""Synthetic skin photos for the demo journal, the tests and the benchmark.

Real patient photos can never ship with the project, yet the demo should look
like a journal, compare views need a visible change, and the benchmark needs
photo-like JPEGs (a flat colour compresses to nothing and decodes in no time).
So this paints a plausible close-up: a skin-tone gradient, mottling, pore
texture, and scar marks (darker atrophic dents, reddish marks, small
ice-pick dots).

Every random choice comes from `random.Random(seed)` (Pillow's own noise
effect is not seedable), and mark positions are fractions of the frame: the
same seed gives the same face at any size, and a lower `severity` draws a
subset of the same marks, so a series reads as the same skin healing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

MAX_MARKS = 48


@dataclass(frozen=True)
class Mark:
    """One scar mark; position and radius are fractions of the frame."""

    x: float
    y: float
    radius: float
    kind: str  # atrophic | red | icepick
    strength: float
    lobes: tuple[tuple[float, float, float], ...]  # irregular outline: (dx, dy, size)


_SKIN_TONES = (  # roughly Fitzpatrick I-VI, mid-tone of the gradient
    (238, 198, 172),
    (226, 178, 146),
    (204, 148, 112),
    (172, 116, 84),
    (128, 84, 58),
    (88, 58, 42),
)


def write_skin_photo(
    path: str | os.PathLike[str],
    *,
    seed: int,
    severity: int,
    taken_at: dt.datetime,
    size: tuple[int, int] = (1600, 1200),
    area_label: str | None = None,
    quality: int = 90,
) -> None:
    """Write a JPEG close-up of skin with `severity` (0-10) worth of scar marks.

    `taken_at` becomes EXIF DateTimeOriginal; an aware datetime also writes
    OffsetTimeOriginal, a naive one is local camera time (as most cameras do).
    """
    from PIL import Image

    skin = paint_skin(seed=seed, severity=severity, size=size)
    if area_label:
        _label(skin, area_label)

    exif = Image.Exif()
    exif[0x010F] = "microneedling-journal"  # Make
    exif[0x0110] = "synthetic skin"  # Model
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    offset = taken_at.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        exif_ifd[0x9011] = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    skin.save(os.fspath(path), "JPEG", quality=quality, exif=exif)


def paint_skin(
    *,
    seed: int,
    severity: int,
    size: tuple[int, int] = (1600, 1200),
    redness: float = 1.0,
    texture: float = 1.0,
    mark_count: int | None = None,
) -> Image.Image:
    """Paint the skin of `write_skin_photo` in memory, with knobs for ground truth.

    The measures' validation needs photos whose truth is known: `redness`
    scales every red overlay (mottling and marks; 0.8 is "20% less redness"),
    `texture` scales the fine grain and pores, and `mark_count` draws that
    many of the seed's marks instead of the severity's share. The defaults
    paint exactly what `write_skin_photo` always painted.
    """
    if not 0 <= severity <= 10:
        raise ValueError(f"severity must be 0-10, got {severity}")
    if mark_count is not None and not 0 <= mark_count <= MAX_MARKS:
        raise ValueError(f"mark_count must be 0-{MAX_MARKS}, got {mark_count}")
    rng = random.Random(seed)
    tone = _SKIN_TONES[rng.randrange(len(_SKIN_TONES))]
    angle = rng.uniform(0, 360)
    marks = _marks(seed)
    count = round(MAX_MARKS * severity / 10) if mark_count is None else mark_count

    skin = _gradient(size, tone, angle)
    skin = _mottle(skin, rng, redness)
    skin = _pores(skin, rng, texture)
    return _draw_marks(skin, marks[:count], severity, redness)


def _gradient(size: tuple[int, int], tone: tuple[int, int, int], angle: float) -> Image.Image:
    """Skin tone lit from one side: lighter towards the light, darker away."""
    from PIL import Image, ImageOps

    ramp = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR)
    ramp = ramp.crop((48, 48, 208, 208)).resize(size, Image.Resampling.BILINEAR)
    dark = tuple(max(0, int(c * 0.78)) for c in tone)
    light = tuple(min(255, int(c * 1.12) + 6) for c in tone)
    return ImageOps.colorize(ramp, dark, light, mid=tone)


def _noise(size: tuple[int, int], rng: random.Random) -> Image.Image:
    from PIL import Image

    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _mottle(skin: Image.Image, rng: random.Random, redness: float = 1.0) -> Image.Image:
    """Low-frequency blotches, a little redder than the surrounding skin."""
    from PIL import Image, ImageChops, ImageFilter

    width, height = skin.size
    small = (max(2, width // 48), max(2, height // 48))
    blotch = _noise(small, rng).filter(ImageFilter.GaussianBlur(1.2))
    blotch = blotch.resize(skin.size, Image.Resampling.BICUBIC)
    shade = blotch.point(lambda v: 128 + (v - 128) * 0.35)
    skin = ImageChops.overlay(skin, Image.merge("RGB", (shade, shade, shade)))
    red = Image.new("RGB", skin.size, (196, 92, 84))
    mask = blotch.point(lambda v: max(0, v - 140) * 0.45 * redness)
    return Image.composite(red, skin, mask)


def _pores(skin: Image.Image, rng: random.Random, texture: float = 1.0) -> Image.Image:
    """Fine grain plus sparse darker pores, at full resolution (what JPEG finds hard)."""
    from PIL import Image, ImageChops, ImageFilter

    grain = _noise(skin.size, rng)
    fine = grain.filter(ImageFilter.GaussianBlur(0.7))
    fine = fine.point(lambda v: 128 + (v - 128) * 0.75 * texture)
    pore = round(128 - 32 * texture)
    pores = grain.point(lambda v: pore if v > 250 else 128).filter(ImageFilter.GaussianBlur(1.0))
    layer = ImageChops.multiply(fine, pores).point(lambda v: min(255, v * 2))
    return ImageChops.overlay(skin, Image.merge("RGB", (layer, layer, layer)))


def _marks(seed: int) -> list[Mark]:
    """The seed's marks, frame-relative, in the order they fade away."""
    rng = random.Random(seed * 7919 + 17)
    sizes = {"atrophic": (0.010, 0.022), "red": (0.014, 0.030), "icepick": (0.003, 0.006)}
    marks = []
    for _ in range(MAX_MARKS):
        kind = rng.choices(("atrophic", "red", "icepick"), weights=(5, 3, 2))[0]
        low, high = sizes[kind]
        lobes = tuple(
            (rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.5, 0.9))
            for _ in range(rng.randint(1, 3))
        )
        marks.append(
            Mark(
                x=rng.uniform(0.08, 0.92),
                y=rng.uniform(0.08, 0.92),
                radius=rng.uniform(low, high),
                kind=kind,
                strength=rng.uniform(0.55, 1.0),
                lobes=lobes,
            )
        )
    return marks


def _draw_marks(
    skin: Image.Image, marks: list[Mark], severity: int, redness: float = 1.0
) -> Image.Image:
    """Paint marks through two blurred masks: one darkens, one reddens."""
    from PIL import Image, ImageDraw, ImageFilter

    if not marks:
        return skin
    width, height = skin.size
    scale = min(width, height)
    dark_mask = Image.new("L", skin.size, 0)
    red_mask = Image.new("L", skin.size, 0)
    dark_draw, red_draw = ImageDraw.Draw(dark_mask), ImageDraw.Draw(red_mask)
    depth = 0.6 + 0.04 * severity  # remaining marks also fade as the skin heals
    for mark in marks:
        cx, cy = mark.x * width, mark.y * height
        radius = max(1.5, mark.radius * scale)
        level = int(255 * mark.strength * depth)
        if mark.kind == "red":
            red_draw.ellipse(_box(cx, cy, radius * 1.2, radius), fill=int(level * 0.7 * redness))
        elif mark.kind == "icepick":
            dark_draw.ellipse(_box(cx, cy, radius, radius), fill=level)
        else:
            dark_draw.ellipse(_box(cx, cy, radius, radius * 0.8), fill=int(level * 0.75))
            halo = int(level * 0.35 * redness)
            red_draw.ellipse(_box(cx, cy, radius * 1.5, radius * 1.3), fill=halo)
        for dx, dy, part in mark.lobes if mark.kind != "icepick" else ():
            lobe = (cx + dx * radius * 1.4, cy + dy * radius * 1.4, radius * part, radius * part)
            draw = red_draw if mark.kind == "red" else dark_draw
            tint = redness if mark.kind == "red" else 1.0
            draw.ellipse(_box(*lobe), fill=int(level * 0.6 * tint))
    blur = max(1.0, scale / 500)
    dark_mask = dark_mask.filter(ImageFilter.GaussianBlur(blur))
    red_mask = red_mask.filter(ImageFilter.GaussianBlur(blur * 2))
    tone = skin.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(tone, tuple)
    scar = Image.new("RGB", skin.size, tuple(int(c * 0.55) for c in tone[:3]))
    red_tone = Image.new("RGB", skin.size, (178, 64, 60))
    skin = Image.composite(red_tone, skin, red_mask)
    return Image.composite(scar, skin, dark_mask)


def _box(cx: float, cy: float, rx: float, ry: float) -> tuple[float, float, float, float]:
    return (cx - rx, cy - ry, cx + rx, cy + ry)


def _label(skin: Image.Image, text: str) -> None:
    """The area name in a corner, as clinics annotate their photos."""
    from PIL import ImageDraw, ImageFont

    size = max(12, skin.size[1] // 28)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.load_default(size=size)
    except (AttributeError, OSError):  # pragma: no cover - Pillow without FreeType
        font = ImageFont.load_default()
    draw = ImageDraw.Draw(skin)
    margin = size // 2
    draw.text(
        (margin, margin),
        text,
        fill=(250, 250, 250),
        font=font,
        stroke_width=2,
        stroke_fill=(0, 0, 0),
    )
