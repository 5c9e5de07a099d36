"""Initial schema: patients, providers, courses, sessions, check-ins, photos, reviews.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:48:44.968724
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "patient",
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("skin_type", sa.Integer(), nullable=True),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "skin_type IS NULL OR skin_type BETWEEN 1 AND 6", name=op.f("ck_patient_skin_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_display_name"), ["display_name"], unique=False)

    op.create_table(
        "provider",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("credentials", sa.String(length=120), nullable=True),
        sa.Column("clinic", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
        sa.UniqueConstraint("name", name=op.f("uq_provider_name")),
    )
    op.create_table(
        "course",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("planned_sessions", sa.Integer(), nullable=False),
        sa.Column("interval_weeks_min", sa.Integer(), nullable=False),
        sa.Column("interval_weeks_max", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interval_weeks_min BETWEEN 1 AND 52 AND interval_weeks_max >= interval_weeks_min",
            name=op.f("ck_course_interval"),
        ),
        sa.CheckConstraint(
            "planned_sessions BETWEEN 1 AND 20", name=op.f("ck_course_planned_sessions")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_course_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "checkin",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("redness", sa.Integer(), nullable=True),
        sa.Column("swelling", sa.Integer(), nullable=True),
        sa.Column("bruising", sa.Integer(), nullable=True),
        sa.Column("bleeding", sa.Integer(), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("itching", sa.Integer(), nullable=True),
        sa.Column("flaking", sa.Integer(), nullable=True),
        sa.Column("tightness", sa.Integer(), nullable=True),
        sa.Column("sensitivity", sa.Integer(), nullable=True),
        sa.Column("downtime", sa.Boolean(), nullable=True),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("gais", sa.String(length=30), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "bleeding IS NULL OR bleeding BETWEEN 0 AND 10", name=op.f("ck_checkin_bleeding")
        ),
        sa.CheckConstraint(
            "bruising IS NULL OR bruising BETWEEN 0 AND 10", name=op.f("ck_checkin_bruising")
        ),
        sa.CheckConstraint(
            "flaking IS NULL OR flaking BETWEEN 0 AND 10", name=op.f("ck_checkin_flaking")
        ),
        sa.CheckConstraint(
            "itching IS NULL OR itching BETWEEN 0 AND 10", name=op.f("ck_checkin_itching")
        ),
        sa.CheckConstraint("pain IS NULL OR pain BETWEEN 0 AND 10", name=op.f("ck_checkin_pain")),
        sa.CheckConstraint(
            "redness IS NULL OR redness BETWEEN 0 AND 10", name=op.f("ck_checkin_redness")
        ),
        sa.CheckConstraint(
            "sensitivity IS NULL OR sensitivity BETWEEN 0 AND 10",
            name=op.f("ck_checkin_sensitivity"),
        ),
        sa.CheckConstraint(
            "swelling IS NULL OR swelling BETWEEN 0 AND 10", name=op.f("ck_checkin_swelling")
        ),
        sa.CheckConstraint(
            "tightness IS NULL OR tightness BETWEEN 0 AND 10", name=op.f("ck_checkin_tightness")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_checkin_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkin_course_id_date"), ["course_id", "date"], unique=False
        )

    op.create_table(
        "review",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("gais", sa.String(length=30), nullable=True),
        sa.Column("goodman_baron", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "goodman_baron IS NULL OR goodman_baron BETWEEN 1 AND 4",
            name=op.f("ck_review_goodman_baron"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_review_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_review_provider_id_provider"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_course_id_date"), ["course_id", "date"], unique=False
        )

    op.create_table(
        "treatment",
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
        sa.Column("adjuncts", sa.JSON(), nullable=False),
        sa.Column("anesthetic", sa.String(length=120), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "depth_mm IS NULL OR depth_mm BETWEEN 0.1 AND 3.5", name=op.f("ck_treatment_depth")
        ),
        sa.CheckConstraint("pain IS NULL OR pain BETWEEN 0 AND 10", name=op.f("ck_treatment_pain")),
        sa.CheckConstraint(
            "passes IS NULL OR passes BETWEEN 1 AND 20", name=op.f("ck_treatment_passes")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_treatment_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_treatment_provider_id_provider"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment")),
    )
    with op.batch_alter_table("treatment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_course_id_date"), ["course_id", "date"], unique=False
        )

    op.create_table(
        "photo",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("treatment_id", sa.Uuid(), nullable=True),
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
            ["treatment_id"],
            ["treatment.id"],
            name=op.f("fk_photo_treatment_id_treatment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo")),
        sa.UniqueConstraint("sha256", name=op.f("uq_photo_sha256")),
    )
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_photo_course_id_taken_at"), ["course_id", "taken_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_course_id_taken_at"))

    op.drop_table("photo")
    with op.batch_alter_table("treatment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_course_id_date"))

    op.drop_table("treatment")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_course_id_date"))

    op.drop_table("review")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_course_id_date"))

    op.drop_table("checkin")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_patient_id"))

    op.drop_table("course")
    op.drop_table("provider")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_display_name"))

    op.drop_table("patient")
