"""Measured change in photos as a minority share of efficacy (issue 14, docs/scoring.md).

The score gets plain numbers (`records.PhotoPair`), never pixels: these
properties hold the arithmetic to what docs/scoring.md promises.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journal.core.records import CourseRecord, PhotoMeasure, PhotoPair
from journal.core.score import (
    NO_CHANGE_SCORE,
    PHOTO_AFTER_DAYS,
    PHOTO_SHARE,
    measure_score,
    score_course,
)

from .strategies import checkin, course_records, day, record, session, truncate

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("redness", "pigment_spread", "texture", "spots")
PHOTO_MISSING = "A comparable before/after photo pair would firm up efficacy"


def measure(name: str, baseline: float, follow_up: float, uncertainty: float) -> PhotoMeasure:
    return PhotoMeasure(name, name, "unit", baseline, follow_up, uncertainty)


values = st.floats(0, 40, allow_nan=False, allow_infinity=False)


@st.composite
def photo_measures(draw: st.DrawFn) -> tuple[PhotoMeasure, ...]:
    return tuple(
        measure(name, draw(values), draw(values), draw(st.floats(0.01, 3)))
        for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    )


@st.composite
def photo_pairs(draw: st.DrawFn, *, counts: bool | None = None) -> PhotoPair:
    comparable = draw(st.booleans()) if counts is None else counts
    aligned = draw(st.booleans()) if counts is None else counts
    return PhotoPair(
        area=draw(st.sampled_from(("cheeks", "forehead"))),
        baseline_date=day(draw(st.integers(-20, 0))),
        follow_up_date=day(draw(st.integers(1, 320))),
        aligned=aligned,
        comparable=comparable,
        measures=draw(photo_measures()),
    )


def with_pairs(rec: CourseRecord, *pairs: PhotoPair) -> CourseRecord:
    return dataclasses.replace(rec, photo_pairs=tuple(pairs))


def counts_for(rec: CourseRecord, pair: PhotoPair) -> bool:
    """Does this pair qualify: comparable, aligned, four weeks after the first session?"""
    if not rec.sessions or not (pair.comparable and pair.aligned):
        return False
    first = min(t.date for t in rec.sessions)
    return pair.follow_up_date >= first + dt.timedelta(days=PHOTO_AFTER_DAYS)


# --- measure_score ----------------------------------------------------------------------


def test_a_measure_within_its_uncertainty_scores_as_no_change():
    assert measure_score(measure("redness", 1.0, 1.0, 0.1)) == NO_CHANGE_SCORE
    assert measure_score(measure("redness", 1.0, 0.95, 0.1)) == NO_CHANGE_SCORE
    assert measure_score(measure("redness", 1.0, 1.05, 0.1)) == NO_CHANGE_SCORE


def test_a_meaningful_measured_improvement_scores_like_a_meaningful_concern_change():
    # 30% of the baseline beyond the uncertainty is one meaningful unit: 70.
    assert measure_score(measure("spots", 10, 5, 2)) == pytest.approx(70.0)
    assert measure_score(measure("spots", 10, 16, 2)) == pytest.approx(0.0)


@FAST
@given(values, values, values, st.floats(0.01, 3))
def test_measure_score_is_monotone_in_measured_improvement(baseline, a, b, uncertainty):
    better, worse = sorted((a, b))  # lower is better
    assert measure_score(measure("texture", baseline, better, uncertainty)) >= measure_score(
        measure("texture", baseline, worse, uncertainty)
    )
    assert 0 <= measure_score(measure("texture", baseline, a, uncertainty)) <= 100


# --- the score --------------------------------------------------------------------------


@FAST
@given(course_records(), st.lists(photo_pairs(counts=False), max_size=3))
def test_pairs_that_are_not_comparable_or_not_aligned_change_nothing(rec, pairs):
    plain, with_photos = score_course(rec), score_course(with_pairs(rec, *pairs))
    assert with_photos.score == plain.score
    assert with_photos.components == plain.components
    assert with_photos.trend == plain.trend
    assert with_photos.missing == plain.missing
    assert with_photos.photos is None


@FAST
@given(course_records(), st.lists(photo_pairs(), max_size=3))
def test_without_a_qualifying_pair_the_score_is_the_ratings_score(rec, pairs):
    assume(not any(counts_for(rec, p) for p in pairs))
    plain, with_photos = score_course(rec), score_course(with_pairs(rec, *pairs))
    assert with_photos.score == plain.score
    assert with_photos.explanation == plain.explanation
    if rec.sessions:
        assert any(line.startswith(PHOTO_MISSING) for line in with_photos.missing)


@FAST
@given(course_records(), photo_pairs(counts=True), st.data())
def test_more_measured_improvement_never_lowers_the_score(rec, pair, data):
    index = data.draw(st.integers(0, len(pair.measures) - 1))
    old = pair.measures[index]
    lower = data.draw(st.floats(0, old.follow_up, allow_nan=False))
    improved = dataclasses.replace(old, follow_up=lower)
    better = dataclasses.replace(
        pair, measures=(*pair.measures[:index], improved, *pair.measures[index + 1 :])
    )
    before = score_course(with_pairs(rec, pair))
    after = score_course(with_pairs(rec, better))
    assert after.score >= before.score
    assert after.component("efficacy").score >= before.component("efficacy").score


@FAST
@given(course_records(), photo_pairs(counts=True))
def test_a_qualifying_pair_takes_a_minority_share_and_says_so(rec, pair):
    assume(counts_for(rec, pair))
    plain, with_photos = score_course(rec), score_course(with_pairs(rec, pair))
    finding = with_photos.photos
    assert finding is not None and finding.pairs == (pair,)
    # Only efficacy (and value, which follows efficacy) move, by at most the share.
    for name in ("recovery", "safety", "satisfaction"):
        assert with_photos.component(name) == plain.component(name)
    moved = abs(with_photos.component("efficacy").score - plain.component("efficacy").score)
    assert moved <= PHOTO_SHARE * 100 + 1
    sentence = next(s for s in with_photos.explanation if s.startswith("Measured in aligned"))
    for m in pair.measures:
        assert m.label in sentence
    assert "light, makeup and camera" in sentence
    assert not any(line.startswith(PHOTO_MISSING) for line in with_photos.missing)
    assert with_photos.to_dict()["photo_evidence"]["pairs"][0]["area"] == pair.area


@FAST
@given(course_records(), st.lists(photo_pairs(counts=True), max_size=3))
def test_each_trend_point_is_the_score_of_the_course_cut_there_with_its_photos(rec, pairs):
    full = with_pairs(rec, *pairs)
    result = score_course(full)
    for point in result.trend:
        assert point.score == score_course(truncate(full, point.date)).score


def test_a_pair_before_four_weeks_waits_and_the_latest_pair_per_area_counts():
    rec = record(
        [session(0), session(35)],
        [checkin(-1, concerns={"acne-scars": 7}), checkin(60, concerns={"acne-scars": 4})],
    )
    early = PhotoPair("cheeks", day(-1), day(20), True, True, (measure("spots", 10, 2, 2),))
    old = PhotoPair("cheeks", day(-1), day(40), True, True, (measure("spots", 10, 10, 2),))
    new = PhotoPair("cheeks", day(-1), day(60), True, True, (measure("spots", 10, 4, 2),))
    assert score_course(with_pairs(rec, early)).photos is None
    finding = score_course(with_pairs(rec, early, new, old)).photos
    assert finding is not None and finding.pairs == (new,)
    # As of day 50 only the older pair exists: it counts.
    as_of = score_course(with_pairs(rec, early, new, old), as_of=day(50)).photos
    assert as_of is not None and as_of.pairs == (old,)
