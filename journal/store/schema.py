"""The schema revision this release writes, importable without SQLAlchemy.

Readers that bypass SQLAlchemy for speed (see `sqlite_reader`) and the
migrate-on-open fast path both compare the stored revision with this constant;
a test keeps it equal to the Alembic scripts' head.
"""

HEAD_REVISION = "0008"
