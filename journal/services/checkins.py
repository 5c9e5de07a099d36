"""Logging a recovery / progress check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from journal.core import records
from journal.core.errors import InvalidValue
from journal.core.values import (
    check_count,
    parse_concern_rating,
    parse_past_date,
    parse_rating,
    parse_text,
)
from journal.core.vocab import CONCERNS, GAIS, RED_FLAGS, SYMPTOM_KEYS, VERDICTS
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import check_typos, course_for_new_record, find_patient
from journal.store.models import CheckInRow


def parse_concern_ratings(values: Sequence[str] | Mapping[str, str | int]) -> dict[str, int]:
    """`["acne-scars=6"]` or `{"acne scars": 6}` to canonical concern keys."""
    check_count("concern", values)
    pairs = (
        [(k, parse_rating(f"concern {k}", v)) for k, v in values.items()]
        if isinstance(values, Mapping)
        else [parse_concern_rating("concern", v) for v in values]
    )
    ratings: dict[str, int] = {}
    for name, rating in pairs:
        key = CONCERNS.normalize(name)
        if key in ratings and ratings[key] != rating:
            raise InvalidValue("concern", name, "rated twice with different values")
        ratings[key] = rating
    return ratings


def _concern_names(values: Sequence[str] | Mapping[str, str | int]) -> list[str]:
    """The concern words of `["acne-scars=6"]` or `{"acne scars": 6}`, as typed."""
    if isinstance(values, Mapping):
        return list(values)
    return [v.partition("=")[0] for v in values]


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
    symptom_values: dict[str, int] = {}
    for name, value in (symptoms or {}).items():
        if name not in SYMPTOM_KEYS:
            raise InvalidValue("symptom", name, "choose one of " + ", ".join(SYMPTOM_KEYS))
        if value is not None:
            symptom_values[name] = parse_rating(name, value)
    parsed_date = parse_past_date("date", date, today=today)
    row = CheckInRow(
        date=parsed_date,
        downtime=downtime,
        concerns=parse_concern_ratings(concerns),
        gais=GAIS.normalize(gais) if gais is not None else None,
        verdict=VERDICTS.normalize(verdict) if verdict is not None else None,
        red_flags=RED_FLAGS.normalize_all(list(flags)),
        notes=parse_text("notes", notes),
        **symptom_values,
    )
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
    with journal.write() as db:
        check_typos(db, CONCERNS, _concern_names(concerns), custom=custom)
        patient = find_patient(db, patient_ref)
        row.course_id = course_for_new_record(db, patient, course).id
        db.add(row)
        db.flush()
        return convert.checkin(row)
