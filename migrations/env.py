"""Alembic environment for the journal.

Runs two ways: programmatically at open (the caller hands over a connection in
`config.attributes["connection"]`), or from the checkout with
`alembic upgrade head` (URL from `-x url=...`, `JOURNAL_DB_URL`, or alembic.ini).
SQLite needs batch mode to alter tables, and foreign keys off while a batch
migration copies a table, or the copy would cascade deletes.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, text

from journal.store.engine import make_engine
from journal.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("JOURNAL_DB_URL")
        or config.get_main_option("sqlalchemy.url")
        or "sqlite:///journal.db"
    )


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        if connection.in_transaction():
            connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        if connection.in_transaction():
            connection.commit()
        connection.execute(text("PRAGMA foreign_keys=ON"))


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
