"""A red flag's life: open until a provider has seen it, then resolved.

The journal derives red flags from check-ins (`journal.core.rules`); it stores
nothing about a flag until a provider acts on it. So a flag's identity has to
be computable from the records alone: it is the course, the flag's key and
the date it first appeared, hashed into a UUID (`flag_id`). The same
check-ins always give the same ids, on every machine and after an undo that
brings a deleted course back, and what a provider recorded (a `FlagReview`,
stored under that id) attaches to the flag again by itself.

An episode gathers every report of one key from its first appearance on. It
ends when a provider resolves it: the same symptom reported after the
resolution date opens a new flag with an id of its own, so a resolved flag
never silently reopens and a recurrence is never hidden under an old "seen".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from journal.core.records import OPEN, RESOLVED, SEEN, STATUSES, CourseRecord, FlagReview
from journal.core.rules import RedFlag, checkin_flags, session_dates, session_on_or_before

__all__ = [
    "LASTING_HARM_FLAGS",
    "OPEN",
    "RESOLVED",
    "SEEN",
    "STATUSES",
    "FlagEpisode",
    "FlagReview",
    "course_flags",
    "episode_of",
    "episodes",
    "flag_id",
]

# Flags whose harm can outlast the course (a scar, a pigment change): while one is
# open, or was resolved with lasting harm, the score reads Not Sure at best.
LASTING_HARM_FLAGS: frozenset[str] = frozenset(
    {"infection", "scarring", "hyperpigmentation", "granulomas", "allergic-reaction"}
)


def flag_id(course_id: uuid.UUID, key: str, first: dt.date) -> uuid.UUID:
    """The stable id of the flag of `key` that first appeared on `first` in a course."""
    return uuid.uuid5(course_id, f"red-flag/{key}/{first.isoformat()}")


@dataclass(frozen=True)
class FlagEpisode:
    """One red flag with its stable id, every report of it, and its status."""

    id: uuid.UUID
    course_id: uuid.UUID
    key: str
    label: str
    first: dt.date
    last: dt.date
    reports: tuple[RedFlag, ...]  # each check-in that showed it, oldest first
    review: FlagReview | None = None

    @property
    def status(self) -> str:
        return self.review.status_on(None) if self.review else OPEN

    def status_on(self, as_of: dt.date | None) -> str:
        return self.review.status_on(as_of) if self.review else OPEN

    @property
    def short_id(self) -> str:
        return self.id.hex[:8]

    @property
    def words(self) -> tuple[str, ...]:
        """The patient's own notes on the days the flag was reported, each once."""
        seen: dict[str, None] = {}
        for report in self.reports:
            if report.note and report.note.strip():
                seen.setdefault(report.note.strip(), None)
        return tuple(seen)

    @property
    def lasting_harm_possible(self) -> bool:
        return self.key in LASTING_HARM_FLAGS

    def holds_cap(self, as_of: dt.date | None) -> bool:
        """True when this flag keeps the score at Not Sure at best on `as_of`.

        An open or seen flag that can leave lasting harm holds it; resolving it
        without lasting harm lifts the hold, resolving it with lasting harm keeps it.
        """
        if not self.lasting_harm_possible or (as_of is not None and self.first > as_of):
            return False
        if self.status_on(as_of) == RESOLVED:
            return bool(self.review and self.review.lasting)
        return True

    def sentence(self) -> str:
        """Status in words, for lists and the detail screen."""
        review = self.review
        if review is None or self.status == OPEN:
            return f"open since {self.first.isoformat()}"
        if self.status == SEEN:
            when = review.seen_at.date().isoformat() if review.seen_at else "?"
            return f"seen by {review.seen_by or 'a provider'} on {when}"
        harm = "with lasting harm" if review.lasting else "without lasting harm"
        when = review.resolved_on.isoformat() if review.resolved_on else "?"
        return f"resolved on {when} {harm} ({review.resolved_by or 'a provider'})"


def episodes(
    course_id: uuid.UUID,
    reports: Iterable[RedFlag],
    reviews: Mapping[uuid.UUID, FlagReview],
) -> list[FlagEpisode]:
    """Group per-check-in flag reports into flags, oldest first.

    Reports of one key belong to the same flag until a review resolves it; a
    report dated after the resolution starts a new flag. A report on the
    resolution day itself still belongs to the resolved flag (the provider saw
    that day's state).
    """
    by_key: dict[str, list[RedFlag]] = {}
    for report in reports:
        by_key.setdefault(report.key, []).append(report)
    found: list[FlagEpisode] = []
    for key, items in by_key.items():
        items.sort(key=lambda f: (f.date, f.source))
        current: list[RedFlag] = []
        review: FlagReview | None = None
        for report in items:
            ended = (
                review is not None
                and review.status == RESOLVED
                and review.resolved_on is not None
                and report.date > review.resolved_on
            )
            if current and ended:
                found.append(_episode(course_id, key, current, review))
                current = []
            if not current:
                review = reviews.get(flag_id(course_id, key, report.date))
            current.append(report)
        if current:
            found.append(_episode(course_id, key, current, review))
    found.sort(key=lambda e: (e.first, e.key))
    return found


def _episode(
    course_id: uuid.UUID, key: str, reports: list[RedFlag], review: FlagReview | None
) -> FlagEpisode:
    first = reports[0].date
    return FlagEpisode(
        id=flag_id(course_id, key, first),
        course_id=course_id,
        key=key,
        label=reports[0].label,
        first=first,
        last=reports[-1].date,
        reports=tuple(reports),
        review=review,
    )


def course_flags(record: CourseRecord) -> list[FlagEpisode]:
    """Every flag of a course with its status, oldest first."""
    dates = session_dates(record.sessions)
    reports = [
        flag
        for checkin in sorted(record.checkins, key=lambda c: (c.date, str(c.id)))
        for flag in checkin_flags(checkin, session_on_or_before(dates, checkin.date))
    ]
    reviews = {r.flag_id: r for r in record.flag_reviews}
    return episodes(record.course.id, reports, reviews)


def episode_of(flags: Iterable[FlagEpisode], report: RedFlag) -> FlagEpisode | None:
    """The flag a dated report belongs to: the latest of its kind begun by the report's day."""
    found = None
    for flag in flags:
        if flag.key == report.key and flag.first <= report.date:
            found = flag
    return found
