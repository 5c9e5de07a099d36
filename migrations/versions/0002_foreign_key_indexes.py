"""Index the foreign keys that deletes and per-session lookups follow.

SQLite and PostgreSQL index a referenced key but not the referencing column.
Deleting a check-in makes the database find the photos that point at it
(`ON DELETE SET NULL`); without an index that is a full scan of `photo` per
deleted row. On a clinic journal (40,000 photos) deleting one patient with 200
check-ins took 4.4 s on SQLite, dominated by those scans; with these indexes
it takes milliseconds (see bench/bench_clinic.py for the plans). The same
indexes serve "photos of this session" and provider lookups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 11:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_photo_treatment_id", "photo", "treatment_id"),
    ("ix_photo_checkin_id", "photo", "checkin_id"),
    ("ix_treatment_provider_id", "treatment", "provider_id"),
    ("ix_review_provider_id", "review", "provider_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(op.f(name), table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
