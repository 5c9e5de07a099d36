"""The change log as `journal log` shows it: read without SQLAlchemy on a current SQLite journal.

`journal log` over a clinic's 10,000 changes must answer in 300 ms as a
whole process, and importing SQLAlchemy alone costs most of that. Like
`reading.history_for`, `log_for` reads a current SQLite journal with the
standard library (`journal.store.sqlite_reader`), a current PostgreSQL
journal with psycopg alone (`journal.store.pg_reader`), and falls back to the
ORM path (`amend.change_log`, which creates and migrates) for everything
else; all give the same `LogEntry` rows, and tests hold the paths equal.

Rendering is done here in one pass per entry, not through the generic
`to_jsonable` recursion: ids stay text, a stored JSON value is decoded only
when a line shows it, and the whole output is one string to write once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from journal.core.lookup import match_patient
from journal.services.reading import (
    any_link,
    driver_errors,
    open_pg_reader,
    open_reader,
    settled_home,
)
from journal.store.location import Location, resolve_location
from journal.store.pg_reader import PGReader
from journal.store.sqlite_reader import SQLiteReader


@dataclass(frozen=True)
class Change:
    """One line of the change log, as people read it."""

    id: uuid.UUID
    batch_id: uuid.UUID
    at: dt.datetime
    actor: str
    action: str  # edit | delete | undo | erase
    kind: str
    record_id: uuid.UUID
    patient_id: uuid.UUID | None
    field: str | None
    old: Any
    new: Any
    reverts: uuid.UUID | None


class LogEntry(NamedTuple):
    """One change as stored: ids as `str(UUID)` text, `at` as stored, values as JSON text.

    Kept raw so printing 10,000 lines never builds 50,000 UUIDs or decodes a
    deleted record's whole tombstone that the text line does not show.
    """

    id: str | None  # None when read for text lines only (full=False)
    batch_id: str | None
    at: str | dt.datetime  # SQLite's stored text, or an aware datetime from the ORM
    actor: str
    action: str
    kind: str  # the table name: checkin, session...
    record_id: str
    patient_id: str | None
    field: str | None
    old: str | float | None  # JSON text; a bare number comes back from SQLite as a number
    new: str | float | None
    reverts: str | None


def log_for(
    home: str | os.PathLike[str] | None,
    db_url: str | None,
    patient_ref: str | None = None,
    *,
    limit: int | None = None,
    full: bool = True,
) -> list[LogEntry]:
    """The change log, newest first; one patient's changes with `patient_ref`.

    `full=False` may leave out what `log_lines` does not show (ids other than
    the record's, a deleted record's tombstone): for text output only.
    """
    location = resolve_location(home, db_url)
    db_file = location.sqlite_path
    reader = None
    if db_file is not None and not any_link(location.home, location.photos_dir, db_file):
        reader = open_reader(location, db_file)
    if reader is not None:
        try:
            return _read_fast(reader, patient_ref, limit, full)
        except (sqlite3.Error, AttributeError, ValueError, *driver_errors()):  # type: ignore[misc]
            pass  # a damaged or altered database: the ORM path below says what is wrong
    elif PGReader.handles(location.db_url) and settled_home(location):
        entries = _read_pg(location, patient_ref, limit)
        if entries is not None:
            return entries
    from journal.services.amend import change_log
    from journal.services.journal import open_journal

    with open_journal(location=location) as journal:
        return [_entry(c) for c in change_log(journal, patient_ref, limit=limit)]


def _read_fast(
    reader: SQLiteReader, patient_ref: str | None, limit: int | None, full: bool
) -> list[LogEntry]:
    with reader:
        patient_id = None
        if patient_ref is not None:
            patient_id = match_patient(
                patient_ref,
                reader.patient_names(),
                lambda ids: {row["id"]: row["birth_year"] for row in reader.patients(ids)},
            )
        rows = reader.changes(patient_id, limit, full=full)
        if not full:
            return [LogEntry(*row) for row in rows]
        return [
            LogEntry(
                _uuid_text(i),
                _uuid_text(batch),
                at,
                actor,
                action,
                kind,
                _uuid_text(record),
                _dashed(patient),
                field,
                old,
                new,
                _dashed(reverts),
            )
            for i, batch, at, actor, action, kind, record, patient, field, old, new, reverts in rows
        ]


def _read_pg(
    location: Location, patient_ref: str | None, limit: int | None
) -> list[LogEntry] | None:
    """The log read through psycopg alone (see `reading.history_for`); None: ask the ORM."""
    import psycopg

    reader = open_pg_reader(location)
    if reader is None:
        return None
    try:
        with reader:
            patient_id = None
            if patient_ref is not None:
                patient_id = match_patient(
                    patient_ref,
                    reader.patient_names(),
                    lambda ids: {row["id"]: row["birth_year"] for row in reader.patients(ids)},
                )
            return [_entry(Change(**row)) for row in reader.changes(patient_id, limit)]
    except (psycopg.Error, AttributeError, TypeError):
        return None  # an altered database: the ORM path says what is wrong


def _dashed(stored: str | None) -> str | None:
    return None if stored is None else _uuid_text(stored)


def _uuid_text(stored: str) -> str:
    """A stored id (32 hex digits) as `str(uuid.UUID(...))` writes it, without the UUID."""
    if len(stored) != 32:
        return str(uuid.UUID(stored))  # not SQLAlchemy's form: uuid says what is wrong
    h = stored.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _entry(change: Change) -> LogEntry:
    """The ORM path's `Change` in the stored form the renderers read."""

    def text(value: uuid.UUID | None) -> str | None:
        return str(value) if value is not None else None

    def encoded(value: Any) -> str | None:
        return json.dumps(value) if value is not None else None

    return LogEntry(
        str(change.id),
        str(change.batch_id),
        change.at,
        change.actor,
        change.action,
        "checkin" if change.kind == "check-in" else change.kind,
        str(change.record_id),
        text(change.patient_id),
        change.field,
        encoded(change.old),
        encoded(change.new),
        text(change.reverts),
    )


# -- rendering -------------------------------------------------------------------------


def _word(table: str) -> str:
    return "check-in" if table == "checkin" else table


def _when(at: str | dt.datetime) -> dt.datetime:
    """`at` as an aware UTC datetime, read as `sqlite_reader` reads any stored datetime."""
    stamp = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def _iso(at: str | dt.datetime) -> str:
    """`_when(at).isoformat()`, straight from SQLAlchemy's SQLite form when `at` is in it."""
    if isinstance(at, str) and len(at) == 26 and at[10] == " " and at[19] == ".":
        seconds = at[11:19] if at.endswith(".000000") else at[11:]
        return f"{at[:10]}T{seconds}+00:00"
    return _when(at).isoformat()


def _decoded(text: str | float | None) -> Any:
    """A stored value: SQLite gives a JSON number back as a number (NUMERIC affinity)."""
    return json.loads(text) if isinstance(text, str) else text


def log_lines(entries: Sequence[LogEntry]) -> list[str]:
    """One line per change: when (local time), who, what, old -> new."""
    local: dict[Any, str] = {}  # one zone conversion per minute, not per line
    lines = []
    for e in entries:
        minute = e.at[:16] if isinstance(e.at, str) else e.at
        when = local.get(minute)
        if when is None:
            when = local[minute] = _when(e.at).astimezone().strftime("%Y-%m-%d %H:%M")
        what = f"{_word(e.kind)} {e.record_id[:8]}"
        if e.action == "delete" or (e.action == "undo" and e.field is None):
            detail = "deleted" if e.action == "delete" else "restored"
        elif e.action == "erase":
            detail = "erased"
        else:
            detail = f"{e.field}: {_shown(e.old)} -> {_shown(e.new)}"
        lines.append(f"{when}  {e.actor:<16}  {e.action:<6}  {what}  {detail}")
    return lines


def _shown(text: str | float | None) -> str:
    """A stored JSON value as a person reads it; a plain string is used as stored."""
    if isinstance(text, str) and text[:1] == '"' and "\\" not in text:
        return text[1:-1]  # what str(json.loads(text)) gives
    value = _decoded(text)
    if value is None or value == [] or value == {}:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


# One encoder each, made once: `json.dumps` with options builds a new one per call.
_string = json.JSONEncoder(ensure_ascii=False).encode
_indented = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def _nested(value: dict[str, Any] | list[Any]) -> str:
    """A list or object value, indented as it sits: one level inside an entry."""
    return _indented(value).replace("\n", "\n    ")  # strings never hold a raw newline


def _value(text: str | float | None) -> str:
    """A stored JSON value as the document writes it (non-ASCII unescaped, indented).

    A plain string without escapes is already written that way, and so are
    null, true, false and integers; only what could differ is decoded.
    """
    if not isinstance(text, str):
        return _string(text)  # None or a number
    if "\\" not in text and (text[:1] == '"' or text in ("null", "true", "false")):
        return text
    value = json.loads(text)
    return _nested(value) if isinstance(value, dict | list) else _string(value)


def _quoted(text: str | None) -> str:
    """An id or a timestamp: nothing in it needs escaping."""
    return "null" if text is None else f'"{text}"'


def log_document(entries: Iterable[LogEntry]) -> str:
    """The `log --json` document: exactly `json.dumps(to_jsonable(changes), indent=2)`.

    Written entry by entry: the standard encoder's indented mode is pure
    Python and walks every value generically, so only a stored value that is
    a list or an object goes through it (indented one level deeper); ids and
    times are hex digits and ISO text, written as they are.
    """

    blocks = []
    for e in entries:
        blocks.append(
            "  {\n"
            f'    "id": "{e.id}",\n'
            f'    "batch_id": "{e.batch_id}",\n'
            f'    "at": "{_iso(e.at)}",\n'
            f'    "actor": {_string(e.actor)},\n'
            f'    "action": {_string(e.action)},\n'
            f'    "kind": {_string(_word(e.kind))},\n'
            f'    "record_id": "{e.record_id}",\n'
            f'    "patient_id": {_quoted(e.patient_id)},\n'
            f'    "field": {_string(e.field)},\n'
            f'    "old": {_value(e.old)},\n'
            f'    "new": {_value(e.new)},\n'
            f'    "reverts": {_quoted(e.reverts)}\n'
            "  }"
        )
    return "[\n" + ",\n".join(blocks) + "\n]" if blocks else "[]"
