"""Stored course results (issue 16): provider list, sorting and writes, SQLite beside PostgreSQL.

Builds the clinic of bench/clinic.py (1,000 patients, 5,000 courses, 200,000
check-ins by default) on SQLite and, when a server is given, on PostgreSQL,
fills the stored results (what migration 0008 does for an existing journal),
then prints side by side, medians:

* launch to every score painted: a whole `journal --home H [--db URL]`
  process per run, headless through JOURNAL_TUI_BENCH, clock from before
  the process is spawned to the list's `scores_painted` mark (target < 1 s
  SQLite, < 1.5 s PostgreSQL); the stored results are current (filled for
  today), so this is the steady state; the note says whether the list came
  from the plain read (`journal.services.listing`);
* how many courses the first read of tomorrow recomputes (stored results
  stay exact until a future-dated record's day comes);
* sorting the painted 1,000-row list by score and by red flags, until the
  next frame, in the same processes (target < 100 ms);
* the provider list's data before (every patient's records loaded and scored,
  the old `clinic_overview`) and now (one query);
* writes: `journal checkin edit` and `journal session add` as whole
  processes (what the user waits for), with the stored results kept (now)
  and with the keeping switched off (before), interleaved (target: within
  10%); and the same two writes in process, where the keeping roughly
  doubles the write itself (the course is read and scored again), shown
  without a target.

Run from the checkout:

    .venv/bin/python bench/bench_results.py [--runs 5] [--scale 1.0] [--writes 30]
        [--pg-url postgresql://user@host/admin_db]   (or JOURNAL_TEST_PG_URL)
        [--cache DIR]

Building the SQLite clinic takes a while; `--cache DIR` keeps a copy of it as
built (before anything here writes to it) under a name made of the scale, the
seed, the schema revision and the day it was built for, and later runs with
the same four copy it instead of building it. The PostgreSQL clinic is always
built afresh.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_clinic import Row, create_pg_database, pg_admin_url, print_table
from clinic import ClinicInfo, make_clinic

TODAY = dt.date.today()


# -- the measured launch: a whole `journal` process ------------------------------------------


def launch_once(info: ClinicInfo, out: Path) -> dict[str, float]:
    """One cold `journal --home H [--db URL]`, run headless by JOURNAL_TUI_BENCH.

    The clock starts before the process is spawned (interpreter start-up and
    every import included) and stops at the list's `scores_painted` mark,
    which the app writes as wall-clock time; the app then times two sorts by
    score and by red flags (to the next frame) and exits.
    """
    script = Path(sys.executable).with_name("journal")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "journal"]
    cmd += ["--home", str(info.home)]
    if info.db_url:
        cmd += ["--db", info.db_url]
    out.unlink(missing_ok=True)
    env = {**_installed_env(), "JOURNAL_TUI_BENCH": str(out)}
    start = time.time()
    subprocess.run(cmd, capture_output=True, check=True, env=env, timeout=300)
    report = json.loads(out.read_text())
    wall = report["wall"]
    return {
        "scores_ms": (wall["scores_painted"] - start) * 1000,
        "first_frame_ms": (wall["first_frame"] - start) * 1000,
        "sort_score_ms": report["sort_ms"]["score"],
        "sort_flags_ms": report["sort_ms"]["flags"],
        "rows": report["rows"],
        "fast": float(bool(report["fast"])),
    }


def launches(info: ClinicInfo, runs: int) -> list[dict[str, float]]:
    out = info.home.parent / f"launch-{info.home.name}.json"
    launch_once(info, out)  # warm caches and .pyc files
    return [launch_once(info, out) for _ in range(runs)]


def new_day_recomputes(journal: Any) -> tuple[int, int]:
    """Courses whose stored result is not exact tomorrow (the first read then recomputes them)."""
    from journal.services.results import stored_results

    tomorrow = TODAY + dt.timedelta(days=1)
    with journal.engine.connect() as conn:
        stored = stored_results(conn)
    return sum(1 for r in stored.values() if not r.valid_on(tomorrow)), len(stored)


# -- in-process figures -----------------------------------------------------------------------


def old_overview(journal: Any) -> int:
    """The provider list's data as it was computed before stored results."""
    from sqlalchemy import select

    from journal.services.flags import open_flag_counts
    from journal.services.history import load_histories
    from journal.services.scoring import report_for_history
    from journal.store.models import PatientRow

    with journal.read() as db:
        histories = load_histories(db, list(db.scalars(select(PatientRow))))
    open_flag_counts(histories)
    return sum(1 for h in histories if report_for_history(h, today=TODAY))


def write_costs(journal: Any, info: ClinicInfo, n: int) -> dict[str, tuple[float, float]]:
    """Median ms of a session add and a check-in edit, results kept (after) vs not (before)."""
    from sqlalchemy import select

    import journal.services.journal as journal_module
    from journal.services import amend
    from journal.services.sessions import add_session
    from journal.store.models import CheckInRow, CourseRow, PatientRow

    keep = journal_module._keep_results
    with journal.read() as db:
        patient = db.scalar(
            select(PatientRow.id).where(PatientRow.display_name == info.sample_patient)
        )
        course = db.scalars(
            select(CourseRow.id)
            .where(CourseRow.patient_id == patient)
            .order_by(CourseRow.created_at)
        ).all()[-1]
        checkin = db.scalars(select(CheckInRow.id).where(CheckInRow.course_id == course)).first()
    ref = str(patient)
    samples: dict[str, dict[bool, list[float]]] = {"session add": {}, "check-in edit": {}}
    for i in range(n * 2):
        kept = i % 2 == 0
        journal_module._keep_results = keep if kept else (lambda db: None)
        try:
            start = time.perf_counter()
            add_session(
                journal, ref, date=(TODAY - dt.timedelta(days=i % 5)).isoformat(), again=True
            )
            samples["session add"].setdefault(kept, []).append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            amend.edit(journal, "check-in", str(checkin), {"notes": f"bench {i}"})
            samples["check-in edit"].setdefault(kept, []).append(
                (time.perf_counter() - start) * 1000
            )
        finally:
            journal_module._keep_results = keep
    return {
        case: (statistics.median(by[False]), statistics.median(by[True]))
        for case, by in samples.items()
    }


def bench(label: str, info: ClinicInfo, runs: int, writes: int) -> list[Row]:
    from journal.services import results
    from journal.services.journal import open_journal
    from journal.services.scoring import clinic_overview
    from journal.store.engine import for_writing

    rows: list[Row] = []
    with open_journal(info.home, info.db_url) as journal:
        start = time.perf_counter()
        with for_writing(journal.engine).begin() as conn:
            courses = results.rebuild_results(conn)
        fill = (time.perf_counter() - start) * 1000
        rows.append(
            Row("fill stored results (0008 / repair)", label, fill, None, f"{courses} courses")
        )
        start = time.perf_counter()
        old_overview(journal)
        before = (time.perf_counter() - start) * 1000
        rows.append(Row("provider list data, before (score all)", label, before, None))
        samples = []
        for _ in range(max(runs, 5)):
            start = time.perf_counter()
            listed = clinic_overview(journal, today=TODAY)
            samples.append((time.perf_counter() - start) * 1000)
        rows.append(
            Row(
                "provider list data, now (one query)",
                label,
                statistics.median(samples),
                None,
                f"{len(listed)} rows",
            )
        )
        stale, total = new_day_recomputes(journal)
        rows.append(
            Row(
                "first read of tomorrow recomputes",
                label,
                0.0,
                None,
                f"{stale} of {total} courses (future-dated records)",
            )
        )
        launched = launches(info, runs)
        target = 1000.0 if info.db_url is None else 1500.0
        med = statistics.median(r["scores_ms"] for r in launched)
        fast = sum(r["fast"] for r in launched)
        rows.append(
            Row(
                "launch to first frame",
                label,
                statistics.median(r["first_frame_ms"] for r in launched),
                None,
                "whole process",
            )
        )
        rows.append(
            Row(
                "launch to every score painted",
                label,
                med,
                target,
                f"{int(launched[0]['rows'])} rows, whole process, plain read {fast:.0f}/{runs}",
            )
        )
        for key, case in (
            ("sort_score_ms", "sort by score"),
            ("sort_flags_ms", "sort by red flags"),
        ):
            rows.append(
                Row(
                    case,
                    label,
                    statistics.median(r[key] for r in launched),
                    100.0,
                    "to the next frame",
                )
            )
        for case, (off, on) in write_costs(journal, info, writes).items():
            rows.append(Row(f"{case} in process, before (not kept)", label, off, None))
            rows.append(
                Row(
                    f"{case} in process, now (kept)",
                    label,
                    on,
                    None,
                    f"{(on / off - 1) * 100:+.0f}%: the course is read and scored again",
                )
            )
        checkin = _sample_checkin(journal, info)
    for case, ms in process_write_costs(info, checkin, max(writes // 3, 5)).items():
        filed, off, on = ms["filed"], ms["off"], ms["on"]
        rows.append(Row(f"{case} process, when filed", label, filed, None, "ORM, not kept"))
        rows.append(Row(f"{case} process, now, not kept", label, off, None, "today's path"))
        rows.append(
            Row(
                f"{case} process, now (kept)",
                label,
                on,
                filed * 1.10,
                f"{(on / filed - 1) * 100:+.0f}% vs when filed; keeping adds"
                f" {on - off:+.0f} ms ({(on / off - 1) * 100:+.0f}%)",
            )
        )
    return rows


# Run `journal` with the stored results kept, or with both keepers (the ORM
# path's and the plain sqlite3 path's) switched off: the same interpreter,
# the same `python -c`, so the two differ only by the keeping. The keepers are
# switched off as their modules are imported (a post-import hook), so "off"
# imports nothing the real command would not.
_PROCESS = """
import importlib.abc, sys

OFF = {
    "journal.services.journal": lambda m: setattr(m, "_keep_results", lambda db: None),
    "journal.services.fast_amend": lambda m: setattr(
        m.SQLiteWork, "keep_results", lambda self, today: None
    ),
}


class Off(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in OFF:
            return None
        sys.meta_path.remove(self)
        try:
            import importlib.util

            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            OFF[name](module)

        spec.loader.exec_module = exec_module
        return spec


if sys.argv[1] == "off":
    sys.meta_path.insert(0, Off())
from journal.entry import main

main(sys.argv[2:])
"""


def _installed_env() -> dict[str, str]:
    """The environment of a user's `journal`: byte-code caches written and used.

    A machine (or a CI job) with PYTHONDONTWRITEBYTECODE set compiles every
    module from source at every start, some 100 ms of a launch that no
    installed copy pays (pip writes the caches of what it installs; an
    editable checkout writes them at its first run).
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _sample_checkin(journal: Any, info: ClinicInfo) -> str:
    from sqlalchemy import select

    from journal.store.models import CheckInRow, CourseRow, PatientRow

    with journal.read() as db:
        patient = db.scalar(
            select(PatientRow.id).where(PatientRow.display_name == info.sample_patient)
        )
        courses = select(CourseRow.id).where(CourseRow.patient_id == patient)
        found = db.scalars(select(CheckInRow.id).where(CheckInRow.course_id.in_(courses))).first()
    return str(found)


def process_write_costs(info: ClinicInfo, checkin: str, n: int) -> dict[str, dict[str, float]]:
    """Median ms of whole `journal checkin edit` and `journal session add` processes in
    three modes, interleaved (a busy machine slows all alike):

    * `filed`: as when issue 16 was filed: every write through Typer and the
      ORM (JOURNAL_ORM_WRITES=1), no stored results kept;
    * `off`: today's paths (an edit without SQLAlchemy) with the keeping off;
    * `on`: today's paths with the stored results kept (what users run).
    """
    where = ["--home", str(info.home), *(["--db", info.db_url] if info.db_url else [])]
    cases = {
        "check-in edit": lambda i: ["checkin", "edit", checkin, "--redness", str(i % 9 + 1)],
        "session add": lambda i: [
            "session", "add", "-p", info.sample_patient, "--again",
            "-d", (TODAY - dt.timedelta(days=i % 5)).isoformat(),
        ],
    }  # fmt: skip
    modes = ("on", "off", "filed")
    samples: dict[str, dict[str, list[float]]] = {c: {m: [] for m in modes} for c in cases}
    for i in range(n * 3 + 3):
        mode = modes[i % 3]
        env = _installed_env()
        if mode == "filed":
            env["JOURNAL_ORM_WRITES"] = "1"
        for case, args in cases.items():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", _PROCESS, "on" if mode == "on" else "off", *where, *args(i)],
                capture_output=True,
                check=True,
                env=env,
            )
            if i >= 3:  # the first round warms the page cache and .pyc files
                samples[case][mode].append((time.perf_counter() - start) * 1000)
    return {
        case: {mode: statistics.median(values) for mode, values in by.items()}
        for case, by in samples.items()
    }


def sqlite_clinic(
    home: Path, cache: Path | None, seed: int, scale: float, **counts: int
) -> ClinicInfo:
    """The SQLite clinic at `home`: copied from `cache` when built there before, else built."""
    from journal.store.schema import HEAD_REVISION

    if cache is None:
        info = make_clinic(home, seed=seed, **counts)
        print(f"SQLite clinic built in {info.seconds:.1f} s", flush=True)
        return info
    kept = cache / f"sqlite-x{scale:g}-seed{seed}-{HEAD_REVISION}-{TODAY.isoformat()}"
    about = kept / "clinic.json"
    if about.exists():
        shutil.copytree(kept / "home", home)
        saved = json.loads(about.read_text())
        print(f"SQLite clinic copied from {kept}", flush=True)
        return dataclasses.replace(ClinicInfo(**saved), home=home)
    info = make_clinic(home, seed=seed, **counts)
    print(f"SQLite clinic built in {info.seconds:.1f} s, kept in {kept}", flush=True)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(home, kept / "home")
    fields = {**dataclasses.asdict(info), "home": str(home)}
    about.write_text(json.dumps(fields))  # written last: a half-copied cache is never used
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--pg-url")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--cache", type=Path, default=None, help="keep the built SQLite clinic here"
    )
    args = parser.parse_args()
    k = args.scale
    counts = {
        "patients": max(1, round(1_000 * k)),
        "courses": max(1, round(5_000 * k)),
        "sessions": max(1, round(20_000 * k)),
        "checkins": round(200_000 * k),
        "photos": round(40_000 * k),
    }
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-results-") as tmp:
        info = sqlite_clinic(Path(tmp) / "sqlite-home", args.cache, args.seed, k, **counts)
        rows += bench("sqlite", info, args.runs, args.writes)
        admin = pg_admin_url(args.pg_url)
        if admin:
            url, drop = create_pg_database(admin)
            try:
                info = make_clinic(url, home=Path(tmp) / "pg-home", seed=args.seed, **counts)
                print(f"PostgreSQL clinic built in {info.seconds:.1f} s", flush=True)
                rows += bench("postgresql", info, args.runs, args.writes)
            finally:
                drop()
    print_table(rows)


if __name__ == "__main__":
    main()
