"""Treatment series (courses)."""

from __future__ import annotations

from collections.abc import Sequence

from journal.core import records
from journal.core.errors import InvalidValue
from journal.core.values import parse_int, parse_name
from journal.core.vocab import AREAS, CONCERNS
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import check_typos, find_patient
from journal.store.models import CourseRow


def parse_interval(text: str | int) -> tuple[int, int]:
    """`5` or `4-6` weeks between sessions; 1-52 weeks."""
    raw = str(text).strip()
    low_text, sep, high_text = raw.partition("-")
    low = parse_int("interval weeks", low_text, 1, 52)
    high = parse_int("interval weeks", high_text, 1, 52) if sep else low
    if high < low:
        raise InvalidValue("interval weeks", raw, "the range must go from low to high, e.g. 4-6")
    return low, high


def add_course(
    journal: Journal,
    patient_ref: str,
    *,
    title: str | None = None,
    areas: Sequence[str] = (),
    concerns: Sequence[str] = (),
    planned: str | int | None = None,
    interval_weeks: str | int | None = None,
    custom: bool = False,
) -> records.Course:
    """Plan a series; concerns default to the patient's own target concerns.

    A near miss of a known area or concern is refused unless `custom` keeps it.
    """
    clean_title = parse_name("title", title) if title is not None else None
    clean_areas = AREAS.normalize_all(list(areas))
    clean_concerns = CONCERNS.normalize_all(list(concerns))
    planned_sessions = parse_int("planned", planned, 1, 20) if planned is not None else 3
    low, high = parse_interval(interval_weeks) if interval_weeks is not None else (4, 6)
    with journal.write() as db:
        check_typos(db, AREAS, areas, custom=custom)
        check_typos(db, CONCERNS, concerns, custom=custom)
        patient = find_patient(db, patient_ref)
        row = CourseRow(
            patient_id=patient.id,
            title=clean_title or f"Series {len(patient.courses) + 1}",
            areas=clean_areas,
            concerns=clean_concerns or list(patient.concerns or []),
            planned_sessions=planned_sessions,
            interval_weeks_min=low,
            interval_weeks_max=high,
            status="active",
        )
        db.add(row)
        db.flush()
        return convert.course(row)
