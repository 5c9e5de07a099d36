"""Red flags get a status a provider sets: seen, then resolved.

Flags are derived from check-ins and are not stored; this table holds only
what a provider recorded about one, under the flag's computed id (a flag with
no row is open). `course_id` is deliberately not a foreign key: undoing a
course delete brings the course back with the same id, and its flags' reviews
attach again. The patient key cascades, so erasing a patient takes them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("seen_by", sa.String(length=120), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_note", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("lasting", sa.Boolean(), nullable=False),
        sa.Column("resolved_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'seen', 'resolved')", name=op.f("ck_flag_status")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_flag_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag")),
    )
    op.create_index(op.f("ix_flag_course_id"), "flag", ["course_id"])
    op.create_index(op.f("ix_flag_patient_id"), "flag", ["patient_id"])


def downgrade() -> None:
    op.drop_table("flag")
