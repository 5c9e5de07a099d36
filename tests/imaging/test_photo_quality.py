"""Photo quality and pair comparability on generated skin photos under known faults.

Every fault is applied to a real JPEG painted by journal/imaging/synthetic.py
and decoded by Pillow: blur with Pillow's Gaussian filter, exposure and white
balance as gains on linear light (what a camera's exposure and white balance
do), JPEG re-compression through Pillow's encoder.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from journal.imaging.quality import (
    CAVEAT,
    GOOD,
    PAIR_LIMITS,
    POOR,
    UNKNOWN,
    PhotoQuality,
    pair_comparability,
    photo_quality,
)
from journal.imaging.synthetic import _SKIN_TONES, write_skin_photo

SIZE = (768, 576)
# One seed per skin tone of the generator (tone index -> seed).
TONE_SEEDS = {0: 2, 1: 1, 2: 7, 3: 0, 4: 5, 5: 19}


def _paint(tmp_path_factory: pytest.TempPathFactory, seed: int) -> Image.Image:
    path = tmp_path_factory.mktemp("skin") / f"{seed}.jpg"
    write_skin_photo(path, seed=seed, severity=5, taken_at=dt.datetime(2024, 3, 1), size=SIZE)
    with Image.open(path) as image:
        return image.convert("RGB")


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Image.Image]:
    return {tone: _paint(tmp_path_factory, seed) for tone, seed in TONE_SEEDS.items()}


def _linear(image: Image.Image) -> np.ndarray:
    c = np.asarray(image, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _encode(linear: np.ndarray) -> Image.Image:
    c = np.clip(linear, 0.0, 1.0)
    s = np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)
    return Image.fromarray((s * 255.0 + 0.5).astype(np.uint8))


def gains(image: Image.Image, red: float, green: float, blue: float) -> Image.Image:
    """Multiply linear light per channel: exposure (equal gains) or white balance."""
    return _encode(_linear(image) * np.array([red, green, blue]))


def ev(image: Image.Image, stops: float) -> Image.Image:
    return gains(image, 2.0**stops, 2.0**stops, 2.0**stops)


def rejpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


WARM = (1.25, 1.0, 0.7)  # a warm bulb on a daylight white balance
COOL = (0.8, 1.0, 1.3)  # shade or a cool LED


# ---------------------------------------------------------------- one photo


@pytest.mark.parametrize("tone", sorted(TONE_SEEDS))
def test_a_clean_photo_of_every_skin_tone_has_no_warning(photos, tone):
    quality = photo_quality(photos[tone])
    assert quality.warnings == (), (_SKIN_TONES[tone], quality.to_dict())
    assert quality.ok
    assert {c.name: c.verdict for c in quality.checks} == {
        "sharpness": GOOD,
        "exposure": GOOD,
        "colour": GOOD,
        "skin": GOOD,
    }


@pytest.mark.parametrize("tone", [0, 3, 5])
def test_blur_is_named(photos, tone):
    quality = photo_quality(photos[tone].filter(ImageFilter.GaussianBlur(2)))
    assert quality.verdict("sharpness") == POOR
    assert quality.warnings == ("blurry: hold the phone still or tap the skin to focus",)


def test_one_stop_over_on_pale_skin_is_named_too_bright(photos):
    quality = photo_quality(ev(photos[0], +1))
    assert quality.verdict("exposure") == POOR
    assert quality.warnings[0].startswith("too bright:")


def test_underexposure_is_named_too_dark(photos):
    # One photo alone cannot tell darker skin from a darker room: one stop
    # under reads as a darker tone (the pair check catches it); two stops
    # under the darkest tone is too dark whatever the skin.
    quality = photo_quality(ev(photos[5], -2))
    assert quality.verdict("exposure") == POOR
    assert quality.warnings[0].startswith("too dark:")
    assert photo_quality(ev(photos[3], -1)).verdict("exposure") == GOOD


def test_a_warm_bulb_on_brown_skin_is_named_an_orange_cast(photos):
    quality = photo_quality(gains(photos[4], *WARM))
    assert quality.verdict("colour") == POOR
    assert quality.cast_colour == "orange"
    assert "strong orange cast: take the photo in daylight" in quality.warnings[0]


def test_cool_light_on_pale_skin_is_named_a_blue_cast(photos):
    quality = photo_quality(gains(photos[0], *COOL))
    assert quality.cast_colour == "blue"
    assert quality.warnings == (
        "strong blue cast: take the photo in daylight rather than in shade or under cool LEDs",
    )


def test_a_small_patch_of_skin_in_a_room_is_named(photos):
    room = Image.new("RGB", SIZE, (92, 104, 120))  # a blue-grey wall
    patch = photos[2].resize((SIZE[0] // 3, SIZE[1] // 3))
    room.paste(patch, (SIZE[0] // 3, SIZE[1] // 3))
    quality = photo_quality(room)
    assert quality.skin_fraction < 0.2
    assert quality.verdict("skin") == POOR
    assert (
        "little skin in the frame: move closer so the skin fills most of the photo"
        in quality.warnings
    )


def test_a_flat_grey_frame_is_not_skin_and_has_no_cast():
    quality = photo_quality(Image.new("RGB", SIZE, (128, 128, 128)))
    assert quality.skin_fraction == 0.0
    assert quality.verdict("colour") == UNKNOWN  # nothing to judge a cast against
    assert quality.cast is None
    assert quality.sharpness == 0.0
    assert any(w.startswith("little skin") for w in quality.warnings)
    assert not any("cast" in w for w in quality.warnings)


def test_a_blue_sky_gradient_is_not_skin():
    top = np.array([70, 120, 210], np.float64)
    bottom = np.array([170, 205, 240], np.float64)
    ramp = np.linspace(0.0, 1.0, SIZE[1])[:, None, None]
    sky = (top + (bottom - top) * ramp) * np.ones((1, SIZE[0], 1))
    quality = photo_quality(sky.astype(np.uint8))
    assert quality.skin_fraction < 0.01
    assert any(w.startswith("little skin") for w in quality.warnings)


def test_resolution_does_not_change_the_reading(photos, tmp_path):
    # The same skin painted at 2048 px reads as sharp as at the analysis size.
    path = tmp_path / "big.jpg"
    write_skin_photo(path, seed=7, severity=5, taken_at=dt.datetime(2024, 3, 1), size=(2048, 1536))
    with Image.open(path) as big:
        quality = photo_quality(big)
    assert quality.ok
    assert quality.brightness == pytest.approx(photo_quality(photos[2]).brightness, abs=0.02)


def test_inputs_pil_modes_and_numpy_arrays_read_alike(photos):
    image = photos[3]
    reference = photo_quality(image)
    array = np.asarray(image)
    assert photo_quality(array) == reference
    assert photo_quality(image.convert("RGBA")) == reference
    floats = photo_quality(array.astype(np.float32) / 255.0)
    assert floats.brightness == pytest.approx(reference.brightness, abs=0.002)
    grey = photo_quality(image.convert("L"))
    assert grey.skin_fraction == 0.0  # grey has no skin colour
    with pytest.raises(ValueError, match="at least 8x8"):
        photo_quality(np.zeros((4, 4, 3), np.uint8))


def test_to_dict_is_plain_json(photos):
    data = photo_quality(gains(photos[4], *WARM)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["ok"] is False
    assert data["checks"]["colour"] == "poor"
    assert data["cast_colour"] == "orange"
    assert set(data) >= {"sharpness", "brightness", "skin_fraction", "warnings", "checks"}


# ---------------------------------------------------------------- pairs


def test_the_same_photo_is_comparable_with_itself(photos):
    comparison = pair_comparability(photos[2], photos[2])
    assert comparison.comparable
    assert comparison.warnings == ()
    assert comparison.brightness_ratio == pytest.approx(1.0)


@pytest.mark.parametrize("tone", sorted(TONE_SEEDS))
def test_jpeg_recompression_is_comparable(photos, tone):
    comparison = pair_comparability(photos[tone], rejpeg(photos[tone], 70))
    assert comparison.comparable, comparison.to_dict()
    assert comparison.warnings == ()


@pytest.mark.parametrize("tone", sorted(TONE_SEEDS))
def test_one_stop_brighter_is_not_comparable_and_says_so(photos, tone):
    comparison = pair_comparability(photos[tone], ev(photos[tone], +1))
    assert not comparison.comparable
    assert comparison.brightness_ratio > 1.5
    brightness = comparison.warnings[0]
    assert "% brighter: differences may be lighting" in brightness
    assert brightness.startswith("the follow-up is about ")


def test_one_stop_darker_is_named_about_half(photos):
    comparison = pair_comparability(photos[3], ev(photos[3], -1))
    assert not comparison.comparable
    assert comparison.brightness_ratio == pytest.approx(0.5, abs=0.03)
    assert comparison.warnings[0] == (
        "the follow-up is about 50% darker: differences may be lighting"
    )


def test_forty_percent_brighter_reads_as_forty_percent(photos):
    comparison = pair_comparability(photos[4], gains(photos[4], 1.4, 1.4, 1.4))
    assert comparison.warnings[0] == (
        "the follow-up is about 40% brighter: differences may be lighting"
    )


@pytest.mark.parametrize("tone", sorted(TONE_SEEDS))
def test_a_strong_white_balance_shift_is_not_comparable(photos, tone):
    comparison = pair_comparability(photos[tone], gains(photos[tone], *WARM))
    assert not comparison.comparable
    assert any("warmer (more orange)" in w for w in comparison.warnings)


def test_a_cool_shift_is_named_cooler(photos):
    comparison = pair_comparability(photos[1], gains(photos[1], *COOL))
    assert not comparison.comparable
    assert any("cooler (more blue)" in w for w in comparison.warnings)


def test_a_blurry_follow_up_is_not_comparable(photos):
    comparison = pair_comparability(photos[2], photos[2].filter(ImageFilter.GaussianBlur(1)))
    assert not comparison.comparable
    assert any(w.startswith("the follow-up is less sharp") for w in comparison.warnings)


def test_scale_and_angle_from_the_alignment_are_weighed(photos):
    base = photo_quality(photos[2])
    small = pair_comparability(base, base, scale=1.05, angle=-3.0)
    assert small.comparable and small.warnings == ()
    noted = pair_comparability(base, base, scale=0.88, angle=8.0)
    assert noted.comparable
    assert noted.warnings == (
        "the follow-up was taken about 14% further away (smaller): "
        "small marks and texture read differently at another distance",
        "the follow-up is turned about 8 degrees: light falls differently on turned skin",
    )
    assert not pair_comparability(base, base, scale=1.3).comparable
    assert not pair_comparability(base, base, angle=-20.0).comparable
    assert not pair_comparability(base, base, angle=340.0).comparable  # -20 degrees
    assert pair_comparability(base, base, scale=float("nan")).comparable


def test_stored_qualities_compare_like_the_photos(photos):
    follow = ev(photos[1], 0.5)
    from_images = pair_comparability(photos[1], follow)
    from_stored = pair_comparability(photo_quality(photos[1]), photo_quality(follow))
    assert from_images == from_stored


def test_comparability_to_dict_is_plain_json(photos):
    data = pair_comparability(photos[0], ev(photos[0], 1), scale=1.02, angle=1.0).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["comparable"] is False
    assert data["caveat"] == CAVEAT
    assert [d["name"] for d in data["differences"]] == [
        "brightness",
        "white_balance",
        "scale",
        "angle",
        "sharpness",
    ]
    assert data["differences"][0]["level"] == "block"


def test_limits_are_ordered():
    limits = PAIR_LIMITS
    assert 1 < limits.brightness_note < limits.brightness_block
    assert 0 < limits.white_balance_note < limits.white_balance_block
    assert 1 < limits.scale_note < limits.scale_block
    assert 0 < limits.angle_note < limits.angle_block
    assert 1 < limits.sharpness_note < limits.sharpness_block


# ---------------------------------------------------------------- properties

SMALL = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SMALL
@given(
    height=st.integers(8, 80),
    width=st.integers(8, 80),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["noise", "flat", "grey", "rgba", "float"]),
)
def test_any_image_gets_verdicts_without_raising(height, width, seed, kind):
    rng = np.random.default_rng(seed)
    if kind == "flat":
        image = np.full((height, width, 3), rng.integers(0, 256, 3), np.uint8)
    elif kind == "grey":
        image = rng.integers(0, 256, (height, width), np.uint8)
    elif kind == "rgba":
        image = rng.integers(0, 256, (height, width, 4), np.uint8)
    elif kind == "float":
        image = rng.random((height, width, 3)).astype(np.float32)
    else:
        image = rng.integers(0, 256, (height, width, 3), np.uint8)
    quality = photo_quality(image)
    assert all(c.verdict in (GOOD, POOR, UNKNOWN) for c in quality.checks)
    assert all(isinstance(w, str) and w for w in quality.warnings)
    assert 0.0 <= quality.skin_fraction <= 1.0
    assert quality.sharpness >= 0.0
    json.dumps(quality.to_dict())
    pair = pair_comparability(quality, quality)
    assert pair.comparable


@pytest.fixture(scope="module")
def patch(photos) -> Image.Image:
    return photos[random.Random(4).choice(sorted(photos))].crop((100, 80, 420, 320))


@SMALL
@given(a=st.floats(0.0, 4.0), b=st.floats(0.0, 4.0))
def test_more_blur_never_reads_sharper(patch, a, b):
    low, high = sorted((a, b))
    sharp = photo_quality(patch.filter(ImageFilter.GaussianBlur(low))).sharpness
    blurred = photo_quality(patch.filter(ImageFilter.GaussianBlur(high))).sharpness
    assert blurred <= sharp + 1e-3
    if photo_quality(patch.filter(ImageFilter.GaussianBlur(low))).verdict("sharpness") == POOR:
        assert (
            photo_quality(patch.filter(ImageFilter.GaussianBlur(high))).verdict("sharpness") == POOR
        )


@SMALL
@given(a=st.floats(-3.0, 3.0), b=st.floats(-3.0, 3.0))
def test_more_light_never_reads_darker(patch, a, b):
    low, high = sorted((a, b))
    dim, bright = photo_quality(ev(patch, low)), photo_quality(ev(patch, high))
    assert bright.brightness >= dim.brightness - 1e-9
    assert bright.luminance >= dim.luminance - 1e-9
    ratio = pair_comparability(dim, bright).brightness_ratio
    assert ratio >= 1.0 - 1e-9


def test_photo_quality_is_a_value(photos):
    # Frozen and comparable by value, so the store can keep it and tests can compare.
    quality = photo_quality(photos[1])
    assert isinstance(quality, PhotoQuality)
    with pytest.raises(AttributeError):
        quality.sharpness = 1.0  # type: ignore[misc]
