"""Logging a microneedling session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from journal.core import records
from journal.core.errors import NeedsConfirmation
from journal.services import convert
from journal.services.fields import parse_new, provider_name, typo_words
from journal.services.journal import Journal
from journal.services.lookup import (
    check_typos,
    course_for_new_record,
    find_patient,
    provider_by_name,
)
from journal.store.models import CourseRow, SessionRow


def add_session(
    journal: Journal,
    patient_ref: str,
    *,
    date: str,
    course: str | None = None,
    provider: str | None = None,
    setting: str | None = None,
    device: str | None = None,
    device_name: str | None = None,
    depth: str | None = None,
    passes: str | int | None = None,
    areas: Sequence[str] = (),
    serums: Sequence[str] = (),
    anesthetic: str | None = None,
    pain: str | int | None = None,
    cost: str | None = None,
    currency: str | None = None,
    notes: str | None = None,
    again: bool = False,
    custom: bool = False,
    today: dt.date | None = None,
) -> records.Session:
    """Validate every field first, then write one row (and a default course if needed).

    Refused as probable mistakes unless confirmed: a date after `today`
    (never confirmable: plan future visits with `plan --event`), a second
    session on the same day in the same course (`again`: a pre-filled form
    saved twice is the usual cause) and a near miss of a known area or serum
    (`custom` keeps the user's word).
    """
    columns = parse_new(
        "session",
        {
            "date": date,
            "setting": setting,
            "device": device,
            "device_name": device_name,
            "depth": depth,
            "passes": passes,
            "areas": areas,
            "serums": serums,
            "anesthetic": anesthetic,
            "pain": pain,
            "cost": cost,
            "currency": currency,
            "notes": notes,
        },
        today=today,
    )
    row = SessionRow(**({"setting": "in-office", "depth_by_area": {}} | columns))
    words = typo_words("session", {"areas": areas, "depth": depth, "serums": serums})
    with journal.write() as db:
        for vocab, typed in words:
            check_typos(db, vocab, typed, custom=custom)
        patient = find_patient(db, patient_ref)
        course_row = course_for_new_record(db, patient, course)
        if not again:
            _refuse_same_day(db, course_row, row.date)
        row.course_id = course_row.id
        row.provider = provider_by_name(db, provider_name(provider))
        db.add(row)
        db.flush()
        return convert.session(row)


def _refuse_same_day(db: DbSession, course: CourseRow, day: dt.date) -> None:
    """A course rarely has two sessions on one day; a double save often does."""
    existing = db.scalars(
        select(SessionRow.id).where(SessionRow.course_id == course.id, SessionRow.date == day)
    ).first()
    if existing is not None:
        raise NeedsConfirmation(
            "date",
            day.isoformat(),
            f"a session on that day already exists in {course.title!r} ({existing.hex[:8]})",
            confirm="again",
        )
