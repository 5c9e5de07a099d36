"""Photo bytes in the database: table `photo_blob` (issue 17).

A clinic whose records live on PostgreSQL keeps its photos there too, so every
terminal sees every photo and `pg_dump` holds everything. A photo's files are
rows keyed by the original's sha256 and which file (display, thumb, original),
written in the same transaction as the photo's row. `digest` is the sha256 of
the bytes themselves (what `journal doctor` verifies); a deleted photo's rows
are marked with its delete batch (`trashed_batch`) until undo or the doctor's
grace period. Which store a journal uses is a `setting` row (`photo_store`),
written when the journal is created or moved (`journal photos move`), not here.

The new table gets the change-notify trigger of 0007 on PostgreSQL.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "journal_notify_changed"
TRIGGER = "journal_changed_notify"


def upgrade() -> None:
    op.create_table(
        "photo_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("which", sa.String(length=10), nullable=False),
        sa.Column("extension", sa.String(length=5), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trashed_batch", sa.Uuid(), nullable=True),
        sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "which IN ('display', 'thumb', 'original')", name=op.f("ck_photo_blob_which")
        ),
        sa.PrimaryKeyConstraint("sha256", "which", name=op.f("pk_photo_blob")),
    )
    op.create_index(
        op.f("ix_photo_blob_trashed_batch"), "photo_blob", ["trashed_batch"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        # JPEG bytes do not compress: skip TOAST's pglz attempt, store out of line
        op.execute('ALTER TABLE "photo_blob" ALTER COLUMN "data" SET STORAGE EXTERNAL')
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "photo_blob"'
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_blob_trashed_batch"), table_name="photo_blob")
    op.drop_table("photo_blob")
