"""Change notification: every committed write to a journal table NOTIFYs `journal_changed`.

PostgreSQL only (SQLite has `PRAGMA data_version`, which needs nothing in the
schema, so this revision is a no-op there). A statement-level AFTER trigger on
each journal table calls `pg_notify('journal_changed', '')`; PostgreSQL
delivers notifications at commit (none for a rolled-back transaction) and
folds identical ones within a transaction, so a bulk import sends one. Being
in the database, it fires for every writer, whichever program or version it
is: the open TUIs (journal.store.watch) then refresh within a second.

The triggers go on every table present when this revision runs (except
Alembic's own), so tables of earlier revisions are all covered; a later
revision that creates a table must add the trigger to it (`add_notify`), and
tests/store/test_live.py checks that every table of the models has one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "journal_notify_changed"
TRIGGER = "journal_changed_notify"


def add_notify(table: str) -> None:
    """The statement-level NOTIFY trigger on one table (PostgreSQL)."""
    op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"'
        f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def _tables() -> list[str]:
    names = sa.inspect(op.get_bind()).get_table_names()
    return sorted(n for n in names if n != "alembic_version")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN PERFORM pg_notify('journal_changed', ''); RETURN NULL; END $$"
    )
    for table in _tables():
        add_notify(table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
