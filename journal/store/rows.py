"""The one contract for reading a patient's history: plain rows from either reader.

A history is read two ways: through SQLAlchemy Core (`core_reader`, every
database) and through the standard library's `sqlite3` (`sqlite_reader`, a
current SQLite journal, for commands that should not pay for importing
SQLAlchemy). Both return the same rows, dicts of column name to a value already
typed the way SQLAlchemy reads it back, so `journal.services.convert` builds
records from one shape only and a test holds the two readers equal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from journal.store.column_kinds import COLUMN_KINDS

Row = dict[str, Any]

# Per-course tables whose rows carry the provider's name as `provider_name`.
PROVIDER_TABLES = frozenset({"session", "review"})
COURSE_TABLES = ("session", "checkin", "photo", "review", "flag")

# SQLite allows 999 bound parameters per statement in older builds.
CHUNK = 900


class RowSource(Protocol):
    """What a history reader offers; rows come in no particular order."""

    def patients(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]: ...

    def courses(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]: ...

    def course_rows(self, table: str, course_ids: Sequence[uuid.UUID]) -> list[Row]: ...


def chunked(ids: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# The provider list (`journal.services.listing`): patient, course and stored result in one
# query, course and result columns prefixed so they never clash with the patient's.
OVERVIEW_PATIENT = (  # `id` first: the readers tell a patient's first row by it
    "id",
    "display_name",
    "birth_year",
    "skin_type",
    "concerns",
    "screening",
    "created_at",
    "updated_at",
)
OVERVIEW_COURSE = ("id", "title", "status", "created_at")
OVERVIEW_RESULT = (  # the `course_result` columns; `journal.store.result_sql.COLUMNS` is this list
    "course_id",
    "score",
    "verdict",
    "confidence",
    "open_flags",
    "seen_flags",
    "sessions",
    "last_visit",
    "computed_for",
    "valid_from",
    "valid_until",
    "formula",
)


def overview_sql(patient_columns: Sequence[str]) -> str:
    """Every patient LEFT JOIN their courses LEFT JOIN the courses' stored results, by name.

    Plain SQL that sqlite3 and psycopg run as it is (no parameters); the same
    joins and order as `journal.services.results.overview`, on the course's
    patient index and the result's primary key.
    """
    selected = [f"p.{name}" for name in patient_columns]
    selected += [f"c.{name} AS c_{name}" for name in OVERVIEW_COURSE]
    selected += [f"r.{name} AS r_{name}" for name in OVERVIEW_RESULT]
    return (
        f"SELECT {', '.join(selected)} FROM patient p"
        " LEFT OUTER JOIN course c ON c.patient_id = p.id"
        " LEFT OUTER JOIN course_result r ON r.course_id = c.id"
        " ORDER BY lower(p.display_name), p.created_at, p.id"
    )


def overview_kind(name: str) -> str:
    """How a column of `overview_sql` is typed (see `COLUMN_KINDS`), for either reader."""
    if name.startswith("c_") and name[2:] in OVERVIEW_COURSE:
        return COLUMN_KINDS["course"][name[2:]]
    if name.startswith("r_") and name[2:] in OVERVIEW_RESULT:
        return COLUMN_KINDS["course_result"][name[2:]]
    return COLUMN_KINDS["patient"].get(name, "plain")
