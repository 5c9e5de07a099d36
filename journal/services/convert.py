"""Rows to the plain records of `journal.core.records`, and histories from rows.

One place turns rows into records, so every consumer sees the same shape and
nothing outside services ever holds a live ORM object. Each converter takes a
plain row (`journal.store.rows.Row`, what both history readers return) or an
ORM instance, which it first reads into the same plain row: one shape in, one
record out, whichever door the data came through.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from journal.core import records as r
from journal.core.vocab import SYMPTOM_KEYS
from journal.store.rows import COURSE_TABLES, Row, RowSource

if TYPE_CHECKING:
    from journal.store.models import Base

RowLike: TypeAlias = "Mapping[str, Any] | Base"
_R = TypeVar("_R")


def plain(row: RowLike) -> Mapping[str, Any]:
    """An ORM instance as the plain row a reader would have returned for it."""
    if isinstance(row, Mapping):
        return row
    values: Row = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    if "provider_id" in values:
        provider = getattr(row, "provider", None)
        values["provider_name"] = provider.name if provider is not None else None
    return values


def _record(cls: type[_R], m: Mapping[str, Any], **special: Any) -> _R:
    """A record whose fields are the row's columns of the same name.

    JSON lists become tuples (records are immutable) and a missing list is an
    empty one; `special` gives the fields that are not a column as they are.
    """
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in special:
            continue
        value = m[f.name]
        if f.default == () and not isinstance(value, tuple):
            value = tuple(value or ())
        values[f.name] = value
    return cls(**values, **special)


def patient(row: RowLike) -> r.Patient:
    return _record(r.Patient, plain(row))


def provider(row: RowLike) -> r.Provider:
    return _record(r.Provider, plain(row))


def course(row: RowLike) -> r.Course:
    return _record(r.Course, plain(row))


def session(row: RowLike) -> r.Session:
    m = plain(row)
    return _record(
        r.Session,
        m,
        provider=m["provider_name"],
        depth_mm=float(m["depth_mm"]) if m["depth_mm"] is not None else None,
        depth_by_area={k: float(v) for k, v in (m["depth_by_area"] or {}).items()},
    )


def checkin(row: RowLike) -> r.CheckIn:
    m = plain(row)
    return _record(
        r.CheckIn,
        m,
        symptoms={name: value for name in SYMPTOM_KEYS if (value := m[name]) is not None},
        concerns={k: int(v) for k, v in (m["concerns"] or {}).items()},
    )


def photo(row: RowLike) -> r.Photo:
    return _record(r.Photo, plain(row))


def review(row: RowLike) -> r.Review:
    m = plain(row)
    return _record(r.Review, m, provider=m["provider_name"])


def flag_review(row: RowLike) -> r.FlagReview:
    m = plain(row)
    return _record(r.FlagReview, m, flag_id=m["id"])


# Every list of a history in the order people read it: by day, then by entry time.
_ORDER = {
    "session": "date",
    "checkin": "date",
    "photo": "taken_at",
    "review": "date",
    "flag": "first_date",
}
_MAKE: dict[str, Callable[[Row], Any]] = {
    "session": session,
    "checkin": checkin,
    "photo": photo,
    "review": review,
    "flag": flag_review,
}
_FIELD = {
    "session": "sessions",
    "checkin": "checkins",
    "photo": "photos",
    "review": "reviews",
    "flag": "flag_reviews",
}


def _sort_key(column: str) -> Callable[[Row], tuple[Any, ...]]:
    return lambda m: (m[column], m["created_at"], m["id"])


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
        rows = sorted(source.course_rows(table, list(owner)), key=_sort_key(_ORDER[table]))
        for m in rows:
            lists[owner[m["course_id"]]][_FIELD[table]].append(_MAKE[table](m))
    return [
        r.PatientHistory(
            patient=patient(patients[pid]), **{k: tuple(v) for k, v in lists[pid].items()}
        )
        for pid in patient_ids
        if pid in patients
    ]
