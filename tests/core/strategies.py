"""Hypothesis strategies and record helpers for the core tests.

Dates cluster around one base date so that check-ins land before, between and
after sessions, which is where the score's rules (baselines, day offsets,
derived red flags) do their work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import strategies as st

from journal.core.records import CheckIn, Course, CourseRecord, Patient, Review, Session
from journal.core.vocab import GAIS_NUMBERS, RED_FLAGS, SYMPTOM_KEYS, VERDICTS

BASE = dt.date(2024, 1, 1)
PATIENT_ID = uuid.UUID(int=1)
COURSE_ID = uuid.UUID(int=2)
CONCERN_KEYS = ("acne-scars", "large-pores", "texture")
GAIS_KEYS = tuple(GAIS_NUMBERS)  # best first
VERDICT_KEYS = tuple(VERDICTS.keys)


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


def patient(**changes: object) -> Patient:
    return dataclasses.replace(Patient(PATIENT_ID, "Test Patient"), **changes)


def course(**changes: object) -> Course:
    return dataclasses.replace(Course(COURSE_ID, PATIENT_ID, "Face"), **changes)


def session(offset: int, cost: str | int | None = None, **changes: object) -> Session:
    money = None if cost is None else Decimal(str(cost))
    return Session(uuid.uuid4(), COURSE_ID, day(offset), cost=money, **changes)


def checkin(offset: int, **fields: object) -> CheckIn:
    return CheckIn(uuid.uuid4(), COURSE_ID, day(offset), **fields)


def review(offset: int, gais: str | None = None, **fields: object) -> Review:
    return Review(uuid.uuid4(), COURSE_ID, day(offset), gais=gais, **fields)


def record(
    sessions: list[Session] | tuple[Session, ...] = (),
    checkins: list[CheckIn] | tuple[CheckIn, ...] = (),
    reviews: list[Review] | tuple[Review, ...] = (),
    **patient_fields: object,
) -> CourseRecord:
    return CourseRecord(
        patient(**patient_fields), course(), tuple(sessions), tuple(checkins), tuple(reviews)
    )


def truncate(rec: CourseRecord, as_of: dt.date) -> CourseRecord:
    """The record as it stood on `as_of`: what the score may use for that date."""
    return dataclasses.replace(
        rec,
        sessions=tuple(t for t in rec.sessions if t.date <= as_of),
        checkins=tuple(c for c in rec.checkins if c.date <= as_of),
        reviews=tuple(r for r in rec.reviews if r.date <= as_of),
        photos=tuple(p for p in rec.photos if p.taken_at.date() <= as_of),
        photo_pairs=tuple(p for p in rec.photo_pairs if p.follow_up_date <= as_of),
    )


# --- strategies -----------------------------------------------------------------------

ratings = st.integers(0, 10)
costs = st.none() | st.integers(0, 250_000).map(lambda cents: Decimal(cents) / 100)
gais_keys = st.none() | st.sampled_from(GAIS_KEYS)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    return Session(
        id=draw(st.uuids()),
        course_id=COURSE_ID,
        date=day(draw(st.integers(0, 200))),
        cost=draw(costs),
    )


@st.composite
def checkins(draw: st.DrawFn, *, rated: bool = True) -> CheckIn:
    return CheckIn(
        id=draw(st.uuids()),
        course_id=COURSE_ID,
        date=day(draw(st.integers(-20, 320))),
        symptoms=draw(st.dictionaries(st.sampled_from(SYMPTOM_KEYS), ratings, max_size=4)),
        downtime=draw(st.none() | st.booleans()),
        concerns=draw(st.dictionaries(st.sampled_from(CONCERN_KEYS), ratings, max_size=3))
        if rated
        else {},
        gais=draw(gais_keys) if rated else None,
        verdict=draw(st.none() | st.sampled_from(VERDICT_KEYS)) if rated else None,
        red_flags=tuple(draw(st.lists(st.sampled_from(RED_FLAGS.keys), max_size=2, unique=True))),
    )


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    return Review(
        id=draw(st.uuids()),
        course_id=COURSE_ID,
        date=day(draw(st.integers(0, 320))),
        gais=draw(gais_keys),
    )


@st.composite
def course_records(
    draw: st.DrawFn,
    *,
    max_sessions: int = 6,
    max_checkins: int = 14,
    max_reviews: int = 3,
    rated: bool = True,
) -> CourseRecord:
    birth_year = draw(st.none() | st.integers(1950, 2005))
    return CourseRecord(
        patient=patient(birth_year=birth_year),
        course=course(),
        sessions=tuple(draw(st.lists(sessions(), max_size=max_sessions))),
        checkins=tuple(draw(st.lists(checkins(rated=rated), max_size=max_checkins))),
        reviews=tuple(draw(st.lists(reviews(), max_size=max_reviews))) if rated else (),
    )


def replace_at(items: tuple, index: int, item: object) -> tuple:
    return (*items[:index], item, *items[index + 1 :])
