"""Where a PostgreSQL journal keeps its key header: one row of the `setting` table.

A SQLite journal keeps its header (`journal.store.keys`) in a file beside the
database, because the database itself is encrypted and cannot hold the key
that opens it. A PostgreSQL journal's records stay in the server (the server
protects them); what the journal encrypts there is the photo files, in the
database store or in the local folder. Its header therefore lives in the
database, under the setting name `key_header`: every machine that opens the
journal finds the same header, `pg_dump` carries it, and putting it in or
taking it out happens in the same transaction as the rest of a conversion,
so a kill leaves the old journal or the new one.

The header holds nothing secret in the clear (the journal key is wrapped by
the passphrase's Argon2id key and by the recovery key), so a reader of the
table learns only that the journal is encrypted.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

SETTING = "key_header"
WHERE = "kept in the database"  # how messages name this header ("the key header kept in ...")


def load(engine: Engine) -> bytes | None:
    """The header's bytes, or None for a journal that is not encrypted."""
    with engine.connect() as conn:
        return load_in(conn)


def load_in(db: Connection | Session) -> bytes | None:
    """`load` inside a transaction the caller holds (a conversion's write)."""
    from sqlalchemy import select

    from journal.store.models import SettingRow

    value = db.execute(select(SettingRow.value).where(SettingRow.name == SETTING)).scalar()
    return None if value is None else str(value).encode("utf-8")


def journal_id(data: bytes | None) -> str | None:
    """The header's journal id (a new one per encryption), without unlocking it."""
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return "damaged"
    return str(doc.get("journal_id")) if isinstance(doc, dict) else "damaged"


def save(db: Session, data: bytes) -> None:
    """Put the header in (or replace it) inside the caller's write transaction."""
    from journal.store.models import SettingRow

    text = data.decode("utf-8")
    row = db.get(SettingRow, SETTING)
    if row is None:
        db.add(SettingRow(name=SETTING, value=text))
    else:
        row.value = text
    db.flush()


def drop(db: Session) -> None:
    """Take the header out (decrypt) inside the caller's write transaction."""
    from journal.store.models import SettingRow

    row = db.get(SettingRow, SETTING)
    if row is not None:
        db.delete(row)
        db.flush()
