"""Plain, immutable records of the journal's data.

Services turn database rows into these and hand them to every consumer: the
CLI prints them, the TUI shows them, the score engine and planner compute over
them, exports render them. Keeping them free of SQLAlchemy means the rules in
core can be tested without a database and a front end can never lazy-load a
row behind the services' back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Provider:
    id: uuid.UUID
    name: str
    credentials: str | None = None
    clinic: str | None = None


@dataclass(frozen=True)
class Patient:
    id: uuid.UUID
    display_name: str
    birth_year: int | None = None
    skin_type: int | None = None  # Fitzpatrick I-VI as 1-6
    concerns: tuple[str, ...] = ()
    screening: tuple[str, ...] = ()  # SCREENING keys the patient answered yes to
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Course:
    id: uuid.UUID
    patient_id: uuid.UUID
    title: str
    areas: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    planned_sessions: int = 3
    interval_weeks_min: int = 4
    interval_weeks_max: int = 6
    status: str = "active"
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None  # an edit form checks it has not moved


@dataclass(frozen=True)
class Session:
    """One microneedling session (named so to stay clear of the ORM's Session)."""

    id: uuid.UUID
    course_id: uuid.UUID
    date: dt.date
    provider: str | None = None
    setting: str = "in-office"
    device_kind: str | None = None
    device_name: str | None = None
    depth_mm: float | None = None
    depth_by_area: dict[str, float] = field(default_factory=dict)
    passes: int | None = None
    areas: tuple[str, ...] = ()
    serums: tuple[str, ...] = ()
    anesthetic: str | None = None
    pain: int | None = None
    cost: Decimal | None = None
    currency: str | None = None
    notes: str | None = None
    updated_at: dt.datetime | None = None  # an edit form checks it has not moved


@dataclass(frozen=True)
class CheckIn:
    """A recovery or progress rating on one day.

    `symptoms` maps SYMPTOM_KEYS to 0-10 (absent = not rated); `concerns` maps
    concern keys to severity 0-10 (10 = worst). The day offset from the latest
    session is derived, never stored.
    """

    id: uuid.UUID
    course_id: uuid.UUID
    date: dt.date
    symptoms: dict[str, int] = field(default_factory=dict)
    downtime: bool | None = None
    concerns: dict[str, int] = field(default_factory=dict)
    gais: str | None = None
    verdict: str | None = None
    red_flags: tuple[str, ...] = ()
    notes: str | None = None
    updated_at: dt.datetime | None = None  # an edit form checks it has not moved


@dataclass(frozen=True)
class Photo:
    id: uuid.UUID
    course_id: uuid.UUID
    sha256: str
    kind: str
    taken_at: dt.datetime
    taken_at_source: str  # exif | file | import
    width: int
    height: int
    display_path: str  # relative to the photo store root
    thumb_path: str
    area: str | None = None
    angle: str | None = None
    session_id: uuid.UUID | None = None
    checkin_id: uuid.UUID | None = None
    original_path: str | None = None
    original_name: str | None = None
    updated_at: dt.datetime | None = None  # an edit form checks it has not moved
    # Photos as evidence (journal.services.evidence), None until read: the display
    # copy's quality and skin measures, and a follow-up's comparison with its baseline.
    quality: dict[str, Any] | None = None
    measures: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None


@dataclass(frozen=True)
class Review:
    """A provider's observer rating at a visit."""

    id: uuid.UUID
    course_id: uuid.UUID
    date: dt.date
    provider: str | None = None
    gais: str | None = None
    goodman_baron: int | None = None  # qualitative scar grade 1-4
    notes: str | None = None
    updated_at: dt.datetime | None = None  # an edit form checks it has not moved


# A red flag's status (see journal.core.flags): no stored review means open.
OPEN = "open"
SEEN = "seen"
RESOLVED = "resolved"
STATUSES = (OPEN, SEEN, RESOLVED)


@dataclass(frozen=True)
class FlagReview:
    """What a provider recorded about one flag: seen (with a note), then resolved.

    `lasting` says the harm outlasted the episode (a scar, a pigment change);
    only then does a resolved flag keep holding the score down.
    """

    flag_id: uuid.UUID
    course_id: uuid.UUID
    status: str = OPEN
    seen_by: str | None = None
    seen_at: dt.datetime | None = None
    seen_note: str | None = None
    resolved_by: str | None = None
    resolved_on: dt.date | None = None
    lasting: bool = False
    resolved_note: str | None = None

    def status_on(self, as_of: dt.date | None) -> str:
        """The status a reader on `as_of` would have seen (None: today)."""
        resolved_on, seen_at = self.resolved_on, self.seen_at
        if self.status == RESOLVED and resolved_on and (as_of is None or resolved_on <= as_of):
            return RESOLVED
        if (
            self.status in (SEEN, RESOLVED)
            and seen_at
            and (as_of is None or seen_at.date() <= as_of)
        ):
            return SEEN
        return OPEN


@dataclass(frozen=True)
class PhotoMeasure:
    """One skin measure of an aligned photo pair, as plain numbers (journal.imaging.measures).

    `uncertainty` is how far the measure moves, at the baseline's level, on
    pairs with no real change; it is in the measure's own unit.
    """

    name: str
    label: str
    unit: str
    baseline: float
    follow_up: float
    uncertainty: float
    lower_is_better: bool = True


@dataclass(frozen=True)
class PhotoPair:
    """A follow-up photo measured against its area's baseline, for the score.

    The service (journal.services.evidence) computes it with OpenCV and
    hands the score these plain numbers only, so the core stays pure.
    `aligned` is whether the follow-up was registered onto the baseline,
    `comparable` whether the pair is fair evidence (light, colour, framing).
    """

    area: str
    baseline_date: dt.date
    follow_up_date: dt.date
    aligned: bool
    comparable: bool
    measures: tuple[PhotoMeasure, ...] = ()


@dataclass(frozen=True)
class CourseRecord:
    """Everything known about one course, the unit the score and planner work on."""

    patient: Patient
    course: Course
    sessions: tuple[Session, ...] = ()
    checkins: tuple[CheckIn, ...] = ()
    reviews: tuple[Review, ...] = ()
    photos: tuple[Photo, ...] = ()
    flag_reviews: tuple[FlagReview, ...] = ()  # what providers recorded about its red flags
    photo_pairs: tuple[PhotoPair, ...] = ()  # measured photo pairs (journal.services.evidence)


def to_jsonable(value: Any) -> Any:
    """Turn records (and what they hold) into JSON-ready values.

    One function for the CLI's --json, exports and archives, so a date or a
    UUID is written the same way everywhere.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True)
class PatientHistory:
    """The complete record of one patient, every list in date order."""

    patient: Patient
    courses: tuple[Course, ...] = ()
    sessions: tuple[Session, ...] = ()
    checkins: tuple[CheckIn, ...] = ()
    photos: tuple[Photo, ...] = ()
    reviews: tuple[Review, ...] = ()
    flag_reviews: tuple[FlagReview, ...] = ()

    def course_record(self, course_id: uuid.UUID) -> CourseRecord:
        """The slice of this history that belongs to one course."""
        course = next(c for c in self.courses if c.id == course_id)
        return CourseRecord(
            patient=self.patient,
            course=course,
            sessions=tuple(t for t in self.sessions if t.course_id == course_id),
            checkins=tuple(c for c in self.checkins if c.course_id == course_id),
            reviews=tuple(r for r in self.reviews if r.course_id == course_id),
            photos=tuple(p for p in self.photos if p.course_id == course_id),
            flag_reviews=tuple(f for f in self.flag_reviews if f.course_id == course_id),
        )


def day_offset(on: dt.date, sessions: tuple[Session, ...] | list[Session]) -> int | None:
    """Days since the latest session on or before `on` (None before the first one).

    Derived on read, never stored, so editing a session date can't leave a
    check-in's day count stale.
    """
    earlier = [t.date for t in sessions if t.date <= on]
    return (on - max(earlier)).days if earlier else None
