"""Logging a microneedling session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from journal.core import records
from journal.core.errors import NeedsConfirmation
from journal.core.values import (
    parse_cost_currency,
    parse_depths,
    parse_int,
    parse_past_date,
    parse_rating,
    parse_text,
)
from journal.core.vocab import AREAS, DEVICE_KINDS, DEVICE_NAMES, SERUMS, SETTINGS
from journal.services import convert
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
    depth_mm, depth_by_area = parse_depths("depth", depth) if depth is not None else (None, {})
    clean_areas = AREAS.normalize_all(list(areas))
    raw_depth_areas = list(depth_by_area)
    depth_by_area = {AREAS.normalize(k): v for k, v in depth_by_area.items()}
    for area in depth_by_area:
        if area not in clean_areas:
            clean_areas.append(area)
    amount, clean_currency = parse_cost_currency(cost, currency)
    row = SessionRow(
        date=parse_past_date("date", date, today=today),
        setting=SETTINGS.normalize(setting) if setting is not None else "in-office",
        device_kind=DEVICE_KINDS.normalize(device) if device is not None else None,
        device_name=DEVICE_NAMES.normalize(device_name) if device_name is not None else None,
        depth_mm=depth_mm,
        depth_by_area=depth_by_area,
        passes=parse_int("passes", passes, 1, 20) if passes is not None else None,
        areas=clean_areas,
        serums=SERUMS.normalize_all(list(serums)),
        anesthetic=parse_text("anesthetic", anesthetic, limit=120, one_line=True),
        pain=parse_rating("pain", pain) if pain is not None else None,
        cost=amount,
        currency=clean_currency,
        notes=parse_text("notes", notes),
    )
    with journal.write() as db:
        check_typos(db, AREAS, [*areas, *raw_depth_areas], custom=custom)
        check_typos(db, SERUMS, serums, custom=custom)
        patient = find_patient(db, patient_ref)
        course_row = course_for_new_record(db, patient, course)
        if not again:
            _refuse_same_day(db, course_row, row.date)
        row.course_id = course_row.id
        row.provider = provider_by_name(db, provider)
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
