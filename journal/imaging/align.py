"""Register a follow-up photo onto its baseline, and match its colours.

Before/after photos are taken by hand, weeks apart: the phone is a little
closer, the head a little turned, the room a little warmer. A comparison that
ignores this measures the photographer, not the skin. This module does the two
corrections that can be done after the fact:

* `align(baseline, follow_up)` finds the transform that lays the follow-up on
  the baseline: ORB features on a working-size grey copy (contrast-equalised
  with CLAHE so that a darker or warmer photo finds the same details), brute
  force Hamming matching with Lowe's ratio test, then a RANSAC fit of a
  similarity (rotation, uniform scale, shift: `cv2.estimateAffinePartial2D`)
  and of a homography (`cv2.findHomography` with MAGSAC++, for a phone tilted
  towards the skin). The homography is kept only when it explains clearly more matches
  than the similarity and is not degenerate. The result is an `Alignment`
  (never an exception): the 3x3 matrix in full-resolution pixels, its scale,
  rotation and shift in words a person reads, and the fit quality (inliers,
  reprojection error) that decides `ok`.
* `warp(follow_up, alignment, size)` produces the aligned follow-up.
* `normalise_colour(reference, image, mask=None)` scales each colour channel
  of `image` so that its mean matches the reference's (grey-world, relative
  to the baseline), optionally over a skin mask; it corrects an overall
  exposure and white-balance difference, nothing subtler (no colour card).

The thresholds and their reasons are in docs/photo-measures.md (Alignment).
OpenCV and numpy are imported here only: `journal.imaging` does not import
this module, so start-up of the CLI and the TUI does not pay for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from PIL import Image

    Picture = Image.Image | np.ndarray

#: Longest edge of the grey copy the features are found on. 1024 px keeps
#: pores and small marks of a 2048-px display photo while halving the work.
WORK_EDGE = 800
#: ORB keypoints per photo: enough for a low-texture skin close-up to keep a
#: few hundred after the ratio test, few enough for the 300 ms budget.
FEATURES = 1500
#: Lowe's ratio test: a match is kept only when its best descriptor distance
#: is clearly smaller than the second best (0.8 is the common choice with
#: SIFT; stricter here because ORB's binary descriptors are less distinctive).
RATIO = 0.75
#: RANSAC inlier threshold, in working-size pixels.
RANSAC_PX = 3.0
#: `ok` needs at least this many inlier matches ...
MIN_INLIERS = 20
#: ... this share of the ratio-tested matches agreeing with the fit ...
MIN_INLIER_RATIO = 0.25
#: ... an RMS reprojection error of the inliers at most this share of the
#: baseline's width ...
MAX_ERROR_SHARE = 0.005
#: ... and a plausible change of framing: a hand-held re-take is never more
#: than twice as close or as far, nor turned more than 45 degrees.
SCALE_RANGE = (0.5, 2.0)
MAX_ROTATION_DEG = 45.0
#: A homography replaces the similarity only when it gathers this many times
#: more inliers (a tilt the similarity cannot follow), so that noise never
#: buys a needless perspective term.
HOMOGRAPHY_GAIN = 1.15


@dataclass(frozen=True)
class Alignment:
    """How a follow-up photo lies on its baseline, and how sure that is.

    `matrix` maps follow-up pixel coordinates (x, y, 1) to baseline pixel
    coordinates, both at full resolution; `model` is "similarity",
    "homography" or "none" (alignment failed: identity matrix). `scale` is
    the matrix's pixel scale; `framing_scale` > 1 means the skin looks
    smaller in the follow-up (taken from further away), so it is enlarged to
    match; `rotation_deg` is counter-clockwise as seen on screen (y down);
    `shift` is where the follow-up's top-left corner lands, in baseline
    pixels. `reprojection_error` is the RMS distance, in baseline pixels,
    between where the inlier matches land and where they should.
    """

    ok: bool
    model: str
    matrix: tuple[tuple[float, float, float], ...]
    scale: float
    rotation_deg: float
    shift: tuple[float, float]
    matches: int
    inliers: int
    inlier_ratio: float
    reprojection_error: float
    baseline_size: tuple[int, int]
    follow_up_size: tuple[int, int]
    problem: str | None = None

    @property
    def framing_scale(self) -> float:
        """`scale` with the photos' pixel sizes taken out: how much closer or further.

        A follow-up kept at half the baseline's resolution needs a 2x pixel
        scale yet was framed the same: its framing scale is 1.0.
        """
        return self.scale * self.follow_up_size[0] / max(1, self.baseline_size[0])

    @property
    def error_share(self) -> float:
        """Reprojection error as a share of the baseline's width (0.01 = 1%)."""
        return self.reprojection_error / max(1, self.baseline_size[0])

    def sentence(self) -> str:
        """One plain sentence for people: what was corrected, or why not."""
        if not self.ok:
            return f"Not aligned: {self.problem}."
        parts = []
        if abs(self.rotation_deg) >= 1:
            direction = "anticlockwise" if self.rotation_deg > 0 else "clockwise"
            parts.append(f"turned {abs(self.rotation_deg):.0f}° {direction}")
        if abs(self.framing_scale - 1) >= 0.02:
            grown = "enlarged" if self.framing_scale > 1 else "reduced"
            parts.append(f"{grown} {abs(self.framing_scale - 1) * 100:.0f}%")
        moved = self._centre_shift() / max(1, self.baseline_size[0])
        if moved >= 0.01:
            parts.append(f"moved {moved * 100:.0f}% of the width")
        if self.model == "homography":
            parts.append("straightened for a tilted camera")
        done = ", ".join(parts) if parts else "already in place"
        return (
            f"Aligned to the baseline ({done}); {self.inliers} matching details agree "
            f"within {self.error_share * 100:.1f}% of the width."
        )

    def _centre_shift(self) -> float:
        """How far, in baseline pixels, the follow-up's centre lands from the baseline's."""
        m = self.matrix
        x, y = self.follow_up_size[0] / 2, self.follow_up_size[1] / 2
        w = m[2][0] * x + m[2][1] * y + m[2][2]
        landed_x = (m[0][0] * x + m[0][1] * y + m[0][2]) / w
        landed_y = (m[1][0] * x + m[1][1] * y + m[1][2]) / w
        return math.hypot(
            landed_x - self.baseline_size[0] / 2, landed_y - self.baseline_size[1] / 2
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types for `--json` and for storing the transform."""
        return {
            "ok": self.ok,
            "model": self.model,
            "matrix": [list(row) for row in self.matrix],
            "scale": round(self.scale, 4),
            "framing_scale": round(self.framing_scale, 4),
            "rotation_deg": round(self.rotation_deg, 3),
            "shift": [round(self.shift[0], 2), round(self.shift[1], 2)],
            "matches": self.matches,
            "inliers": self.inliers,
            "inlier_ratio": round(self.inlier_ratio, 4),
            "reprojection_error": round(self.reprojection_error, 3),
            "error_share": round(self.error_share, 5),
            "baseline_size": list(self.baseline_size),
            "follow_up_size": list(self.follow_up_size),
            "problem": self.problem,
            "sentence": self.sentence(),
        }


def align(baseline: Picture, follow_up: Picture) -> Alignment:
    """Find the transform laying `follow_up` onto `baseline` (PIL images or arrays).

    Never raises for photos that merely do not match: the result then has
    `ok=False`, `model="none"` and a `problem` in words.
    """
    base = _rgb(baseline)
    follow = _rgb(follow_up)
    base_size = (base.shape[1], base.shape[0])
    follow_size = (follow.shape[1], follow.shape[0])
    base_grey, base_factor = _working_grey(base)
    follow_grey, follow_factor = _working_grey(follow)

    def failed(problem: str, matches: int = 0, inliers: int = 0) -> Alignment:
        return _failure(base_size, follow_size, problem, matches, inliers)

    orb = cv2.ORB.create(nfeatures=FEATURES, fastThreshold=10)
    base_points, base_desc = orb.detectAndCompute(base_grey, None)
    follow_points, follow_desc = orb.detectAndCompute(follow_grey, None)
    if base_desc is None or follow_desc is None or min(len(base_desc), len(follow_desc)) < 2:
        return failed("too little detail to match (blurred, overexposed or blank)")

    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(follow_desc, base_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return failed(
            f"only {len(good)} details match; the photos may show different areas",
            matches=len(good),
        )
    src = np.array([follow_points[m.queryIdx].pt for m in good], dtype=np.float32)
    dst = np.array([base_points[m.trainIdx].pt for m in good], dtype=np.float32)

    similarity, sim_mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=2000
    )
    homography, hom_mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, RANSAC_PX)
    candidates = []
    if similarity is not None:
        candidates.append(("similarity", np.vstack([similarity, [0, 0, 1]]), sim_mask))
    if homography is not None and _sane_homography(homography, follow_grey.shape):
        candidates.append(("homography", homography, hom_mask))
    if not candidates:
        return failed("no consistent transform between the photos", matches=len(good))
    model, work_matrix, mask = candidates[0]
    if len(candidates) == 2:
        sim_count = int(candidates[0][2].sum())
        hom_count = int(candidates[1][2].sum())
        if hom_count >= HOMOGRAPHY_GAIN * sim_count or candidates[0][0] != "similarity":
            model, work_matrix, mask = candidates[1]

    inlier = mask.ravel().astype(bool)
    inliers = int(inlier.sum())
    # Express the working-size transform in full-resolution pixels:
    # full_base = S_b^-1 @ M @ S_f @ full_follow.
    to_full = np.diag([1 / base_factor, 1 / base_factor, 1.0])
    from_full = np.diag([follow_factor, follow_factor, 1.0])
    matrix = to_full @ work_matrix @ from_full
    matrix = matrix / matrix[2, 2]
    projected = cv2.perspectiveTransform(src[inlier].reshape(-1, 1, 2), work_matrix)
    residual = projected.reshape(-1, 2) - dst[inlier]
    error = float(np.sqrt(np.mean(np.sum(residual**2, axis=1)))) / base_factor if inliers else 0.0

    scale, rotation = _scale_rotation(matrix)
    framing = scale * follow_size[0] / base_size[0]
    ratio = inliers / len(good)
    problem = None
    if inliers < MIN_INLIERS:
        problem = f"only {inliers} matching details agree; the photos may show different areas"
    elif ratio < MIN_INLIER_RATIO:
        problem = f"only {ratio:.0%} of matching details agree; the photos may show different areas"
    elif error > MAX_ERROR_SHARE * base_size[0]:
        problem = "the matching details do not agree closely enough (skin moved or changed shape)"
    elif not SCALE_RANGE[0] <= framing <= SCALE_RANGE[1] or abs(rotation) > MAX_ROTATION_DEG:
        problem = (
            f"the fit would need a {framing:.1f}x zoom and a {rotation:.0f}° turn, "
            "more than a re-take differs"
        )
    return Alignment(
        ok=problem is None,
        model=model,
        matrix=_rows(matrix),
        scale=scale,
        rotation_deg=rotation,
        shift=(float(matrix[0, 2]), float(matrix[1, 2])),
        matches=len(good),
        inliers=inliers,
        inlier_ratio=ratio,
        reprojection_error=error,
        baseline_size=base_size,
        follow_up_size=follow_size,
        problem=problem,
    )


def warp(follow_up: Picture, alignment: Alignment, size: tuple[int, int]) -> Picture:
    """The follow-up resampled onto the baseline's frame of `size` (width, height).

    Returns the same kind it was given (PIL image or array). Pixels the
    follow-up does not cover are black; `overlap_mask` tells which ones are
    real. A failed alignment warps with the identity, i.e. a plain crop/pad.
    """
    pixels = _rgb(follow_up) if not _is_array(follow_up) else np.asarray(follow_up)
    matrix = np.array(alignment.matrix, dtype=np.float64)
    out = cv2.warpPerspective(
        pixels, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )
    if _is_array(follow_up):
        return out
    from PIL import Image

    return Image.fromarray(out)


def overlap_mask(alignment: Alignment, size: tuple[int, int]) -> np.ndarray:
    """Boolean (height, width) mask of the baseline pixels the warped follow-up covers.

    Measures must compare only these: a black border is not skin.
    """
    width, height = alignment.follow_up_size
    ones = np.full((height, width), 255, dtype=np.uint8)
    matrix = np.array(alignment.matrix, dtype=np.float64)
    covered = cv2.warpPerspective(ones, matrix, size, flags=cv2.INTER_NEAREST)
    # Erode by one pixel: edge pixels are interpolated with the black border.
    covered = cv2.erode(covered, np.ones((3, 3), np.uint8))
    return covered > 0


def colour_gains(
    reference: Picture, image: Picture, mask: np.ndarray | None = None
) -> tuple[float, float, float]:
    """Per-channel (R, G, B) factors that bring `image`'s means to `reference`'s.

    Grey-world, relative: instead of assuming the scene averages to grey, it
    assumes the same skin averages to the same colour in both photos, so a
    difference of the channel means is the light's. Pixels clipped in either
    photo (any channel <= 2 or >= 253) are left out: their true value is
    unknown. `mask` (boolean, same height and width as both) restricts the
    means to skin. A gain of 1.25 on R means the image's red was 20% low.
    """
    ref = _rgb(reference)
    img = _rgb(image)
    same_frame = ref.shape == img.shape
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if not same_frame or mask.shape != ref.shape[:2]:
            raise ValueError("the mask must have the height and width of both photos")
    ref_usable = _unclipped(ref)
    img_usable = _unclipped(img)
    if same_frame:  # one set of pixels for both, so both means describe the same skin
        ref_usable = img_usable = cv2.bitwise_and(ref_usable, img_usable)
    if mask is not None:
        skin = mask.astype(np.uint8) * 255
        ref_usable = cv2.bitwise_and(ref_usable, skin)
        img_usable = cv2.bitwise_and(img_usable, skin)
    ref_means = np.array(_mean(ref, ref_usable, mask))
    img_means = np.array(_mean(img, img_usable, mask))
    gains = np.clip(ref_means / np.maximum(img_means, 1.0), 0.25, 4.0)
    return (float(gains[0]), float(gains[1]), float(gains[2]))


def normalise_colour(reference: Picture, image: Picture, mask: np.ndarray | None = None) -> Picture:
    """`image` with each channel scaled so its mean matches `reference`'s.

    This removes an overall exposure and white-balance difference (a warmer
    bulb, a brighter room) before redness and evenness are compared; it
    cannot undo clipped highlights, mixed light, shadows that moved, or a
    different camera's colour rendering. No colour card is detected. Returns
    the same kind it was given (PIL image or uint8 RGB array).
    """
    gains = np.array(colour_gains(reference, image, mask))
    levels = np.arange(256, dtype=np.float64)[:, None] * gains[None, :]
    table = np.clip(levels + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    out = cv2.LUT(_rgb(image), table)
    if _is_array(image):
        return out
    from PIL import Image

    return Image.fromarray(out)


def _is_array(picture: Picture) -> bool:
    return isinstance(picture, np.ndarray)


def _rgb(picture: Picture) -> np.ndarray:
    """A uint8 RGB array (height, width, 3) from a PIL image or an array."""
    if isinstance(picture, np.ndarray):
        array = picture
        if array.ndim == 2:
            array = np.repeat(array[:, :, None], 3, axis=2)
        elif array.ndim != 3 or array.shape[2] not in (3, 4):
            raise ValueError(f"expected an RGB picture, got an array of shape {array.shape}")
        if array.dtype != np.uint8:
            raise ValueError(f"expected 8-bit pixels, got {array.dtype}")
        return np.ascontiguousarray(array[:, :, :3])
    return np.asarray(picture.convert("RGB"))


def _working_grey(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """Grey copy at most WORK_EDGE long, contrast-equalised; and its scale factor."""
    height, width = rgb.shape[:2]
    factor = min(1.0, WORK_EDGE / max(height, width))
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        factor = size[0] / width
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # CLAHE evens out exposure and low contrast so both photos yield features
    # at the same places; the tile grid keeps it local to skin-sized regions.
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(grey), factor


def _sane_homography(matrix: np.ndarray, shape: tuple[int, ...]) -> bool:
    """A homography a hand-held re-take can produce: corners stay a convex, unflipped quad."""
    height, width = shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    corners = corners.reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, matrix).reshape(-1, 2)
    if not np.all(np.isfinite(quad)):
        return False
    if not cv2.isContourConvex(quad.astype(np.float32)):
        return False
    area = cv2.contourArea(quad.astype(np.float32), oriented=True)
    # Same orientation as the input corners (positive area in OpenCV's y-down frame)
    return bool(0.2 * width * height < area < 5.0 * width * height)


def _scale_rotation(matrix: np.ndarray) -> tuple[float, float]:
    """Uniform scale and rotation (degrees, anticlockwise on screen) of the linear part."""
    a, b = float(matrix[0, 0]), float(matrix[1, 0])
    c, d = float(matrix[0, 1]), float(matrix[1, 1])
    scale = math.sqrt(abs(a * d - b * c))
    # y points down in images, so an anticlockwise turn on screen has b < 0.
    rotation = math.degrees(math.atan2(-(b - c) / 2, (a + d) / 2))
    return scale, rotation


def _rows(matrix: np.ndarray) -> tuple[tuple[float, float, float], ...]:
    return tuple(
        (float(row[0]), float(row[1]), float(row[2])) for row in np.asarray(matrix, dtype=float)
    )


def _failure(
    base_size: tuple[int, int],
    follow_size: tuple[int, int],
    problem: str,
    matches: int,
    inliers: int,
) -> Alignment:
    return Alignment(
        ok=False,
        model="none",
        matrix=((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
        scale=1.0,
        rotation_deg=0.0,
        shift=(0.0, 0.0),
        matches=matches,
        inliers=inliers,
        inlier_ratio=0.0,
        reprojection_error=0.0,
        baseline_size=base_size,
        follow_up_size=follow_size,
        problem=problem,
    )


def _unclipped(rgb: np.ndarray) -> np.ndarray:
    """uint8 mask (255 = usable) of pixels with no channel at either end of the range."""
    return cv2.inRange(rgb, (3, 3, 3), (252, 252, 252))


def _mean(rgb: np.ndarray, usable: np.ndarray, mask: np.ndarray | None) -> tuple[float, ...]:
    """Channel means over `usable`; if almost nothing is usable, over the mask or all."""
    if cv2.countNonZero(usable) >= 64:
        return tuple(cv2.mean(rgb, mask=usable)[:3])
    if mask is not None:
        return tuple(cv2.mean(rgb, mask=mask.astype(np.uint8) * 255)[:3])
    return tuple(cv2.mean(rgb)[:3])
