"""A patient's complete history, and the per-course records scoring works on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journal.core import records
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import find_patient
from journal.store.models import (
    CheckInRow,
    CourseRow,
    PatientRow,
    PhotoRow,
    ProviderRow,
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


def load_histories(session: Session, patients: list[PatientRow]) -> list[records.PatientHistory]:
    """Histories of many patients in a handful of queries (the clinic overview's need)."""
    if not patients:
        return []
    by_patient = {p.id: p for p in patients}
    courses: list[CourseRow] = []
    for chunk in _chunks(list(by_patient)):
        courses += session.scalars(
            select(CourseRow).where(CourseRow.patient_id.in_(chunk)).order_by(CourseRow.created_at)
        ).all()
    course_ids = [c.id for c in courses]

    def rows(model: Any, *order: Any) -> list[Any]:
        """Plain Core rows (no ORM identity map): several times cheaper per row.

        The converters only read attributes, so a namespace per row will do;
        sessions and reviews carry their provider's name the way the ORM would.
        """
        table = model.__table__
        with_provider = "provider_id" in table.c
        columns = [table, ProviderRow.name.label("provider_name")] if with_provider else [table]
        found: list[Any] = []
        for chunk in _chunks(course_ids):
            stmt = select(*columns).where(table.c.course_id.in_(chunk))
            if with_provider:
                stmt = stmt.outerjoin(ProviderRow, ProviderRow.id == table.c.provider_id)
            for row in session.execute(stmt):
                item = dict(row._mapping)
                if with_provider:
                    name = item.pop("provider_name")
                    item["provider"] = SimpleNamespace(name=name) if name is not None else None
                found.append(SimpleNamespace(**item))
        return sorted(found, key=lambda r: tuple(getattr(r, o.key) for o in order))

    owner = {c.id: c.patient_id for c in courses}
    grouped: dict[Any, dict[str, list[Any]]] = {
        pid: {"courses": [], "treatments": [], "checkins": [], "photos": [], "reviews": []}
        for pid in by_patient
    }
    for c in courses:
        grouped[c.patient_id]["courses"].append(convert.course(c))
    for key, model, make, order in (
        (
            "treatments",
            TreatmentRow,
            convert.treatment,
            (TreatmentRow.date, TreatmentRow.created_at),
        ),
        ("checkins", CheckInRow, convert.checkin, (CheckInRow.date, CheckInRow.created_at)),
        ("photos", PhotoRow, convert.photo, (PhotoRow.taken_at, PhotoRow.created_at)),
        ("reviews", ReviewRow, convert.review, (ReviewRow.date, ReviewRow.created_at)),
    ):
        for row in rows(model, *order):
            grouped[owner[row.course_id]][key].append(make(row))
    return [
        records.PatientHistory(
            patient=convert.patient(p),
            **{k: tuple(v) for k, v in grouped[p.id].items()},
        )
        for p in patients
    ]


def _chunks(ids: list[Any], size: int = 900) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
