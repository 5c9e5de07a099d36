"""One name per concept: table treatment -> session, adjuncts -> serums.

Users log "sessions"; the table, the photo's link and the serum list now say
so too (`session`, `photo.session_id`, `session.serums`), and every
constraint and index whose name derived from the old names is renamed so the
database matches the models' naming convention exactly.

PostgreSQL renames in place (ALTER TABLE/INDEX ... RENAME, RENAME
CONSTRAINT): no row is copied. SQLite cannot rename a constraint, so its
tables are rebuilt: a new `session` table is created with the final
definition and filled from `treatment`, then `photo` is rebuilt the same way
with `session_id` pointing at `session`, then `treatment` is dropped. The
Alembic environment runs migrations with `PRAGMA foreign_keys=OFF`, so
dropping `treatment` and the old `photo` cascades nothing; the rows are copied
column by column, ids unchanged, so every link survives.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old, new) names for each direction; PostgreSQL uses these verbatim.
CONSTRAINTS = (
    ("treatment", "pk_treatment", "pk_session"),
    ("treatment", "ck_treatment_pain", "ck_session_pain"),
    ("treatment", "ck_treatment_depth", "ck_session_depth"),
    ("treatment", "ck_treatment_passes", "ck_session_passes"),
    ("treatment", "fk_treatment_course_id_course", "fk_session_course_id_course"),
    ("treatment", "fk_treatment_provider_id_provider", "fk_session_provider_id_provider"),
    ("photo", "fk_photo_treatment_id_treatment", "fk_photo_session_id_session"),
)
INDEXES = (
    ("ix_treatment_course_id_date", "ix_session_course_id_date"),
    ("ix_treatment_provider_id", "ix_session_provider_id"),
    ("ix_photo_treatment_id", "ix_photo_session_id"),
)
STAMPS = ("id", "created_at", "updated_at")
SESSION_COLUMNS = (
    "course_id",
    "date",
    "provider_id",
    "setting",
    "device_kind",
    "device_name",
    "depth_mm",
    "depth_by_area",
    "passes",
    "areas",
    "<serums>",
    "anesthetic",
    "pain",
    "cost",
    "currency",
    "notes",
    *STAMPS,
)
PHOTO_COLUMNS = (
    "course_id",
    "<link>",
    "checkin_id",
    "kind",
    "area",
    "angle",
    "taken_at",
    "taken_at_source",
    "sha256",
    "width",
    "height",
    "display_path",
    "thumb_path",
    "original_path",
    "original_name",
    *STAMPS,
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(
            new=("session", "serums", "session_id"), old=("treatment", "adjuncts", "treatment_id")
        )
        return
    op.rename_table("treatment", "session")
    op.alter_column("session", "adjuncts", new_column_name="serums")
    op.alter_column("photo", "treatment_id", new_column_name="session_id")
    for table, old, new in CONSTRAINTS:
        table = "session" if table == "treatment" else table
        op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"')
    for old, new in INDEXES:
        op.execute(f'ALTER INDEX "{old}" RENAME TO "{new}"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(
            new=("treatment", "adjuncts", "treatment_id"), old=("session", "serums", "session_id")
        )
        return
    for old, new in INDEXES:
        op.execute(f'ALTER INDEX "{new}" RENAME TO "{old}"')
    for table, old, new in CONSTRAINTS:
        table = "session" if table == "treatment" else table
        op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{new}" TO "{old}"')
    op.alter_column("photo", "session_id", new_column_name="treatment_id")
    op.alter_column("session", "serums", new_column_name="adjuncts")
    op.rename_table("session", "treatment")


def _rebuild(new: tuple[str, str, str], old: tuple[str, str, str]) -> None:
    """SQLite: build the session table and photo under the `new` names, copy, drop the old."""
    table, serums, link = new
    old_table, old_serums, old_link = old
    op.create_table(table, *_session_table(table, serums))
    _copy(old_table, table, SESSION_COLUMNS, {"<serums>": (old_serums, serums)})
    op.create_table("_photo_0003", *_photo_table(link, table))
    _copy("photo", "_photo_0003", PHOTO_COLUMNS, {"<link>": (old_link, link)})
    op.drop_table("photo")  # its indexes go with it
    op.drop_table(old_table)
    op.rename_table("_photo_0003", "photo")
    # Indexes last: SQLite index names are global, and the dropped tables held them.
    op.create_index(f"ix_{table}_course_id_date", table, ["course_id", "date"])
    op.create_index(f"ix_{table}_provider_id", table, ["provider_id"])
    op.create_index("ix_photo_course_id_taken_at", "photo", ["course_id", "taken_at"])
    op.create_index(f"ix_photo_{link}", "photo", [link])
    op.create_index("ix_photo_checkin_id", "photo", ["checkin_id"])


def _copy(
    source: str, target: str, columns: Sequence[str], renamed: dict[str, tuple[str, str]]
) -> None:
    reads = [renamed[c][0] if c in renamed else c for c in columns]
    writes = [renamed[c][1] if c in renamed else c for c in columns]
    op.execute(
        f'INSERT INTO "{target}" ({", ".join(writes)}) SELECT {", ".join(reads)} FROM "{source}"'
    )


def _session_table(name: str, serums: str) -> list[sa.SchemaItem]:
    """The session table under `name`, constraints named by the convention for `name`."""
    return [
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("setting", sa.String(length=20), nullable=False),
        sa.Column("device_kind", sa.String(length=20), nullable=True),
        sa.Column("device_name", sa.String(length=80), nullable=True),
        sa.Column("depth_mm", sa.Numeric(precision=4, scale=2, asdecimal=False), nullable=True),
        sa.Column("depth_by_area", sa.JSON(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=True),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column(serums, sa.JSON(), nullable=False),
        sa.Column("anesthetic", sa.String(length=120), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "depth_mm IS NULL OR depth_mm BETWEEN 0.1 AND 3.5", name=op.f(f"ck_{name}_depth")
        ),
        sa.CheckConstraint("pain IS NULL OR pain BETWEEN 0 AND 10", name=op.f(f"ck_{name}_pain")),
        sa.CheckConstraint(
            "passes IS NULL OR passes BETWEEN 1 AND 20", name=op.f(f"ck_{name}_passes")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f(f"fk_{name}_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f(f"fk_{name}_provider_id_provider"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def _photo_table(link: str, session_table: str) -> list[sa.SchemaItem]:
    """`photo` (created under a temporary name), constraint names spelled out as for `photo`."""
    return [
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column(link, sa.Uuid(), nullable=True),
        sa.Column("checkin_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.String(length=80), nullable=True),
        sa.Column("angle", sa.String(length=40), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at_source", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("display_path", sa.String(length=200), nullable=False),
        sa.Column("thumb_path", sa.String(length=200), nullable=False),
        sa.Column("original_path", sa.String(length=200), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["checkin.id"],
            name=op.f("fk_photo_checkin_id_checkin"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_photo_course_id_course"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            [link],
            [f"{session_table}.id"],
            name=op.f(f"fk_photo_{link}_{session_table}"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo")),
        sa.UniqueConstraint("sha256", name=op.f("uq_photo_sha256")),
    ]
