"""A provider's observer review of a patient's progress."""

from __future__ import annotations

import datetime as dt

from journal.core import records
from journal.core.errors import InvalidValue
from journal.services import convert
from journal.services.fields import parse_new, provider_name
from journal.services.journal import Journal
from journal.services.lookup import course_for_new_record, find_patient, provider_by_name
from journal.store.models import ReviewRow


def add_review(
    journal: Journal,
    patient_ref: str,
    *,
    date: str,
    course: str | None = None,
    provider: str | None = None,
    gais: str | None = None,
    goodman_baron: str | int | None = None,
    notes: str | None = None,
    today: dt.date | None = None,
) -> records.Review:
    """Observer GAIS weighs more than the patient's own in the score.

    A review records what a provider saw, so a date after `today` is refused.
    """
    values = {"date": date, "gais": gais, "goodman_baron": goodman_baron, "notes": notes}
    row = ReviewRow(**parse_new("review", values, today=today))
    if row.gais is None and row.goodman_baron is None and row.notes is None:
        raise InvalidValue(
            "review", row.date.isoformat(), "nothing to record: give a GAIS, a grade or notes"
        )
    with journal.write() as db:
        patient = find_patient(db, patient_ref)
        row.course_id = course_for_new_record(db, patient, course).id
        row.provider = provider_by_name(db, provider_name(provider))
        db.add(row)
        db.flush()
        return convert.review(row)
