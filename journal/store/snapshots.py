"""Rows as plain JSON values and back: what the change log keeps of a record.

An edit logs each changed field's old and new value; a delete logs the whole
row, so undo can put it back exactly (same id, same timestamps). Values are
stored as JSON text in the log, so every column is turned into a JSON value
by its kind (`COLUMN_KINDS`, derived from the models) and read back the same
way: one rule for both directions, whatever the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from journal.store.column_kinds import COLUMN_KINDS


def to_json(kind: str, value: Any) -> Any:
    """One column value as a JSON value (None stays None)."""
    if value is None:
        return None
    if kind == "uuid":
        return str(value)
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind.startswith("decimal:"):
        return str(value)
    return value  # json, bool, float and plain values are JSON already


def from_json(kind: str, value: Any) -> Any:
    """The inverse of `to_json`."""
    if value is None:
        return None
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind.startswith("decimal:"):
        return Decimal(value)
    return value


def field_to_json(table: str, column: str, value: Any) -> Any:
    return to_json(COLUMN_KINDS[table][column], value)


def field_from_json(table: str, column: str, value: Any) -> Any:
    return from_json(COLUMN_KINDS[table][column], value)


def snapshot(table: str, row: Any) -> dict[str, Any]:
    """Every column of an ORM row as JSON values."""
    return {
        column: to_json(kind, getattr(row, column)) for column, kind in COLUMN_KINDS[table].items()
    }


def restored(table: str, data: dict[str, Any]) -> dict[str, Any]:
    """Column values (typed) from a snapshot, for the model's constructor."""
    kinds = COLUMN_KINDS[table]
    return {column: from_json(kinds[column], data.get(column)) for column in kinds}
