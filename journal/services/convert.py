"""Rows to the plain records of `journal.core.records`, and histories from rows.

One place turns rows into records, so every consumer sees the same shape and
nothing outside services ever holds a live ORM object. Each converter takes a
plain row (`journal.store.rows.Row`, what both history readers return) or an
ORM instance, which it first reads into the same plain row: one shape in, one
record out, whichever door the data came through.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from journal.core import records as r
from journal.core.vocab import SYMPTOM_KEYS
from journal.store.rows import COURSE_TABLES, Row, RowSource

if TYPE_CHECKING:
    from journal.store.models import Base

RowLike: TypeAlias = "Mapping[str, Any] | Base"


def plain(row: RowLike) -> Mapping[str, Any]:
    """An ORM instance as the plain row a reader would have returned for it."""
    if isinstance(row, Mapping):
        return row
    values: Row = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    if "provider_id" in values:
        provider = getattr(row, "provider", None)
        values["provider_name"] = provider.name if provider is not None else None
    return values


def patient(row: RowLike) -> r.Patient:
    m = plain(row)
    return r.Patient(
        id=m["id"],
        display_name=m["display_name"],
        birth_year=m["birth_year"],
        skin_type=m["skin_type"],
        concerns=tuple(m["concerns"] or ()),
        screening=tuple(m["screening"] or ()),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def provider(row: RowLike) -> r.Provider:
    m = plain(row)
    return r.Provider(id=m["id"], name=m["name"], credentials=m["credentials"], clinic=m["clinic"])


def course(row: RowLike) -> r.Course:
    m = plain(row)
    return r.Course(
        id=m["id"],
        patient_id=m["patient_id"],
        title=m["title"],
        areas=tuple(m["areas"] or ()),
        concerns=tuple(m["concerns"] or ()),
        planned_sessions=m["planned_sessions"],
        interval_weeks_min=m["interval_weeks_min"],
        interval_weeks_max=m["interval_weeks_max"],
        status=m["status"],
        created_at=m["created_at"],
    )


def treatment(row: RowLike) -> r.Treatment:
    m = plain(row)
    return r.Treatment(
        id=m["id"],
        course_id=m["course_id"],
        date=m["date"],
        provider=m["provider_name"],
        setting=m["setting"],
        device_kind=m["device_kind"],
        device_name=m["device_name"],
        depth_mm=float(m["depth_mm"]) if m["depth_mm"] is not None else None,
        depth_by_area={k: float(v) for k, v in (m["depth_by_area"] or {}).items()},
        passes=m["passes"],
        areas=tuple(m["areas"] or ()),
        adjuncts=tuple(m["adjuncts"] or ()),
        anesthetic=m["anesthetic"],
        pain=m["pain"],
        cost=m["cost"],
        currency=m["currency"],
        notes=m["notes"],
    )


def checkin(row: RowLike) -> r.CheckIn:
    m = plain(row)
    symptoms = {name: value for name in SYMPTOM_KEYS if (value := m[name]) is not None}
    return r.CheckIn(
        id=m["id"],
        course_id=m["course_id"],
        date=m["date"],
        symptoms=symptoms,
        downtime=m["downtime"],
        concerns={k: int(v) for k, v in (m["concerns"] or {}).items()},
        gais=m["gais"],
        verdict=m["verdict"],
        red_flags=tuple(m["red_flags"] or ()),
        notes=m["notes"],
    )


def photo(row: RowLike) -> r.Photo:
    m = plain(row)
    return r.Photo(
        id=m["id"],
        course_id=m["course_id"],
        sha256=m["sha256"],
        kind=m["kind"],
        taken_at=m["taken_at"],
        taken_at_source=m["taken_at_source"],
        width=m["width"],
        height=m["height"],
        display_path=m["display_path"],
        thumb_path=m["thumb_path"],
        area=m["area"],
        angle=m["angle"],
        treatment_id=m["treatment_id"],
        checkin_id=m["checkin_id"],
        original_path=m["original_path"],
        original_name=m["original_name"],
    )


def review(row: RowLike) -> r.Review:
    m = plain(row)
    return r.Review(
        id=m["id"],
        course_id=m["course_id"],
        date=m["date"],
        provider=m["provider_name"],
        gais=m["gais"],
        goodman_baron=m["goodman_baron"],
        notes=m["notes"],
    )


# Every list of a history in the order people read it: by day, then by entry time.
_ORDER = {"treatment": "date", "checkin": "date", "photo": "taken_at", "review": "date"}
_MAKE = {"treatment": treatment, "checkin": checkin, "photo": photo, "review": review}
_FIELD = {"treatment": "treatments", "checkin": "checkins", "photo": "photos", "review": "reviews"}


def histories(source: RowSource, patient_ids: Sequence[uuid.UUID]) -> list[r.PatientHistory]:
    """The complete histories of these patients, in the order given, from any reader.

    A handful of queries whatever the number of patients; sorting happens here
    so both readers give the same order by construction.
    """
    if not patient_ids:
        return []
    patients = {m["id"]: m for m in source.patients(patient_ids)}
    courses = sorted(source.courses(list(patients)), key=lambda m: (m["created_at"], m["id"]))
    owner = {m["id"]: m["patient_id"] for m in courses}
    lists: dict[uuid.UUID, dict[str, list[Any]]] = {
        pid: {"courses": [], **{f: [] for f in _FIELD.values()}} for pid in patients
    }
    for m in courses:
        lists[m["patient_id"]]["courses"].append(course(m))
    for table in COURSE_TABLES:
        key = _ORDER[table]
        rows = sorted(
            source.course_rows(table, list(owner)),
            key=lambda m, key=key: (m[key], m["created_at"], m["id"]),
        )
        for m in rows:
            lists[owner[m["course_id"]]][_FIELD[table]].append(_MAKE[table](m))
    return [
        r.PatientHistory(
            patient=patient(patients[pid]), **{k: tuple(v) for k, v in lists[pid].items()}
        )
        for pid in patient_ids
        if pid in patients
    ]
