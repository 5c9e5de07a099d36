"""History rows through SQLAlchemy Core: the reader for every kind of database.

Core rows skip the ORM's identity map (several times cheaper per row than
ORM instances, which matters for a clinic's thousand patients) and come back
already typed by the column types, the shape `journal.store.rows` promises.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session as DbSession

from journal.store.models import Base, ProviderRow
from journal.store.rows import PROVIDER_TABLES, Row, chunked


class CoreReader:
    """Reads inside the caller's open session (one snapshot per unit of work)."""

    def __init__(self, db: DbSession) -> None:
        self._db = db

    def patients(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        return self._in(_table("patient"), "id", patient_ids)

    def courses(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        return self._in(_table("course"), "patient_id", patient_ids)

    def course_rows(self, table: str, course_ids: Sequence[uuid.UUID]) -> list[Row]:
        return self._in(_table(table), "course_id", course_ids, table in PROVIDER_TABLES)

    def _in(
        self, table: Table, column: str, ids: Sequence[uuid.UUID], with_provider: bool = False
    ) -> list[Row]:
        columns: list[Any] = [table]
        if with_provider:
            columns.append(ProviderRow.name.label("provider_name"))
        found: list[Row] = []
        for chunk in chunked(list(ids)):
            stmt = select(*columns).where(table.c[column].in_(chunk))
            if with_provider:
                stmt = stmt.outerjoin(ProviderRow, ProviderRow.id == table.c.provider_id)
            found += [dict(row._mapping) for row in self._db.execute(stmt)]
        return found


def _table(name: str) -> Table:
    return Base.metadata.tables[name]
