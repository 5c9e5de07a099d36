"""Generate a clinic-sized journal quickly, on SQLite (a home folder) or PostgreSQL (a URL).

A clinic that outgrows one machine holds on the order of 1,000 patients,
5,000 courses, 20,000 sessions, 200,000 check-ins and 40,000 photos. Building
that through the services (one transaction per record) would take an hour;
this writes the same rows with SQLAlchemy Core bulk inserts (executemany, and
"insertmanyvalues" batches on PostgreSQL) in well under a minute, through the
real migrated schema so the indexes are the ones users get.

Photos: a few real synthetic skin photos are run through the real pipeline
into the photo store; every photo row points at one of them (each row keeps
its own unique sha256, as the schema requires), so screens and `journal
doctor` find files that exist and decode without 40,000 images on disk.

Use from another bench::

    sys.path.insert(0, "bench"); from clinic import make_clinic
    info = make_clinic("/tmp/clinic-home")                        # SQLite
    info = make_clinic("postgresql://user@host/db", home="/tmp/h")  # PostgreSQL

Run as a script to build one and print the counts and timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

FIRST_NAMES = [
    "Alex",
    "Ana",
    "Ben",
    "Carla",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Grace",
    "Hana",
    "Ivan",
    "Jade",
    "Kai",
    "Lena",
    "Maya",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vera",
    "Wen",
    "Yara",
    "Zoe",
    "Leo",
    "Mia",
    "Nina",
]
LAST_NAMES = [
    "Rivera",
    "Okafor",
    "Novak",
    "Schmidt",
    "Tanaka",
    "Haddad",
    "Silva",
    "Kowalski",
    "Moreau",
    "Jensen",
    "Rossi",
    "Park",
    "Nguyen",
    "Costa",
    "Ahmed",
    "Larsen",
    "Dubois",
    "Meyer",
    "Santos",
    "Yilmaz",
]
CONCERNS = ("acne-scars", "fine-lines", "wrinkles", "large-pores", "texture", "hyperpigmentation")
AREAS = ("full-face", "cheeks", "forehead", "neck", "chin", "jawline")
SERUMS = ("prp", "hyaluronic-acid", "vitamin-c", "growth-factors", "exosomes")
DEVICES = (("pen", "Dermapen"), ("pen", "SkinPen"), ("rf", "Morpheus8"), ("rf", "Vivace"))
RED_FLAGS = ("blistering", "infection", "hyperpigmentation", "cold-sore")
GAIS_BY_PROGRESS = ("no-change", "improved", "improved", "much-improved", "very-much-improved")
CHECKIN_DAYS = (1, 2, 3, 4, 5, 7, 10, 14, 21, 28)
CHUNK = 5_000


@dataclass(frozen=True)
class ClinicInfo:
    """What was built: where, how much, how long, and a typical patient to look at."""

    home: Path
    db_url: str | None
    counts: dict[str, int]
    seconds: float
    sample_patient: str  # display name of a patient with an average-sized history
    photo_files: list[str] = field(default_factory=list)


def make_clinic(
    target: str | os.PathLike[str],
    *,
    home: str | os.PathLike[str] | None = None,
    patients: int = 1_000,
    courses: int = 5_000,
    sessions: int = 20_000,
    checkins: int = 200_000,
    photos: int = 40_000,
    reviews: int | None = None,
    providers: int = 20,
    real_photos: int = 4,
    seed: int = 2024,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ClinicInfo:
    """Fill an empty journal with a clinic; `target` is a home folder or a database URL.

    Counts are spread evenly (a course gets sessions/courses sessions, and so
    on), dates run back from `today` over about three years, and the same
    `seed` gives the same clinic.
    """
    from journal.services.journal import open_journal

    say = progress or (lambda _m: None)
    started = time.perf_counter()
    text = os.fspath(target)
    is_url = text.startswith(("sqlite:", "postgresql:", "postgresql+"))
    db_url = text if is_url else None
    home_path = Path(home) if home is not None else None
    if home_path is None:
        home_path = Path(tempfile.mkdtemp(prefix="clinic-")) if is_url else Path(text)
    if min(patients, courses, sessions) < 1 or courses < patients:
        raise ValueError("need at least one patient, course and session, and courses >= patients")
    rng = random.Random(seed)
    today = today or dt.date.today()
    reviews = courses if reviews is None else reviews

    with open_journal(home_path, db_url) as journal:
        with journal.read() as db:
            from sqlalchemy import func, select

            from journal.store.models import PatientRow

            if db.scalar(select(func.count()).select_from(PatientRow)):
                raise ValueError(f"{text} already holds patients; give an empty journal")
        say("rendering the real photo files")
        files = _real_photo_files(journal.photos_dir, real_photos, seed)
        plan = _Plan(rng, today, patients, courses, sessions, checkins, photos, reviews, providers)
        counts: dict[str, int] = {}
        with journal.engine.begin() as conn:
            for table, rows in plan.tables(files):
                say(f"inserting {table}")
                counts[table] = _insert(conn, table, rows)
        if journal.engine.dialect.name == "postgresql":
            with journal.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")  # what autovacuum would do soon after a load
                conn.commit()
    return ClinicInfo(
        home=home_path,
        db_url=db_url,
        counts=counts,
        seconds=time.perf_counter() - started,
        sample_patient=plan.sample_patient,
        photo_files=[f[1] for f in files],
    )


def _insert(conn: Any, table: str, rows: Iterable[dict[str, Any]]) -> int:
    from journal.store.models import Base

    statement = Base.metadata.tables[table].insert()
    total = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            conn.execute(statement, batch)
            total += len(batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
        total += len(batch)
    return total


def _real_photo_files(root: Path, count: int, seed: int) -> list[tuple[str, str, str, int, int]]:
    """(sha256, display, thumb, width, height) of `count` real photos in the store."""
    from journal.imaging import pipeline, synthetic
    from journal.store import photostore

    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            path = Path(tmp) / f"skin-{i}.jpg"
            taken = dt.datetime(2024, 1, 1, 10, 0) + dt.timedelta(days=30 * i)
            synthetic.write_skin_photo(
                path, seed=seed + i, severity=max(0, 8 - 2 * i), taken_at=taken, size=(800, 600)
            )
            done = pipeline.process(path)
            stored = photostore.put(
                root,
                done.original.sha256,
                display=done.rendered.display,
                thumb=done.rendered.thumb,
            )
            found.append(
                (
                    done.original.sha256,
                    stored.display,
                    stored.thumb,
                    done.header.width,
                    done.header.height,
                )
            )
    return found


def _spread(total: int, buckets: int) -> list[int]:
    """`total` items over `buckets` as evenly as possible (first buckets get the rest)."""
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


class _Plan:
    """Deterministic rows for every table, produced lazily in dependency order."""

    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        patients: int,
        courses: int,
        sessions: int,
        checkins: int,
        photos: int,
        reviews: int,
        providers: int,
    ) -> None:
        self.rng = rng
        self.today = today
        self.n = {
            "patient": patients,
            "course": courses,
            "session": sessions,
            "checkin": checkins,
            "photo": photos,
            "review": reviews,
            "provider": providers,
        }
        self.stamp = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
        self.provider_ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(providers)]
        self.patient_ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(patients)]
        self.names = [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {i + 1:04d}"
            for i in range(patients)
        ]
        # A patient whose counts equal the average: the history a bench should time.
        self.sample_patient = self.names[min(patients - 1, patients // 2)]
        self.courses: list[tuple[uuid.UUID, uuid.UUID, dt.date, tuple[str, ...]]] = []
        self.sessions: dict[uuid.UUID, list[tuple[uuid.UUID, dt.date]]] = {}

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _stamps(self, day: dt.date) -> dict[str, Any]:
        moment = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
        moment += dt.timedelta(seconds=self.rng.randrange(3600))
        return {"id": self._uuid(), "created_at": moment, "updated_at": moment}

    def tables(self, files: list[tuple[str, str, str, int, int]]) -> Iterable[tuple[str, Any]]:
        yield "provider", self._providers()
        yield "patient", self._patients()
        yield "course", self._courses()
        yield "session", self._sessions()
        yield "checkin", self._checkins()
        yield "photo", self._photos(files)
        yield "review", self._reviews()

    def _providers(self) -> Iterable[dict[str, Any]]:
        for i, pid in enumerate(self.provider_ids):
            row = self._stamps(self.today - dt.timedelta(days=1200))
            row.update(id=pid, name=f"Dr. {LAST_NAMES[i % len(LAST_NAMES)]} {i + 1}")
            row.update(credentials="MD", clinic="Bench Clinic")
            yield row

    def _patients(self) -> Iterable[dict[str, Any]]:
        for pid, name in zip(self.patient_ids, self.names, strict=True):
            row = self._stamps(self.today - dt.timedelta(days=1200))
            row.update(
                id=pid,
                display_name=name,
                birth_year=self.rng.randint(1960, 2004),
                skin_type=self.rng.randint(1, 6),
                concerns=self.rng.sample(CONCERNS, 2),
                screening=["cold-sores"] if self.rng.random() < 0.1 else [],
            )
            yield row

    def _courses(self) -> Iterable[dict[str, Any]]:
        per_patient = _spread(self.n["course"], self.n["patient"])
        for pid, count in zip(self.patient_ids, per_patient, strict=True):
            span = 1100 // count
            for k in range(count):
                start = self.today - dt.timedelta(days=1100 - k * span + self.rng.randrange(20))
                concerns = tuple(self.rng.sample(CONCERNS, 2))
                row = self._stamps(start)
                row.update(
                    patient_id=pid,
                    title=f"Series {k + 1}",
                    areas=[self.rng.choice(AREAS)],
                    concerns=list(concerns),
                    planned_sessions=4,
                    interval_weeks_min=4,
                    interval_weeks_max=6,
                    status="active" if k == count - 1 else "completed",
                )
                self.courses.append((row["id"], pid, start, concerns))
                yield row

    def _sessions(self) -> Iterable[dict[str, Any]]:
        per_course = _spread(self.n["session"], len(self.courses))
        for (cid, _pid, start, _c), count in zip(self.courses, per_course, strict=True):
            day = start
            done: list[tuple[uuid.UUID, dt.date]] = []
            for _ in range(count):
                kind, name = self.rng.choice(DEVICES)
                row = self._stamps(day)
                row.update(
                    course_id=cid,
                    date=day,
                    provider_id=self.rng.choice(self.provider_ids),
                    setting="in-office",
                    device_kind=kind,
                    device_name=name,
                    depth_mm=self.rng.choice((0.5, 1.0, 1.5, 2.0)),
                    depth_by_area={},
                    passes=self.rng.randint(2, 4),
                    areas=[self.rng.choice(AREAS)],
                    serums=self.rng.sample(SERUMS, 1),
                    anesthetic="topical lidocaine",
                    pain=self.rng.randint(2, 6),
                    cost=Decimal(self.rng.choice((250, 300, 350, 450))),
                    currency="USD",
                    notes=None,
                )
                done.append((row["id"], day))
                yield row
                day += dt.timedelta(days=self.rng.randint(28, 42))
            self.sessions[cid] = done

    def _checkins(self) -> Iterable[dict[str, Any]]:
        per_course = _spread(self.n["checkin"], len(self.courses))
        rng = self.rng
        for (cid, _pid, _start, concerns), count in zip(self.courses, per_course, strict=True):
            sessions = self.sessions.get(cid) or []
            if not sessions:
                continue
            baseline = {c: rng.randint(5, 9) for c in concerns}
            for i in range(count):
                s_index = min(len(sessions) - 1, i * len(sessions) // max(count, 1))
                day_after = CHECKIN_DAYS[i % len(CHECKIN_DAYS)]
                day = sessions[s_index][1] + dt.timedelta(days=day_after)
                progress = (s_index + day_after / 30) / max(len(sessions), 1)
                decay = math.exp(-day_after / 2.5)
                row = self._stamps(day)
                row.update(
                    course_id=cid,
                    date=day,
                    redness=round(7 * decay),
                    swelling=round(4 * decay),
                    bruising=round(2 * decay),
                    bleeding=0,
                    pain=round(3 * decay),
                    itching=round(2 * decay),
                    flaking=round(3 * math.exp(-abs(day_after - 4) / 2)),
                    tightness=round(4 * decay),
                    sensitivity=round(5 * decay),
                    downtime=day_after <= 2,
                    concerns={
                        c: max(0, round(v - 4 * progress + rng.uniform(-0.5, 0.5)))
                        for c, v in baseline.items()
                    },
                    gais=GAIS_BY_PROGRESS[min(4, int(progress * 5))] if day_after >= 7 else None,
                    verdict=(
                        ("worth-it" if rng.random() < 0.8 else "not-sure")
                        if day_after >= 21
                        else None
                    ),
                    red_flags=[rng.choice(RED_FLAGS)] if rng.random() < 0.005 else [],
                    notes="Felt fine today." if rng.random() < 0.2 else None,
                )
                yield row

    def _photos(self, files: list[tuple[str, str, str, int, int]]) -> Iterable[dict[str, Any]]:
        per_course = _spread(self.n["photo"], len(self.courses))
        real = iter(files)
        for (cid, _pid, start, _c), count in zip(self.courses, per_course, strict=True):
            sessions = self.sessions.get(cid) or [(None, start)]
            for i in range(count):
                tid, day = sessions[i % len(sessions)]
                _sha, display, thumb, width, height = files[i % len(files)]
                first = next(real, None)  # the first rows are the real photos themselves
                taken = dt.datetime.combine(day, dt.time(10, i % 60), tzinfo=dt.UTC)
                row = self._stamps(day)
                row.update(
                    course_id=cid,
                    session_id=tid,
                    checkin_id=None,
                    kind="before" if i % 2 == 0 else "after",
                    area=self.rng.choice(AREAS),
                    angle="front",
                    taken_at=taken,
                    taken_at_source="exif",
                    sha256=first[0] if first else f"{self.rng.getrandbits(256):064x}",
                    width=width,
                    height=height,
                    display_path=first[1] if first else display,
                    thumb_path=first[2] if first else thumb,
                    original_path=None,
                    original_name=f"IMG_{i:04d}.jpg",
                )
                yield row

    def _reviews(self) -> Iterable[dict[str, Any]]:
        per_course = _spread(self.n["review"], len(self.courses))
        for (cid, _pid, start, _c), count in zip(self.courses, per_course, strict=True):
            sessions = self.sessions.get(cid) or [(None, start)]
            for i in range(count):
                day = sessions[-1][1] + dt.timedelta(days=28 + 30 * i)
                row = self._stamps(day)
                row.update(
                    course_id=cid,
                    date=day,
                    provider_id=self.rng.choice(self.provider_ids),
                    gais=self.rng.choice(GAIS_BY_PROGRESS[1:]),
                    goodman_baron=self.rng.randint(1, 3),
                    notes=None,
                )
                yield row


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a clinic journal for benchmarks.")
    parser.add_argument("target", help="a home folder (SQLite) or a postgresql:// URL")
    parser.add_argument("--home", help="photo home when target is a URL")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    k = args.scale
    info = make_clinic(
        args.target,
        home=args.home,
        patients=max(1, round(1_000 * k)),
        courses=max(1, round(5_000 * k)),
        sessions=max(1, round(20_000 * k)),
        checkins=round(200_000 * k),
        photos=round(40_000 * k),
        seed=args.seed,
        progress=lambda m: print(f"  {m}", flush=True),
    )
    print(f"built in {info.seconds:.1f} s at {info.db_url or info.home}")
    for table, count in info.counts.items():
        print(f"  {table:<10} {count:>8,}")
    print(f"sample patient: {info.sample_patient}")


if __name__ == "__main__":
    main()
