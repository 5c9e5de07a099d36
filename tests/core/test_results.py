"""The stored result's computation equals the score and the flag list it stands for.

`journal.core.results.course_result` runs the score's own timeline and
evaluation without the trend and the sentences (it runs inside every write);
these properties hold it equal to `score_course` and `course_flags`, and hold
its validity interval exact: any day inside it gives the same result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from journal.core.flags import OPEN, RESOLVED, SEEN, course_flags
from journal.core.records import CourseRecord, FlagReview
from journal.core.results import course_result
from journal.core.score import score_course

from .strategies import course_records, day


@st.composite
def reviewed(draw: st.DrawFn) -> CourseRecord:
    """A generated course whose flags a provider has seen or resolved (some of them)."""
    rec = draw(course_records())
    found = []
    for flag in course_flags(rec):
        status = draw(st.sampled_from([OPEN, SEEN, RESOLVED]))
        if status == OPEN:
            continue
        seen = flag.first + dt.timedelta(days=draw(st.integers(0, 30)))
        resolved = seen + dt.timedelta(days=draw(st.integers(0, 30)))
        found.append(
            FlagReview(
                flag.id,
                rec.course.id,
                status,
                seen_by="Dr Ito",
                seen_at=dt.datetime.combine(seen, dt.time(23, 30), tzinfo=dt.UTC),
                resolved_on=resolved if status == RESOLVED else None,
                lasting=draw(st.booleans()),
            )
        )
    return dataclasses.replace(rec, flag_reviews=tuple(found))


@settings(max_examples=150, deadline=None)
@given(rec=reviewed(), offset=st.integers(-20, 400))
def test_the_result_is_the_scores_and_the_flag_lists(rec: CourseRecord, offset: int) -> None:
    today = day(offset)
    result = course_result(rec, today)
    score = score_course(rec, as_of=today)
    statuses = [f.status for f in course_flags(rec)]
    assert (result.score, result.verdict, result.confidence) == (
        score.score,
        score.verdict,
        score.confidence,
    )
    assert (result.open_flags, result.seen_flags) == (statuses.count(OPEN), statuses.count(SEEN))
    done = [s.date for s in rec.sessions if s.date <= today]
    assert (result.sessions, result.last_visit) == (len(done), max(done, default=None))


@settings(max_examples=150, deadline=None)
@given(rec=reviewed(), offset=st.integers(-20, 400), other=st.integers(-20, 400))
def test_a_result_holds_for_every_day_of_its_validity(
    rec: CourseRecord, offset: int, other: int
) -> None:
    result = course_result(rec, day(offset))
    again = course_result(rec, day(other))
    if result.valid_on(day(other)):
        assert dataclasses.replace(again, computed_for=result.computed_for) == result
    else:
        assert not again.valid_on(day(offset))
