"""Adding and listing patients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from journal.core import records
from journal.core.values import parse_birth_year, parse_name, parse_skin_type
from journal.core.vocab import CONCERNS, SCREENING
from journal.services import convert
from journal.services.journal import Journal
from journal.store.models import CourseRow, PatientRow, SessionRow


@dataclass(frozen=True)
class PatientSummary:
    """One line of the patient list: enough for a provider to scan a clinic."""

    patient: records.Patient
    sessions: int
    last_visit: dt.date | None


def add_patient(
    journal: Journal,
    name: str,
    *,
    birth_year: str | int | None = None,
    skin_type: str | int | None = None,
    concerns: Sequence[str] = (),
    screening: Sequence[str] = (),
) -> records.Patient:
    """Register a patient; names need not be unique (ids are), but a warning helps."""
    row = PatientRow(
        display_name=parse_name("name", name),
        birth_year=parse_birth_year("birth year", birth_year) if birth_year is not None else None,
        skin_type=parse_skin_type("skin type", skin_type) if skin_type is not None else None,
        concerns=CONCERNS.normalize_all(list(concerns)),
        screening=SCREENING.normalize_all(list(screening)),
    )
    with journal.write() as db:
        db.add(row)
        db.flush()
        return convert.patient(row)


def list_patients(journal: Journal) -> list[PatientSummary]:
    """Every patient with their session count and last visit, by name."""
    with journal.read() as db:
        stats = dict(
            (pid, (count, last))
            for pid, count, last in db.execute(
                select(CourseRow.patient_id, func.count(SessionRow.id), func.max(SessionRow.date))
                .join(SessionRow, SessionRow.course_id == CourseRow.id)
                .group_by(CourseRow.patient_id)
            )
        )
        rows = db.scalars(
            select(PatientRow).order_by(func.lower(PatientRow.display_name), PatientRow.created_at)
        ).all()
        return [
            PatientSummary(
                patient=convert.patient(row),
                sessions=stats.get(row.id, (0, None))[0],
                last_visit=stats.get(row.id, (0, None))[1],
            )
            for row in rows
        ]
