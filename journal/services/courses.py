"""Treatment series (courses)."""

from __future__ import annotations

from collections.abc import Sequence

from journal.core import records
from journal.services import convert
from journal.services.fields import parse_new, typo_words
from journal.services.journal import Journal
from journal.services.lookup import check_typos, find_patient
from journal.store.models import CourseRow


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
    values = {
        "title": title,
        "areas": areas,
        "concerns": concerns,
        "planned": planned,
        "interval_weeks": interval_weeks,
    }
    columns = parse_new("course", values, today=None)
    words = typo_words("course", values)
    with journal.write() as db:
        for vocab, typed in words:
            check_typos(db, vocab, typed, custom=custom)
        patient = find_patient(db, patient_ref)
        defaults = {
            "title": f"Series {len(patient.courses) + 1}",
            "planned_sessions": 3,
            "interval_weeks_min": 4,
            "interval_weeks_max": 6,
            "status": "active",
        }
        row = CourseRow(patient_id=patient.id, **(defaults | columns))
        if not row.concerns:
            row.concerns = list(patient.concerns or [])
        db.add(row)
        db.flush()
        return convert.course(row)
