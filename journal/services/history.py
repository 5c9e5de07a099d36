"""A patient's complete history, and the per-course records scoring works on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journal.core import records
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import find_course, find_patient
from journal.store.models import (
    CheckInRow,
    CourseRow,
    PatientRow,
    PhotoRow,
    ReviewRow,
    TreatmentRow,
)


def load_history(session: Session, patient: PatientRow) -> records.PatientHistory:
    """Five indexed queries, whatever the size of the history."""
    courses = session.scalars(
        select(CourseRow).where(CourseRow.patient_id == patient.id).order_by(CourseRow.created_at)
    ).all()
    ids = [c.id for c in courses]

    def rows(model: Any, *order: Any) -> list[Any]:
        if not ids:
            return []
        return list(session.scalars(select(model).where(model.course_id.in_(ids)).order_by(*order)))

    return records.PatientHistory(
        patient=convert.patient(patient),
        courses=tuple(convert.course(c) for c in courses),
        treatments=tuple(
            convert.treatment(t)
            for t in rows(TreatmentRow, TreatmentRow.date, TreatmentRow.created_at)
        ),
        checkins=tuple(
            convert.checkin(c) for c in rows(CheckInRow, CheckInRow.date, CheckInRow.created_at)
        ),
        photos=tuple(
            convert.photo(p) for p in rows(PhotoRow, PhotoRow.taken_at, PhotoRow.created_at)
        ),
        reviews=tuple(
            convert.review(r) for r in rows(ReviewRow, ReviewRow.date, ReviewRow.created_at)
        ),
    )


def patient_history(journal: Journal, patient_ref: str) -> records.PatientHistory:
    with journal.read() as session:
        return load_history(session, find_patient(session, patient_ref))


def course_record(
    journal: Journal, patient_ref: str, course_ref: str | None = None
) -> records.CourseRecord | None:
    """The course a user means (default: the latest active), or None if there is none."""
    with journal.read() as session:
        patient = find_patient(session, patient_ref)
        course = find_course(session, patient, course_ref)
        if course is None:
            return None
        return load_history(session, patient).course_record(course.id)
