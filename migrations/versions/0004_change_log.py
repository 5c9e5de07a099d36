"""The change log: every edit, delete and undo, and the tombstones of deleted records.

One append-only table. It is written in the same transaction as the change it
describes, so it never disagrees with the records; `record_id` and
`patient_id` are plain columns (no foreign keys) because a change outlives the
record it names: a tombstone is exactly that.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.Column("reverts", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "action IN ('edit', 'delete', 'undo', 'erase')", name=op.f("ck_change_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index(op.f("ix_change_batch_id"), "change", ["batch_id"])
    op.create_index(op.f("ix_change_patient_id_at"), "change", ["patient_id", "at"])
    op.create_index(op.f("ix_change_record_id"), "change", ["record_id"])
    op.create_index(op.f("ix_change_at"), "change", ["at"])
    op.create_index(op.f("ix_change_reverts"), "change", ["reverts"])


def downgrade() -> None:
    op.drop_table("change")
