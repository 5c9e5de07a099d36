"""ORM rows to the plain records of `journal.core.records`.

One place turns rows into records, so every consumer sees the same shape and
nothing outside services ever holds a live ORM object. The functions only read
attributes, so the SQLAlchemy-free SQLite reader feeds them its own row objects
and both paths are guaranteed to build identical records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journal.core import records as r
from journal.core.vocab import SYMPTOM_KEYS

if TYPE_CHECKING:
    from journal.store.models import (
        CheckInRow,
        CourseRow,
        PatientRow,
        PhotoRow,
        ProviderRow,
        ReviewRow,
        TreatmentRow,
    )


def patient(row: PatientRow) -> r.Patient:
    return r.Patient(
        id=row.id,
        display_name=row.display_name,
        birth_year=row.birth_year,
        skin_type=row.skin_type,
        concerns=tuple(row.concerns or ()),
        screening=tuple(row.screening or ()),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def provider(row: ProviderRow) -> r.Provider:
    return r.Provider(id=row.id, name=row.name, credentials=row.credentials, clinic=row.clinic)


def course(row: CourseRow) -> r.Course:
    return r.Course(
        id=row.id,
        patient_id=row.patient_id,
        title=row.title,
        areas=tuple(row.areas or ()),
        concerns=tuple(row.concerns or ()),
        planned_sessions=row.planned_sessions,
        interval_weeks_min=row.interval_weeks_min,
        interval_weeks_max=row.interval_weeks_max,
        status=row.status,
        created_at=row.created_at,
    )


def treatment(row: TreatmentRow) -> r.Treatment:
    return r.Treatment(
        id=row.id,
        course_id=row.course_id,
        date=row.date,
        provider=row.provider.name if row.provider else None,
        setting=row.setting,
        device_kind=row.device_kind,
        device_name=row.device_name,
        depth_mm=float(row.depth_mm) if row.depth_mm is not None else None,
        depth_by_area={k: float(v) for k, v in (row.depth_by_area or {}).items()},
        passes=row.passes,
        areas=tuple(row.areas or ()),
        adjuncts=tuple(row.adjuncts or ()),
        anesthetic=row.anesthetic,
        pain=row.pain,
        cost=row.cost,
        currency=row.currency,
        notes=row.notes,
    )


def checkin(row: CheckInRow) -> r.CheckIn:
    symptoms = {name: value for name in SYMPTOM_KEYS if (value := getattr(row, name)) is not None}
    return r.CheckIn(
        id=row.id,
        course_id=row.course_id,
        date=row.date,
        symptoms=symptoms,
        downtime=row.downtime,
        concerns={k: int(v) for k, v in (row.concerns or {}).items()},
        gais=row.gais,
        verdict=row.verdict,
        red_flags=tuple(row.red_flags or ()),
        notes=row.notes,
    )


def photo(row: PhotoRow) -> r.Photo:
    return r.Photo(
        id=row.id,
        course_id=row.course_id,
        sha256=row.sha256,
        kind=row.kind,
        taken_at=row.taken_at,
        taken_at_source=row.taken_at_source,
        width=row.width,
        height=row.height,
        display_path=row.display_path,
        thumb_path=row.thumb_path,
        area=row.area,
        angle=row.angle,
        treatment_id=row.treatment_id,
        checkin_id=row.checkin_id,
        original_path=row.original_path,
        original_name=row.original_name,
    )


def review(row: ReviewRow) -> r.Review:
    return r.Review(
        id=row.id,
        course_id=row.course_id,
        date=row.date,
        provider=row.provider.name if row.provider else None,
        gais=row.gais,
        goodman_baron=row.goodman_baron,
        notes=row.notes,
    )
