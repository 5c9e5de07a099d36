"""A course's stored result: what the provider list shows, computed from records alone.

The provider list of a clinic shows, per patient, the current course's score,
verdict and confidence, its open and seen red flags, the sessions done and the
last visit. Scoring every course of a clinic on every read took seconds, so
each course's result is stored (`course_result`) and kept true by the write
that changes its inputs (`journal.services.results`). This module is the one
computation, pure so that any write path (SQLAlchemy, or a later plain
`sqlite3` one) and the migration that fills the table call the same function.

Dates. A result depends on the day it is read for only through the records
dated after that day (a future-dated record is not counted yet, a flag
resolved tomorrow still holds the cap today). So a result computed for day D
is also the result for every day in `[valid_from, valid_until)`: from the
latest record date on or before D to the first record date after it. A read
for a day outside that interval recomputes the course (see docs/scoring.md,
"Stored results"); inside it the stored row is exact, not an approximation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from journal.core.flags import OPEN, SEEN
from journal.core.records import CourseRecord

__all__ = ["RESULT_FORMULA", "CourseResult", "course_result", "record_dates"]

# Bump when the score, the flag rules or this module change what a result holds:
# stored rows of another formula are recomputed on read and by `doctor --repair`.
RESULT_FORMULA = 2  # 2: measured photo change is part of efficacy


@dataclass(frozen=True)
class CourseResult:
    """One course's current result, as stored in `course_result`."""

    course_id: uuid.UUID
    score: int
    verdict: str
    confidence: str
    open_flags: int  # red flags nobody has acknowledged yet
    seen_flags: int  # acknowledged, not resolved
    sessions: int  # sessions on or before `computed_for`
    last_visit: dt.date | None  # the latest of those sessions
    computed_for: dt.date
    valid_from: dt.date | None  # the result holds for days >= this (None: any day)
    valid_until: dt.date | None  # ... and < this (None: no later record)
    formula: int = RESULT_FORMULA

    def valid_on(self, day: dt.date) -> bool:
        """True when this stored result is exactly the result for `day`."""
        if self.formula != RESULT_FORMULA:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day < self.valid_until

    @property
    def provisional(self) -> bool:
        return self.confidence == "low"


def record_dates(record: CourseRecord) -> Iterable[dt.date]:
    """Every date the score compares with the day it is read for.

    Sessions, check-ins and reviews are cut at that day; a flag's status at it
    reads its resolution date and the day it was seen (UTC, as stored). Photos
    are included although the score does not read them yet: a later score that
    does must not find its stored results wrongly valid.
    """
    for session in record.sessions:
        yield session.date
    for checkin in record.checkins:
        yield checkin.date
    for review in record.reviews:
        yield review.date
    for photo in record.photos:
        yield photo.taken_at.date()
    for flag in record.flag_reviews:
        if flag.resolved_on is not None:
            yield flag.resolved_on
        if flag.seen_at is not None:
            yield flag.seen_at.date()


def course_result(record: CourseRecord, today: dt.date) -> CourseResult:
    """The result of one course as of `today`, and the days it stays exact for.

    The same arithmetic as `score_course` (its timeline, its evaluation, its
    confidence) without the trend and the sentences, which the list does not
    show and which cost most of the time: this runs inside every write.
    `tests/core/test_results.py` holds it equal to `score_course` and to
    `course_flags` on generated courses. The score module is imported here,
    not at the top: the provider list's plain read needs `CourseResult` only,
    before its first paint (about 30 ms of class building it can skip).
    """
    from journal.core import score as _score

    timeline = _score._Timeline.build(record)
    facts = _score._evaluate(timeline, today)
    statuses = [flag.status for flag in timeline.episodes]  # every flag, as `course_flags`
    done = [s.date for s in record.sessions if s.date <= today]
    dates = set(record_dates(record))
    return CourseResult(
        course_id=record.course.id,
        score=facts.score,
        verdict=facts.verdict,
        confidence=_score._confidence(facts),
        open_flags=statuses.count(OPEN),
        seen_flags=statuses.count(SEEN),
        sessions=len(done),
        last_visit=max(done, default=None),
        computed_for=today,
        valid_from=max((d for d in dates if d <= today), default=None),
        valid_until=min((d for d in dates if d > today), default=None),
    )
