"""SQLAlchemy 2.0 models of the journal.

Every row carries a UUID primary key (journals from different machines can be
merged without renumbering) and created/updated timestamps (a merge keeps the
newer version of a record). Lists that belong to one record and are never
queried on their own (areas, serums, symptoms) are JSON columns: they keep the
schema small and the row self-describing. The MetaData naming convention makes
constraint names predictable so Alembic batch migrations on SQLite can alter
them later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored as UTC and always read back timezone-aware.

    SQLite has no time zones; without this a value written as aware comes back
    naive and comparisons across databases go wrong.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Stamped:
    """UUID identity plus the timestamps a merge compares."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PatientRow(Stamped, Base):
    __tablename__ = "patient"

    display_name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    skin_type: Mapped[int | None] = mapped_column(Integer)
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)
    screening: Mapped[list[str]] = mapped_column(JSON, default=list)

    courses: Mapped[list[CourseRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="CourseRow.created_at"
    )

    __table_args__ = (
        CheckConstraint("skin_type IS NULL OR skin_type BETWEEN 1 AND 6", name="skin_type"),
        Index(None, "display_name"),
    )


class ProviderRow(Stamped, Base):
    __tablename__ = "provider"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    credentials: Mapped[str | None] = mapped_column(String(120))
    clinic: Mapped[str | None] = mapped_column(String(200))


class CourseRow(Stamped, Base):
    __tablename__ = "course"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)
    planned_sessions: Mapped[int] = mapped_column(Integer, default=3)
    interval_weeks_min: Mapped[int] = mapped_column(Integer, default=4)
    interval_weeks_max: Mapped[int] = mapped_column(Integer, default=6)
    status: Mapped[str] = mapped_column(String(20), default="active")

    patient: Mapped[PatientRow] = relationship(back_populates="courses")

    __table_args__ = (
        CheckConstraint("planned_sessions BETWEEN 1 AND 20", name="planned_sessions"),
        CheckConstraint(
            "interval_weeks_min BETWEEN 1 AND 52 AND interval_weeks_max >= interval_weeks_min",
            name="interval",
        ),
        Index(None, "patient_id"),
    )


class SessionRow(Stamped, Base):
    """One microneedling session (`SessionRow`: the record type `Session` lives in core)."""

    __tablename__ = "session"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL")
    )
    setting: Mapped[str] = mapped_column(String(20), default="in-office")
    device_kind: Mapped[str | None] = mapped_column(String(20))
    device_name: Mapped[str | None] = mapped_column(String(80))
    depth_mm: Mapped[float | None] = mapped_column(Numeric(4, 2, asdecimal=False))
    depth_by_area: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    passes: Mapped[int | None] = mapped_column(Integer)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    serums: Mapped[list[str]] = mapped_column(JSON, default=list)
    anesthetic: Mapped[str | None] = mapped_column(String(120))
    pain: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(Text)

    provider: Mapped[ProviderRow | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("pain IS NULL OR pain BETWEEN 0 AND 10", name="pain"),
        CheckConstraint("depth_mm IS NULL OR depth_mm BETWEEN 0.1 AND 3.5", name="depth"),
        CheckConstraint("passes IS NULL OR passes BETWEEN 1 AND 20", name="passes"),
        Index(None, "course_id", "date"),
        Index(None, "provider_id"),  # 0002: provider deletes, per-provider lists
    )


SYMPTOM_COLUMNS = (
    "redness",
    "swelling",
    "bruising",
    "bleeding",
    "pain",
    "itching",
    "flaking",
    "tightness",
    "sensitivity",
)


class CheckInRow(Stamped, Base):
    """A day's recovery and progress ratings; symptoms are columns so they can be charted."""

    __tablename__ = "checkin"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    redness: Mapped[int | None] = mapped_column(Integer)
    swelling: Mapped[int | None] = mapped_column(Integer)
    bruising: Mapped[int | None] = mapped_column(Integer)
    bleeding: Mapped[int | None] = mapped_column(Integer)
    pain: Mapped[int | None] = mapped_column(Integer)
    itching: Mapped[int | None] = mapped_column(Integer)
    flaking: Mapped[int | None] = mapped_column(Integer)
    tightness: Mapped[int | None] = mapped_column(Integer)
    sensitivity: Mapped[int | None] = mapped_column(Integer)
    downtime: Mapped[bool | None] = mapped_column()
    concerns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gais: Mapped[str | None] = mapped_column(String(30))
    verdict: Mapped[str | None] = mapped_column(String(20))
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        *(
            CheckConstraint(f"{name} IS NULL OR {name} BETWEEN 0 AND 10", name=name)
            for name in SYMPTOM_COLUMNS
        ),
        Index(None, "course_id", "date"),
    )


class PhotoRow(Stamped, Base):
    """A stored photo; the files live in the photo store under their content hash."""

    __tablename__ = "photo"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("session.id", ondelete="SET NULL")
    )
    checkin_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("checkin.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20))
    area: Mapped[str | None] = mapped_column(String(80))
    angle: Mapped[str | None] = mapped_column(String(40))
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    taken_at_source: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    display_path: Mapped[str] = mapped_column(String(200))
    thumb_path: Mapped[str] = mapped_column(String(200))
    original_path: Mapped[str | None] = mapped_column(String(200))
    original_name: Mapped[str | None] = mapped_column(String(255))
    # 0009, photos as evidence (journal.services.evidence): NULL means not yet read.
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    measures: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        Index(None, "course_id", "taken_at"),
        # 0002: ON DELETE SET NULL must find these rows without scanning every photo
        Index(None, "session_id"),
        Index(None, "checkin_id"),
    )


class ReviewRow(Stamped, Base):
    """A provider's observer rating (GAIS, Goodman & Baron grade) at a visit."""

    __tablename__ = "review"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL")
    )
    gais: Mapped[str | None] = mapped_column(String(30))
    goodman_baron: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    provider: Mapped[ProviderRow | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "goodman_baron IS NULL OR goodman_baron BETWEEN 1 AND 4", name="goodman_baron"
        ),
        Index(None, "course_id", "date"),
        Index(None, "provider_id"),  # 0002
    )


class FlagRow(Stamped, Base):
    """What a provider recorded about one red flag: seen, then resolved.

    Red flags are derived from check-ins, so only a provider's action is
    stored, under the flag's computed id (`journal.core.flags.flag_id`); a flag
    with no row is open. `course_id` is a plain column, not a foreign key: a
    deleted course can come back by undo with the same id, and its flags'
    reviews must still be here to attach to it. The patient key cascades, so an
    erasure takes them.
    """

    __tablename__ = "flag"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    course_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key: Mapped[str] = mapped_column(String(60))
    first_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    seen_by: Mapped[str | None] = mapped_column(String(120))
    seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    seen_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    lasting: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'seen', 'resolved')", name="status"),
        Index(None, "course_id"),
        Index(None, "patient_id"),
    )


class CourseResultRow(Base):
    """A course's current result, kept by the write that changes its inputs (0008).

    What the provider list shows per course (score, verdict, confidence, open
    and seen red flags, sessions done, last visit), so a clinic's list is one
    query instead of scoring every course. `journal.core.results` computes it,
    `journal.store.result_sql` writes it; `valid_from`/`valid_until` are the
    days it stays exact for and `formula` the version of the computation, so a
    read outside them (or of an older formula) recomputes instead.
    """

    __tablename__ = "course_result"

    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[str] = mapped_column(String(10))
    open_flags: Mapped[int] = mapped_column(Integer)
    seen_flags: Mapped[int] = mapped_column(Integer)
    sessions: Mapped[int] = mapped_column(Integer)
    last_visit: Mapped[dt.date | None] = mapped_column(Date)
    computed_for: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    formula: Mapped[int] = mapped_column(Integer)


class ChangeRow(Base):
    """One line of the append-only change log (an edit's field, a delete's tombstone).

    Not `Stamped`: a change is never updated, and it outlives the record it
    names, so `record_id` and `patient_id` are plain columns, not foreign keys.
    `old`/`new` hold JSON values (a delete's `old` is the whole row); `reverts`
    names the batch an undo reverted.
    """

    __tablename__ = "change"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    field: Mapped[str | None] = mapped_column(String(40))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    reverts: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (
        CheckConstraint("action IN ('edit', 'delete', 'undo', 'erase')", name="action"),
        Index(None, "batch_id"),
        Index(None, "patient_id", "at"),
        Index(None, "record_id"),
        Index(None, "at"),
        Index(None, "reverts"),
    )


class PhotoBlobRow(Base):
    """One stored photo file's bytes, for a journal whose photos live in the database.

    Keyed by the original's content hash and which file it is (display, thumb,
    original), like the folder store's file names, so a re-import lands on the
    same row. `digest` is the sha256 of `data` itself: `journal doctor` proves
    the bytes are the ones written. A deleted photo's files are kept for undo
    by marking them with the delete's batch (`trashed_batch`, `trashed_at`), not
    by moving them; readers see only rows without a mark. Not `Stamped`: the
    key is the content, and no archive carries this table (migration 0010).
    """

    __tablename__ = "photo_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    which: Mapped[str] = mapped_column(String(10), primary_key=True)
    extension: Mapped[str] = mapped_column(String(5), default="jpg")
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    trashed_batch: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    trashed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("which IN ('display', 'thumb', 'original')", name="which"),
        Index(None, "trashed_batch"),
    )


class SettingRow(Base):
    """One journal setting (the clinic's name, the provider's): a name and its text.

    Settings belong to the journal, not to a patient, so they have no patient
    column and no archive carries them; see journal.services.settings (0006).
    """

    __tablename__ = "setting"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


__all__ = [
    "Base",
    "ChangeRow",
    "CheckInRow",
    "CourseResultRow",
    "CourseRow",
    "FlagRow",
    "PatientRow",
    "PhotoBlobRow",
    "PhotoRow",
    "ProviderRow",
    "ReviewRow",
    "SessionRow",
    "SettingRow",
]


def column_kinds() -> dict[str, dict[str, str]]:
    """Every column of every table and how its value reads back: the fast reader's map.

    `journal.store.column_kinds` holds the result as a plain literal so the
    fast reader never imports SQLAlchemy; a test keeps the two equal, so the
    reader's column sets are derived from these models, never kept by hand.
    """
    kinds: dict[str, dict[str, str]] = {}
    for table in Base.metadata.sorted_tables:
        found: dict[str, str] = {}
        for column in table.columns:
            found[column.name] = _kind_of(column.type)
        kinds[table.name] = dict(sorted(found.items()))
    return dict(sorted(kinds.items()))


def _kind_of(sql_type: Any) -> str:
    if isinstance(sql_type, Uuid):
        return "uuid"
    if isinstance(sql_type, UTCDateTime):
        return "datetime"
    if isinstance(sql_type, Date):
        return "date"
    if isinstance(sql_type, JSON):
        return "json"
    if isinstance(sql_type, Boolean):
        return "bool"
    if isinstance(sql_type, Numeric):
        return f"decimal:{sql_type.scale}" if sql_type.asdecimal else "float"
    return "plain"  # integers and text come back from sqlite3 as they are


def render_column_kinds() -> str:
    """The source of `journal/store/column_kinds.py` (see `column_kinds`)."""
    import pprint

    body = pprint.pformat(column_kinds(), width=96, sort_dicts=False)
    return (
        '"""Generated from journal.store.models.column_kinds(): do not edit by hand.\n\n'
        "tests/store/test_column_kinds.py says how to regenerate it when the models change.\n"
        '"""\n\n'
        f"COLUMN_KINDS: dict[str, dict[str, str]] = {body}\n"
    )
