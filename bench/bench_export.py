"""Benchmark: follow-up PDF and exchange archive of a 10-session, 20-photo course.

Builds the course through the services (synthetic skin photos from
journal.imaging.synthetic, 2400x1800 like a cropped phone shot), then times the
*whole process* of each command the way a user runs it (`journal ... export`,
`journal ... import` as subprocesses: interpreter start, imports, database,
rendering, writing). Each command runs RUNS times; the table shows the median
wall time, the median CPU time (user + sys of the child, which a busy machine
does not inflate) and the output size, against the targets of issue 5.

    .venv/bin/python bench/bench_export.py
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
SESSIONS = 10
AREAS = ("left-cheek", "right-cheek")
PATIENT = "Bench Patient"
TODAY = dt.date(2026, 3, 1)
JOURNAL = [sys.executable, "-m", "journal"]


def build(home: Path) -> None:
    """A 10-session course with check-ins, reviews and 20 photos (two areas per session)."""
    from journal.services.checkins import add_checkin
    from journal.services.courses import add_course
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.photos import import_photos
    from journal.services.reviews import add_review
    from journal.services.sessions import add_session

    try:
        from journal.imaging.synthetic import write_skin_photo
    except ImportError:  # pragma: no cover - before the imaging module existed
        write_skin_photo = None

    start = TODAY - dt.timedelta(days=7 * 4 * SESSIONS)
    with open_journal(home) as journal, tempfile.TemporaryDirectory() as tmp:
        patient = add_patient(
            journal, PATIENT, birth_year=1985, skin_type=4, concerns=["acne scars"]
        )
        ref = str(patient.id)
        add_course(
            journal,
            ref,
            title="Long series",
            areas=list(AREAS),
            planned=SESSIONS,
            interval_weeks="4",
        )
        files: list[tuple[Path, dt.date, str]] = []
        for n in range(SESSIONS):
            day0 = start + dt.timedelta(weeks=4 * n)
            add_session(
                journal,
                ref,
                date=day0.isoformat(),
                provider="Dr. Bench",
                device="pen",
                device_name="SkinPen",
                depth="cheeks=1.5,forehead=0.5" if n % 2 else "1.25",
                passes=3,
                areas=list(AREAS),
                serums=["prp", "hyaluronic acid"],
                pain=4,
                cost="375",
                notes=f"Session {n + 1}: tolerated well; mild pinpoint bleeding.",
            )
            for day, redness in ((1, 6), (3, 3), (7, 1)):
                add_checkin(
                    journal,
                    ref,
                    date=(day0 + dt.timedelta(days=day)).isoformat(),
                    symptoms={"redness": max(0, redness - n // 4), "swelling": max(0, 3 - day)},
                    downtime=day == 1,
                    concerns={"acne-scars": max(2, 8 - n // 2)} if day == 7 else {},
                    gais="improved" if day == 7 and n > 2 else None,
                    verdict="worth-it" if day == 7 and n > 4 else None,
                )
            for a, area in enumerate(AREAS):
                path = Path(tmp) / f"{n}-{area}.jpg"
                taken = dt.datetime.combine(day0, dt.time(9, 30 + a))
                if write_skin_photo is not None:
                    write_skin_photo(
                        path, seed=3 + a, severity=max(1, 9 - n), taken_at=taken, size=(2400, 1800)
                    )
                else:  # pragma: no cover
                    from PIL import Image

                    Image.new("RGB", (2400, 1800), (200 - n, 150, 120)).save(path, quality=90)
                files.append((path, day0, area))
            if n in (4, 9):
                add_review(
                    journal,
                    ref,
                    date=(day0 + dt.timedelta(days=7)).isoformat(),
                    provider="Dr. Bench",
                    gais="much-improved",
                    goodman_baron=2,
                    notes="Visible softening of rolling scars.",
                )
        for path, day, area in files:
            report = import_photos(journal, ref, [path], date=day.isoformat(), area=area)
            assert not report.failed, report.failed


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user+sys) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(make_args, env: dict[str, str], prepare=None) -> tuple[float, float]:
    walls, cpus = [], []
    for run in range(RUNS):
        if prepare is not None:
            prepare(run)
        wall, cpu = timed(make_args(run), env)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    env.pop("JOURNAL_DB_URL", None)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp)
        home = root / "home"
        started = time.perf_counter()
        build(home)
        took = time.perf_counter() - started
        print(f"built {SESSIONS} sessions, {2 * SESSIONS} photos in {took:.1f} s")
        base = [*JOURNAL, "--home", str(home), "export", "-p", PATIENT]
        pdf = root / "summary.pdf"
        archive = root / "archive.zip"
        timed([*base, "-f", "pdf", "-o", str(pdf)], env)  # warm the page cache and .pyc files

        pdf_wall, pdf_cpu = measure(lambda _r: [*base, "-f", "pdf", "-o", str(pdf)], env)
        zip_wall, zip_cpu = measure(lambda _r: [*base, "-f", "json", "-o", str(archive)], env)

        def fresh(run: int) -> None:
            shutil.rmtree(root / f"import-{run}", ignore_errors=True)

        imp_wall, imp_cpu = measure(
            lambda r: [*JOURNAL, "--home", str(root / f"import-{r}"), "import", str(archive)],
            env,
            prepare=fresh,
        )
        rows = [
            ("PDF export, whole process", pdf_wall, pdf_cpu, 1.5, pdf.stat().st_size, 5 << 20),
            ("archive export (json)", zip_wall, zip_cpu, 2.0, archive.stat().st_size, None),
            ("archive import, empty home", imp_wall, imp_cpu, 2.0, None, None),
        ]
        print()
        print(f"course: {SESSIONS} sessions, {2 * SESSIONS} photos; median of {RUNS} runs")
        print(f"{'step':<28} {'wall s':>7} {'cpu s':>6} {'target':>7} {'size':>9} {'limit':>7}  ok")
        for name, wall, cpu, target, size, limit in rows:
            size_text = f"{size / (1 << 20):.2f} MB" if size is not None else "-"
            limit_text = f"{limit >> 20} MB" if limit is not None else "-"
            ok = wall < target and (limit is None or size is None or size < limit)
            print(
                f"{name:<28} {wall:>7.2f} {cpu:>6.2f} {'< ' + str(target):>7} "
                f"{size_text:>9} {limit_text:>7}  {'yes' if ok else 'NO'}"
            )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"\n(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")
        keep = os.environ.get("BENCH_KEEP")
        if keep:
            shutil.copy(pdf, keep)
            print(f"PDF kept at {keep}")


if __name__ == "__main__":
    main()
