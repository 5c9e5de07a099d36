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
