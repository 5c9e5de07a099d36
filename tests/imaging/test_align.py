"""Registration and colour matching of photo pairs (journal.imaging.align).

The geometry is checked on real photographs (public-domain and CC0 sample
photos shipped in the scikit-image wheel, see tests/imaging/photos/README.md)
re-framed by known transforms: the recovered transform must put the
follow-up's corners within 2% of the image width of where they belong, the
target of issue 14. The synthetic skin photos, which have much less texture,
are checked for what they reliably do.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from journal.imaging.align import (
    MIN_INLIERS,
    Alignment,
    align,
    colour_gains,
    normalise_colour,
    overlap_mask,
    warp,
)
from journal.imaging.synthetic import write_skin_photo

_SKIMAGE = importlib.util.find_spec("skimage")
assert _SKIMAGE is not None and _SKIMAGE.origin, "scikit-image (a dev dependency) ships the photos"
PHOTO_DIR = Path(_SKIMAGE.origin).parent / "data"
#: Textured real photographs: a portrait (skin, fabric), a cat's fur, a cup on a table.
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png")
TOLERANCE = 0.02  # of the image width, issue 14


def photo(name: str) -> np.ndarray:
    with Image.open(PHOTO_DIR / name) as image:
        return np.asarray(image.convert("RGB"))


def skin(tmp_path: Path, seed: int, severity: int = 6, size: tuple[int, int] = (512, 384)):
    path = tmp_path / f"skin-{seed}-{severity}.jpg"
    write_skin_photo(
        path, seed=seed, severity=severity, taken_at=dt.datetime(2024, 3, 1), size=size
    )
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def similarity(shape, angle: float, scale: float, dx: float, dy: float) -> np.ndarray:
    """3x3 matrix turning by `angle` degrees (anticlockwise) and zooming about the centre."""
    height, width = shape[:2]
    matrix = np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale), [0, 0, 1]])
    matrix[0, 2] += dx * width
    matrix[1, 2] += dy * height
    return matrix


def tilt(shape, amount: float) -> np.ndarray:
    """A mild perspective about the centre, as a phone tilted towards the skin."""
    height, width = shape[:2]
    centre = np.array([[1, 0, -width / 2], [0, 1, -height / 2], [0, 0, 1]], dtype=float)
    perspective = np.array([[1, 0, 0], [0, 1, 0], [amount / width, amount / (2 * height), 1]])
    return np.linalg.inv(centre) @ perspective @ centre


def retake(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The photo taken again from elsewhere: `matrix` maps baseline to follow-up pixels."""
    height, width = image.shape[:2]
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR)


def relight(image: np.ndarray, gains=(1.0, 1.0, 1.0)) -> np.ndarray:
    """Exposure and white balance changed: each channel scaled, clipped as a camera does."""
    return np.clip(image.astype(np.float32) * np.array(gains), 0, 255).astype(np.uint8)


def recompress(image: np.ndarray, quality: int = 60) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


def corner_error(alignment: Alignment, truth: np.ndarray, shape) -> float:
    """Largest distance between where the follow-up's corners land and where they belong."""
    height, width = shape[:2]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]]).reshape(-1, 1, 2)
    expected = cv2.perspectiveTransform(corners, np.linalg.inv(truth))
    found = cv2.perspectiveTransform(corners, np.array(alignment.matrix))
    return float(np.max(np.linalg.norm(expected - found, axis=2))) / width


SIMILARITIES = [
    pytest.param(10.0, 1.0, 0.04, -0.03, id="turned-10"),
    pytest.param(-10.0, 1.15, -0.05, 0.02, id="turned-minus-10-closer"),
    pytest.param(4.0, 0.85, 0.03, 0.05, id="turned-4-further"),
    pytest.param(0.0, 1.0, 0.08, 0.0, id="shifted"),
]


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize(("angle", "scale", "dx", "dy"), SIMILARITIES)
def test_a_reframed_real_photo_is_registered_within_two_percent(name, angle, scale, dx, dy):
    baseline = photo(name)
    truth = similarity(baseline.shape, angle, scale, dx, dy)
    result = align(baseline, retake(baseline, truth))
    assert result.ok, result.problem
    assert result.model == "similarity"
    assert corner_error(result, truth, baseline.shape) < TOLERANCE
    # The correction undoes the re-take: the opposite turn, the inverse zoom.
    assert result.rotation_deg == pytest.approx(-angle, abs=0.5)
    assert result.scale == pytest.approx(1 / scale, rel=0.01)
    assert result.inliers >= MIN_INLIERS


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("amount", [0.15, -0.2])
def test_a_tilted_real_photo_is_registered_with_a_homography(name, amount):
    baseline = photo(name)
    truth = similarity(baseline.shape, 3.0, 1.05, 0.02, 0.02) @ tilt(baseline.shape, amount)
    result = align(baseline, retake(baseline, truth))
    assert result.ok, result.problem
    assert result.model == "homography"
    assert corner_error(result, truth, baseline.shape) < TOLERANCE


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize(
    "gains",
    [
        pytest.param((2.0, 2.0, 2.0), id="one-EV-brighter"),
        pytest.param((0.5, 0.5, 0.5), id="one-EV-darker"),
        pytest.param((1.2, 1.0, 0.75), id="warmer-light"),
    ],
)
def test_registration_survives_light_changes_and_jpeg_recompression(name, gains):
    baseline = photo(name)
    truth = similarity(baseline.shape, -7.0, 1.1, 0.03, 0.0)
    follow_up = recompress(relight(retake(baseline, truth), gains), quality=60)
    result = align(baseline, follow_up)
    assert result.ok, result.problem
    assert corner_error(result, truth, baseline.shape) < TOLERANCE


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    angle=st.floats(-10, 10),
    scale=st.floats(0.85, 1.15),
    dx=st.floats(-0.05, 0.05),
    dy=st.floats(-0.05, 0.05),
)
def test_any_reframing_within_the_issues_range_is_recovered(angle, scale, dx, dy):
    baseline = _COFFEE
    truth = similarity(baseline.shape, angle, scale, dx, dy)
    result = align(baseline, retake(baseline, truth))
    assert result.ok, result.problem
    assert corner_error(result, truth, baseline.shape) < TOLERANCE


_COFFEE = photo("coffee.png")


@pytest.mark.parametrize(
    ("first", "second"),
    [("astronaut.png", "chelsea.png"), ("chelsea.png", "coffee.png"), ("coffee.png", "brick.png")],
)
def test_unrelated_photos_are_not_aligned(first, second):
    result = align(photo(first), photo(second))
    assert not result.ok
    assert result.problem and "different areas" in result.problem
    assert result.sentence().startswith("Not aligned: ")


def test_unrelated_skin_photos_are_not_aligned(tmp_path):
    result = align(skin(tmp_path, seed=1), skin(tmp_path, seed=9))
    assert not result.ok


def test_a_blank_photo_fails_in_words_not_with_an_exception():
    grey = np.full((300, 400, 3), 128, dtype=np.uint8)
    result = align(photo("coffee.png"), grey)
    assert not result.ok
    assert result.model == "none"
    assert result.matrix == ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    assert "too little detail" in (result.problem or "")


def test_alignment_is_json_ready_and_says_what_it_corrected():
    baseline = photo("chelsea.png")
    truth = similarity(baseline.shape, 8.0, 1.0, 0.0, 0.0)
    result = align(Image.fromarray(baseline), Image.fromarray(retake(baseline, truth)))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ok"] is True
    assert len(data["matrix"]) == 3 and all(len(row) == 3 for row in data["matrix"])
    assert data["baseline_size"] == [baseline.shape[1], baseline.shape[0]]
    assert data["inliers"] == result.inliers
    assert 0 < data["error_share"] < 0.005
    assert "turned 8° clockwise" in result.sentence()
    assert "moved" not in result.sentence()  # turned about the centre, not moved
    assert data["sentence"] == result.sentence()


def test_the_matrix_is_in_full_resolution_pixels_whatever_the_sizes():
    """A follow-up kept at a different size (another phone) maps onto the baseline's pixels."""
    baseline = cv2.resize(photo("astronaut.png"), (1200, 1200), interpolation=cv2.INTER_CUBIC)
    truth = similarity(baseline.shape, 5.0, 1.0, 0.02, 0.0)
    follow_up = retake(baseline, truth)
    small = cv2.resize(follow_up, (600, 600), interpolation=cv2.INTER_AREA)
    result = align(baseline, small)
    assert result.ok, result.problem
    assert result.follow_up_size == (600, 600)
    halve = np.diag([0.5, 0.5, 1.0])  # baseline pixels -> small follow-up pixels
    assert corner_error(result, halve @ truth, small.shape) * 600 / 1200 < TOLERANCE
    assert result.scale == pytest.approx(2.0, rel=0.01)  # pixels
    assert result.framing_scale == pytest.approx(1.0, rel=0.01)  # the same framing
    assert "enlarged" not in result.sentence()


def test_warp_lays_the_follow_up_on_the_baseline(tmp_path):
    baseline = photo("coffee.png")
    follow_up = retake(baseline, similarity(baseline.shape, 6.0, 1.1, 0.03, 0.02))
    result = align(baseline, follow_up)
    size = (baseline.shape[1], baseline.shape[0])
    aligned = warp(follow_up, result, size)
    covered = overlap_mask(result, size)
    assert isinstance(aligned, np.ndarray) and aligned.shape == baseline.shape
    assert 0.6 < covered.mean() < 1.0  # the re-take left part of the frame uncovered
    before = np.abs(follow_up.astype(int) - baseline.astype(int))[covered].mean()
    after = np.abs(aligned.astype(int) - baseline.astype(int))[covered].mean()
    assert after < 6 < before / 3
    as_pil = warp(Image.fromarray(follow_up), result, size)
    assert isinstance(as_pil, Image.Image) and as_pil.size == size


def test_the_overlap_of_a_failed_alignment_is_the_follow_ups_own_frame():
    result = align(photo("coffee.png"), np.zeros((100, 200, 3), np.uint8))
    covered = overlap_mask(result, (400, 300))
    assert covered.shape == (300, 400)
    assert covered[:98, :198].all() and not covered[101:, :].any() and not covered[:, 201:].any()


# Synthetic skin: far less texture than a photograph (a gradient, mottling, fine
# grain, a few dozen marks), yet the grain and marks give ORB a few hundred
# agreeing matches at 512 px, so re-framing within the issue's range is
# recovered as reliably as on the photographs (bench/bench_align.py: 2048 px).


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("angle", "scale", "dx", "dy"), SIMILARITIES[:3])
def test_a_reframed_skin_photo_is_registered_within_two_percent(
    tmp_path, seed, angle, scale, dx, dy
):
    baseline = skin(tmp_path, seed)
    truth = similarity(baseline.shape, angle, scale, dx, dy)
    follow_up = recompress(relight(retake(baseline, truth), (1.3, 1.15, 1.0)), quality=70)
    result = align(baseline, follow_up)
    assert result.ok, result.problem
    assert corner_error(result, truth, baseline.shape) < TOLERANCE


def test_healing_skin_still_aligns_to_its_baseline(tmp_path):
    """Marks fade between sessions: the skin around them is enough to register."""
    baseline = skin(tmp_path, seed=4, severity=9)
    truth = similarity(baseline.shape, -6.0, 0.9, 0.02, -0.02) @ tilt(baseline.shape, 0.1)
    follow_up = retake(skin(tmp_path, seed=4, severity=3), truth)
    result = align(baseline, follow_up)
    assert result.ok, result.problem
    assert corner_error(result, truth, baseline.shape) < TOLERANCE


def test_colour_normalisation_removes_exposure_and_white_balance():
    baseline = photo("coffee.png")
    follow_up = relight(baseline, (0.8, 0.7, 0.55))  # dimmer and warmer: no clipping
    gains = colour_gains(baseline, follow_up)
    assert gains == pytest.approx((1 / 0.8, 1 / 0.7, 1 / 0.55), rel=0.02)
    fixed = normalise_colour(baseline, follow_up)
    assert isinstance(fixed, np.ndarray) and fixed.dtype == np.uint8
    error = np.abs(fixed.astype(int) - baseline.astype(int))
    assert error.mean() < 2.0
    before = np.abs(follow_up.astype(int) - baseline.astype(int)).mean()
    assert before > 20


def test_clipped_highlights_do_not_bias_the_gains():
    """One EV brighter clips the highlights; the gains come from the pixels still measured."""
    baseline = photo("astronaut.png")
    follow_up = relight(baseline, (2.0, 2.0, 2.0))
    assert (follow_up == 255).any(axis=2).mean() > 0.1
    assert colour_gains(baseline, follow_up) == pytest.approx((0.5, 0.5, 0.5), rel=0.02)


def test_a_skin_mask_limits_the_means_to_skin():
    """A blue shirt that changed colour must not tint the skin."""
    baseline = np.zeros((200, 200, 3), np.uint8)
    baseline[:, :100] = (200, 150, 120)  # skin
    baseline[:, 100:] = (40, 60, 200)  # shirt
    follow_up = baseline.copy()
    follow_up[:, :100] = (180, 150, 132)  # same skin under bluer light
    follow_up[:, 100:] = (200, 60, 40)  # another shirt
    skin_mask = np.zeros((200, 200), bool)
    skin_mask[:, :100] = True
    fixed = normalise_colour(Image.fromarray(baseline), Image.fromarray(follow_up), skin_mask)
    assert isinstance(fixed, Image.Image)
    assert np.asarray(fixed)[50, 50].tolist() == pytest.approx([200, 150, 120], abs=1)
    unmasked = normalise_colour(baseline, follow_up)
    assert abs(int(unmasked[50, 50, 2]) - 120) > 20  # the shirt would have tinted the skin


def test_a_mask_of_the_wrong_size_is_refused():
    image = photo("coffee.png")
    with pytest.raises(ValueError, match="height and width"):
        colour_gains(image, image, np.ones((10, 10), bool))


def test_rotation_is_reported_in_degrees_anticlockwise():
    baseline = photo("astronaut.png")
    result = align(baseline, retake(baseline, similarity(baseline.shape, -9.0, 1.0, 0, 0)))
    assert result.rotation_deg == pytest.approx(9.0, abs=0.5)
    assert "turned 9° anticlockwise" in result.sentence()
    assert math.isclose(result.scale, 1.0, abs_tol=0.01)
