"""Properties the worth-it score must keep whatever the data (docs/scoring.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journal.core.records import CheckIn, CourseRecord, Review
from journal.core.score import (
    COMPONENT_NAMES,
    EARLY_WINDOW_DAYS,
    FIRM_AFTER_DAYS,
    score_course,
    verdict_for,
)
from journal.core.vocab import GAIS_NUMBERS, RED_FLAGS, SYMPTOM_KEYS

from .strategies import (
    CONCERN_KEYS,
    COURSE_ID,
    GAIS_KEYS,
    checkins,
    course_records,
    day,
    replace_at,
    truncate,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def total(rec: CourseRecord) -> int:
    return score_course(rec).score


# --- sanity ---------------------------------------------------------------------------


@FAST
@given(course_records())
def test_score_and_every_component_stay_within_0_and_100(rec):
    result = score_course(rec)
    assert 0 <= result.score <= 100
    assert set(result.to_dict()["components"]) == set(COMPONENT_NAMES)
    for component in result.components:
        assert 0 <= component.score <= 100
        assert component.sentence
    for point in result.trend:
        assert 0 <= point.score <= 100


@FAST
@given(course_records())
def test_verdict_and_confidence_follow_the_score(rec):
    result = score_course(rec)
    assert result.verdict == verdict_for(result.score)
    assert result.confidence in {"low", "medium", "high"}
    assert result.benchmark.verdict == result.verdict
    assert len(result.explanation) >= len(COMPONENT_NAMES)


@FAST
@given(course_records())
def test_the_same_record_always_gives_the_same_result(rec):
    assert score_course(rec) == score_course(rec)
    assert score_course(rec).to_dict() == score_course(rec).to_dict()


@THOROUGH
@given(course_records(), st.randoms(use_true_random=False))
def test_the_order_of_records_does_not_matter(rec, rnd):
    shuffled = dataclasses.replace(
        rec,
        sessions=tuple(rnd.sample(rec.sessions, len(rec.sessions))),
        checkins=tuple(rnd.sample(rec.checkins, len(rec.checkins))),
        reviews=tuple(rnd.sample(rec.reviews, len(rec.reviews))),
    )
    assert score_course(shuffled).to_dict() == score_course(rec).to_dict()


# --- more improvement never lowers the score ------------------------------------------


@THOROUGH
@given(course_records(), st.data())
def test_lower_latest_concern_ratings_never_lower_the_score(rec, data):
    rated = sorted({key for c in rec.checkins for key in c.concerns})
    assume(rated)
    key = data.draw(st.sampled_from(rated))
    latest = max(c.date for c in rec.checkins if key in c.concerns)
    drop = data.draw(st.integers(1, 10))
    better = dataclasses.replace(
        rec,
        checkins=tuple(
            dataclasses.replace(c, concerns={**c.concerns, key: max(0, c.concerns[key] - drop)})
            if c.date == latest and key in c.concerns
            else c
            for c in rec.checkins
        ),
    )
    assert total(better) >= total(rec)


@THOROUGH
@given(course_records(), st.data())
def test_a_better_gais_never_lowers_the_score(rec, data):
    rated = [("checkin", i) for i, c in enumerate(rec.checkins) if c.gais] + [
        ("review", i) for i, r in enumerate(rec.reviews) if r.gais
    ]
    assume(rated)
    kind, index = data.draw(st.sampled_from(rated))
    items = rec.checkins if kind == "checkin" else rec.reviews
    current = GAIS_NUMBERS[items[index].gais]
    better_key = data.draw(
        st.sampled_from([k for k in GAIS_KEYS if GAIS_NUMBERS[k] < current] or [items[index].gais])
    )
    changed = replace_at(items, index, dataclasses.replace(items[index], gais=better_key))
    field = "checkins" if kind == "checkin" else "reviews"
    better = dataclasses.replace(rec, **{field: changed})
    assert total(better) >= total(rec)


# --- more or worse side effects, red flags or cost never raise it ---------------------


@THOROUGH
@given(course_records(), st.data())
def test_more_severe_symptoms_never_raise_the_score(rec, data):
    assume(rec.checkins)
    index = data.draw(st.integers(0, len(rec.checkins) - 1))
    target = rec.checkins[index]
    symptom = data.draw(st.sampled_from(SYMPTOM_KEYS))
    level = data.draw(st.integers(target.symptoms.get(symptom, 0), 10))
    worse = replace_at(
        rec.checkins,
        index,
        dataclasses.replace(target, symptoms={**target.symptoms, symptom: level}),
    )
    assert total(dataclasses.replace(rec, checkins=worse)) <= total(rec)


@THOROUGH
@given(course_records(), st.data())
def test_longer_symptoms_or_downtime_never_raise_the_score(rec, data):
    """A later check-in that still has symptoms (or downtime) is a longer recovery."""
    assume(rec.sessions)
    session = data.draw(st.sampled_from(rec.sessions)).date
    later = session + dt.timedelta(days=data.draw(st.integers(0, 40)))
    symptoms = data.draw(
        st.dictionaries(st.sampled_from(SYMPTOM_KEYS), st.integers(0, 10), min_size=1)
    )
    extra = CheckIn(
        id=data.draw(st.uuids()),
        course_id=COURSE_ID,
        date=later,
        symptoms=symptoms,
        downtime=data.draw(st.none() | st.booleans()),
    )
    longer = dataclasses.replace(rec, checkins=(*rec.checkins, extra))
    assert total(longer) <= total(rec)


@FAST
@given(course_records(), st.data())
def test_reporting_downtime_never_raises_the_score(rec, data):
    assume(rec.checkins)
    index = data.draw(st.integers(0, len(rec.checkins) - 1))
    worse = replace_at(rec.checkins, index, dataclasses.replace(rec.checkins[index], downtime=True))
    assert total(dataclasses.replace(rec, checkins=worse)) <= total(rec)


@THOROUGH
@given(course_records(), st.data())
def test_another_red_flag_never_raises_the_score(rec, data):
    key = data.draw(st.sampled_from(RED_FLAGS.keys))
    if rec.checkins and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(rec.checkins) - 1))
        target = rec.checkins[index]
        flagged = replace_at(
            rec.checkins,
            index,
            dataclasses.replace(target, red_flags=tuple(sorted({*target.red_flags, key}))),
        )
        more = dataclasses.replace(rec, checkins=flagged)
    else:
        # A check-in that carries nothing but the flag must not change other components.
        extra = data.draw(checkins(rated=False))
        extra = dataclasses.replace(extra, symptoms={}, downtime=None, red_flags=(key,))
        more = dataclasses.replace(rec, checkins=(*rec.checkins, extra))
    assert total(more) <= total(rec)
    assert (
        score_course(more).component("safety").score <= score_course(rec).component("safety").score
    )


@THOROUGH
@given(course_records(), st.data())
def test_a_higher_cost_never_raises_the_score(rec, data):
    assume(rec.sessions)
    index = data.draw(st.integers(0, len(rec.sessions) - 1))
    target = rec.sessions[index]
    extra = Decimal(data.draw(st.integers(1, 300_000))) / 100
    dearer = dataclasses.replace(target, cost=(target.cost or Decimal(0)) + extra)
    more = dataclasses.replace(rec, sessions=replace_at(rec.sessions, index, dearer))
    assert total(more) <= total(rec)


# --- missing data lowers confidence, not sanity ---------------------------------------


@FAST
@given(course_records(rated=False))
def test_nothing_rated_means_low_confidence_and_says_what_is_missing(rec):
    result = score_course(rec)
    assert result.confidence == "low"
    text = " ".join(result.missing)
    assert "baseline" in text
    assert "GAIS" in text
    assert "verdict" in text
    assert result.component("efficacy").score == 50
    assert result.component("satisfaction").score == 50


# --- the early window and provisional results ----------------------------------------


def _efficacy_view(rec: CourseRecord) -> tuple[object, ...]:
    result = score_course(rec)
    trend = tuple(p.score for p in result.trend)
    return result.component("efficacy").score, result.concerns, trend


@THOROUGH
@given(course_records(), st.data())
def test_ratings_inside_the_early_window_never_change_efficacy(rec, data):
    """A concern or GAIS rating 1-13 days after a session is the acute reaction."""
    assume(rec.sessions)
    added_checkins = []
    added_reviews = []
    for _ in range(data.draw(st.integers(1, 3))):
        after = data.draw(st.sampled_from(rec.sessions)).date
        when = after + dt.timedelta(days=data.draw(st.integers(1, EARLY_WINDOW_DAYS - 1)))
        gais = data.draw(st.none() | st.sampled_from(GAIS_KEYS))
        if data.draw(st.booleans()):
            concerns = data.draw(
                st.dictionaries(st.sampled_from(CONCERN_KEYS), st.integers(0, 10), max_size=3)
            )
            added_checkins.append(
                CheckIn(data.draw(st.uuids()), COURSE_ID, when, concerns=concerns, gais=gais)
            )
        else:
            added_reviews.append(Review(data.draw(st.uuids()), COURSE_ID, when, gais=gais))
    more = dataclasses.replace(
        rec,
        checkins=rec.checkins + tuple(added_checkins),
        reviews=rec.reviews + tuple(added_reviews),
    )
    assert _efficacy_view(more) == _efficacy_view(rec)


def _firm_rating_exists(rec: CourseRecord) -> bool:
    """Independently of the score: a rating of the result 28+ days after the first
    session and 14+ days after the latest session before it."""
    dates = sorted(t.date for t in rec.sessions)
    if not dates:
        return False
    ratings = [c.date for c in rec.checkins if c.concerns or c.gais or c.verdict]
    ratings += [r.date for r in rec.reviews if r.gais or r.goodman_baron]
    for when in ratings:
        before = [d for d in dates if d < when]
        if (
            before
            and (when - dates[0]).days >= FIRM_AFTER_DAYS
            and (when - before[-1]).days >= EARLY_WINDOW_DAYS
        ):
            return True
    return False


@THOROUGH
@given(course_records())
def test_provisional_exactly_when_confidence_is_low(rec):
    result = score_course(rec)
    doc = result.to_dict()
    assert doc["provisional"] is (result.confidence == "low")
    if result.confidence == "low":
        assert doc["firm_when"] and doc["firm_when"].startswith("Provisional")
        assert doc["firm_when"] in result.explanation
    else:
        assert doc["firm_when"] is None
        assert not any(s.startswith("Provisional") for s in result.explanation)
    if not _firm_rating_exists(rec):
        assert result.confidence == "low"


# --- time ---------------------------------------------------------------------------


@FAST
@given(course_records())
def test_trend_has_one_point_per_session_using_only_what_was_known_then(rec):
    result = score_course(rec)
    assert len(result.trend) == len(rec.sessions)
    assert [p.date for p in result.trend] == sorted(t.date for t in rec.sessions)
    for point in result.trend:
        assert point.score == score_course(truncate(rec, point.date)).score


@FAST
@given(course_records(), st.integers(-20, 320))
def test_as_of_ignores_everything_dated_later(rec, offset):
    as_of = day(offset)
    known_then = score_course(truncate(rec, as_of)).to_dict()
    seen_as_of = score_course(rec, as_of=as_of).to_dict()
    known_then.pop("as_of")
    seen_as_of.pop("as_of")
    assert seen_as_of == known_then
