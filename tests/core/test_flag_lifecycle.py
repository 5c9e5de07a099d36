"""The red-flag lifecycle's rules, whatever the records (docs/scoring.md, "Red flags").

A flag's id is computed, so the same records always give the same ids; a
resolution without lasting harm lifts the Not Sure hold and nothing else; a
resolution with lasting harm changes nothing; a report after the resolution
opens a new flag that holds the score again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journal.core.flags import LASTING_HARM_FLAGS, OPEN, RESOLVED, SEEN, course_flags
from journal.core.records import CourseRecord, FlagReview
from journal.core.score import LASTING_HARM_CAP, score_course

from .strategies import checkin, course_records, day, record, session

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_reviews(rec: CourseRecord, *reviews: FlagReview) -> CourseRecord:
    return dataclasses.replace(rec, flag_reviews=tuple(reviews))


def resolved(rec: CourseRecord, flag_id, on: dt.date, lasting: bool = False) -> FlagReview:
    return FlagReview(
        flag_id,
        rec.course.id,
        status=RESOLVED,
        seen_by="Dr Chen",
        seen_at=dt.datetime.combine(on, dt.time(9), dt.UTC),
        resolved_by="Dr Chen",
        resolved_on=on,
        lasting=lasting,
    )


def resolve_all(rec: CourseRecord, lasting: bool) -> CourseRecord:
    """Every flag resolved on its last report's day (so no report falls after it)."""
    flags = course_flags(rec)
    return with_reviews(rec, *(resolved(rec, f.id, f.last, lasting) for f in flags))


@FAST
@given(course_records())
def test_flag_ids_are_the_same_whenever_they_are_computed(rec):
    first = [f.id for f in course_flags(rec)]
    shuffled = dataclasses.replace(rec, checkins=tuple(reversed(rec.checkins)))
    assert [f.id for f in course_flags(shuffled)] == first
    assert len(set(first)) == len(first)


@FAST
@given(course_records())
def test_resolving_without_lasting_harm_never_lowers_the_score(rec):
    before = score_course(rec)
    after = score_course(resolve_all(rec, lasting=False))
    assert after.score >= before.score
    # Only the hold is lifted: every component is what it was.
    assert [c.score for c in after.components] == [c.score for c in before.components]
    assert not after.capped


@FAST
@given(course_records())
def test_resolving_with_lasting_harm_keeps_the_score_exactly(rec):
    before = score_course(rec)
    after = score_course(resolve_all(rec, lasting=True))
    assert after.score == before.score
    assert after.capped == before.capped


@FAST
@given(course_records(), st.sampled_from(sorted(LASTING_HARM_FLAGS)))
def test_the_same_sign_after_a_resolution_opens_a_new_flag_that_holds_again(rec, key):
    assume(rec.sessions)
    start = max(t.date for t in rec.sessions)
    first = checkin((start - day(0)).days + 2, red_flags=(key,))
    rec = dataclasses.replace(rec, checkins=(*rec.checkins, first))
    flag = next(f for f in course_flags(rec) if f.key == key)
    resolved_on = flag.last
    rec = with_reviews(rec, resolved(rec, flag.id, resolved_on))
    again = checkin((resolved_on - day(0)).days + 3, red_flags=(key,))
    rec = dataclasses.replace(rec, checkins=(*rec.checkins, again))
    flags = [f for f in course_flags(rec) if f.key == key]
    assert [f.status for f in flags] == [RESOLVED, OPEN]
    assert flags[1].id != flags[0].id and flags[1].first == again.date
    result = score_course(rec)
    assert result.score <= LASTING_HARM_CAP


def test_seen_keeps_the_hold_and_resolved_lifts_it():
    rec = record(
        [session(0), session(35), session(70)],
        [
            checkin(-2, concerns={"acne-scars": 8}),
            checkin(3, red_flags=("infection",), notes="warm, yellow crust near left jaw"),
            checkin(160, concerns={"acne-scars": 1}, gais="very-much-improved", verdict="worth-it"),
        ],
    )
    (flag,) = course_flags(rec)
    assert flag.words == ("warm, yellow crust near left jaw",)
    open_score = score_course(rec)
    assert open_score.capped and open_score.score == LASTING_HARM_CAP

    seen = FlagReview(
        flag.id, rec.course.id, status=SEEN, seen_by="Dr Chen",
        seen_at=dt.datetime.combine(day(5), dt.time(9), dt.UTC),
    )  # fmt: skip
    assert score_course(with_reviews(rec, seen)).score == LASTING_HARM_CAP

    lifted = score_course(with_reviews(rec, resolved(rec, flag.id, day(20))))
    assert lifted.score > LASTING_HARM_CAP and not lifted.capped
    safety = lifted.component("safety")
    assert safety.score < 100 and "resolved on" in safety.sentence
    # As of a day before the resolution, the hold was still on.
    earlier = score_course(with_reviews(rec, resolved(rec, flag.id, day(200))), as_of=day(160))
    assert earlier.score == LASTING_HARM_CAP
