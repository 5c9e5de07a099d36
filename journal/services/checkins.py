"""Logging a recovery / progress check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from journal.core import records
from journal.core.errors import InvalidValue
from journal.core.vocab import SYMPTOM_KEYS
from journal.services import convert
from journal.services.fields import parse_new, typo_words
from journal.services.journal import Journal
from journal.services.lookup import check_typos, course_for_new_record, find_patient
from journal.store.models import CheckInRow


def add_checkin(
    journal: Journal,
    patient_ref: str,
    *,
    date: str,
    course: str | None = None,
    symptoms: Mapping[str, str | int | None] | None = None,
    downtime: bool | None = None,
    concerns: Sequence[str] | Mapping[str, str | int] = (),
    gais: str | None = None,
    verdict: str | None = None,
    flags: Sequence[str] = (),
    notes: str | None = None,
    custom: bool = False,
    today: dt.date | None = None,
) -> records.CheckIn:
    """Validate every rating, then write the check-in in one transaction.

    A date after `today` is refused (a check-in records how the skin was),
    and a near miss of a known concern unless `custom` keeps the word.
    """
    columns = parse_new(
        "check-in",
        {
            "date": date,
            "symptoms": symptoms,
            "downtime": downtime,
            "concerns": concerns,
            "gais": gais,
            "verdict": verdict,
            "flags": flags,
            "notes": notes,
        },
        today=today,
    )
    symptom_values = {k: v for k in SYMPTOM_KEYS if (v := columns.get(k)) is not None}
    parsed_date = columns["date"]
    row = CheckInRow(**columns)
    recorded = (
        symptom_values,
        row.concerns,
        row.gais,
        row.verdict,
        row.red_flags,
        row.notes,
        row.downtime is not None,
    )
    if not any(recorded):
        raise InvalidValue(
            "check-in",
            parsed_date.isoformat(),
            "nothing to record: rate a symptom or concern, "
            "answer downtime, GAIS or verdict, flag something or add a note",
        )
    words = typo_words("check-in", {"concerns": concerns})
    with journal.write() as db:
        for vocab, typed in words:
            check_typos(db, vocab, typed, custom=custom)
        patient = find_patient(db, patient_ref)
        row.course_id = course_for_new_record(db, patient, course).id
        db.add(row)
        db.flush()
        return convert.checkin(row)
