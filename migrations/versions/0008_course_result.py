"""Stored course results: one row per course, filled here for existing journals.

The provider list read every record of every course and scored it on each
read (about 12 s for a 1,000-patient clinic). `course_result` holds each
course's current result (score, verdict, confidence, open and seen red flags,
sessions done, last visit, the day it was computed for and the days it stays
exact for); `journal.services.results` keeps it in the same transaction as
every write that changes its inputs, and the list reads it in one query.

The fill computes every existing course with the same pure function the
writes use (`journal.core.results.course_result`), reading the tables as they
are at this revision (`reflected`), so a later revision's new columns are not
asked for before they exist. On PostgreSQL the new table gets the change
notification trigger of 0007, like every journal table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "course_result"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("open_flags", sa.Integer(), nullable=False),
        sa.Column("seen_flags", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("last_visit", sa.Date(), nullable=True),
        sa.Column("computed_for", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("formula", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_result_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_course_result")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER journal_changed_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f' ON "{TABLE}" FOR EACH STATEMENT EXECUTE FUNCTION journal_notify_changed()'
        )
    from journal.services.results import rebuild_results

    rebuild_results(bind, reflected=True)


def downgrade() -> None:
    op.drop_table(TABLE)
