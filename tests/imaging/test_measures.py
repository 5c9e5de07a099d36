"""Skin measures earned on generated ground truth: stable when nothing changed, right when it did.

The ground truth (tests/imaging/groundtruth.py) paints skin whose redness and
marks are known, photographs it again under exposure, white balance,
rotation, scale, shift and JPEG perturbations, aligns and grey-world
normalises it, and measures both photos on the same region.
"""

from __future__ import annotations

import json

import groundtruth as gt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.imaging.measures import (
    MEASURES,
    SkinMeasures,
    measured_change,
    skin_measures,
    usable_pixels,
)


@pytest.fixture(scope="module")
def no_change():
    return gt.comparable(gt.no_change_pairs())


def changed_pairs(label: str, seeds: tuple[int, ...]):
    make, name = gt.REAL_CHANGES[label]
    rows = [
        (seed, p, *gt.measure_pair(gt.Truth(seed), make(seed), p))
        for seed in seeds
        for p in gt.PERTURBATIONS
    ]
    return name, gt.comparable(rows)


def test_every_perturbation_leaves_comparable_pairs(no_change):
    named = {p.name for _, p, _, _ in no_change}
    assert named == {p.name for p in gt.PERTURBATIONS}
    assert len(no_change) >= 0.75 * len(gt.SEEDS) * len(gt.PERTURBATIONS)


def test_no_change_stays_within_each_measures_uncertainty(no_change):
    for seed, p, before, after in no_change:
        for change in measured_change(before, after):
            assert not change.detected, (seed, p.name, change.sentence)
            assert abs(change.change) <= change.uncertainty


def test_stored_uncertainty_still_bounds_the_recomputed_movement(no_change):
    for name, info in MEASURES.items():
        worst = gt.derive_uncertainty(no_change, name)
        for _, _, before, after in no_change:
            moved, _ = gt.movement(name, before, after)
            assert moved <= info.uncertainty(before.value(name)), name
        # Not padded beyond use: the stored bound is within 2x of the worst seen.
        if info.relative_uncertainty:
            assert worst <= info.relative_uncertainty <= 2 * worst + 0.02, (name, worst)


def test_twenty_percent_less_redness_is_detected_under_every_perturbation():
    name, rows = changed_pairs("20% less redness", gt.SEEDS)
    for seed, p, before, after in rows:
        change = next(c for c in measured_change(before, after) if c.name == name)
        assert change.detected and change.change < 0 and change.improved, (seed, p.name)
        assert change.sentence.startswith("redness down")


def test_a_third_of_the_marks_gone_reads_fewer_marks():
    name, rows = changed_pairs("a third of the marks gone", gt.SEEDS)
    detected = 0
    for seed, p, before, after in rows:
        assert after.spots < before.spots, (seed, p.name)
        change = next(c for c in measured_change(before, after) if c.name == name)
        detected += change.detected
    # The count moves by up to two marks on no-change pairs; fewer marks than
    # that stay within the uncertainty in a few merged/cropped cases.
    assert detected >= 0.75 * len(rows)


def test_finer_texture_is_detected():
    name, rows = changed_pairs("finer texture", gt.SEEDS[1::2])
    for seed, p, before, after in rows:
        change = next(c for c in measured_change(before, after) if c.name == name)
        assert change.detected and change.change < 0, (seed, p.name)


def test_marks_are_counted_and_none_on_clear_skin():
    for seed in gt.SEEDS:
        counts = [
            skin_measures(gt.jpeg(gt.paint(gt.Truth(seed, marks=n)))).spots for n in (24, 16, 0)
        ]
        # Overlapping marks merge into one patch: never more than painted.
        assert 24 >= counts[0] > counts[1] > counts[2] == 0, (seed, counts)


def test_clipped_pixels_are_not_measured():
    rgb = gt.jpeg(gt.paint(gt.Truth(9)))
    blown = rgb.copy()
    blown[:, : rgb.shape[1] // 2] = 255
    assert usable_pixels(blown)[:, : rgb.shape[1] // 2].sum() == 0
    assert skin_measures(blown).measured_fraction < 0.55
    assert skin_measures(np.full_like(rgb, 255)).measured_fraction == 0.0


def test_a_mask_of_the_wrong_shape_is_refused():
    rgb = gt.jpeg(gt.paint(gt.Truth(9)))
    with pytest.raises(ValueError, match="mask"):
        skin_measures(rgb, np.ones((10, 10), dtype=bool))
    with pytest.raises(ValueError, match="RGB"):
        skin_measures(rgb[..., 0])


def test_pil_and_array_inputs_measure_the_same():
    from PIL import Image

    rgb = gt.jpeg(gt.paint(gt.Truth(5)))
    assert skin_measures(Image.fromarray(rgb)) == skin_measures(rgb)


def test_to_dict_is_json_ready():
    rgb = gt.jpeg(gt.paint(gt.Truth(5)))
    measures = skin_measures(rgb)
    data = json.loads(json.dumps(measures.to_dict()))
    assert set(data) == {*MEASURES, "measured_fraction"}
    change = measured_change(measures, measures)[0]
    assert json.loads(json.dumps(change.to_dict()))["detected"] is False


VALUES = st.floats(min_value=0.0, max_value=50.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(VALUES, VALUES, VALUES, st.integers(0, 40), VALUES, VALUES, VALUES, st.integers(0, 40))
def test_change_words_match_the_numbers(r1, p1, t1, s1, r2, p2, t2, s2):
    before = SkinMeasures(r1, p1, t1, s1, 1.0)
    after = SkinMeasures(r2, p2, t2, s2, 1.0)
    for change in measured_change(before, after):
        assert change.change == pytest.approx(change.follow_up - change.baseline, abs=1e-3)
        if not change.detected:
            assert "no clear change" in change.sentence and change.improved is None
        else:
            word = "down" if change.change < 0 else "up"
            assert f"{change.label} {word} " in change.sentence
            assert change.improved == (change.change < 0)  # every measure: lower is better
        # Swapping the photos flips the sign, never the verdict of detection at equal levels.
    assert [c.name for c in measured_change(before, after)] == list(MEASURES)
