"""Whole-process start-up of `history --json` and `score --json` beside jrnl's.

Issue 16, item 3. One run measures, round-robin so a busy machine slows every
command alike:

* `journal history --json` and `journal score --json` of one patient with a
  4-session course (12 check-ins, a review) on SQLite and, when a server is
  given, on PostgreSQL;
* `jrnl -n 200 --format json` on a 200-entry plain-text journal: jrnl is
  installed into this bench's own virtualenv (`python -m venv` + `pip install
  jrnl==4.6`), never into the project's, with its config in a temporary
  XDG_CONFIG_HOME pointing at an unencrypted journal there.

Targets: on SQLite no slower than jrnl (median against median), on
PostgreSQL under 400 ms. Each figure is the median wall time of whole
processes; the CPU column (user + system time of the child) moves much less
when other work shares the cores.

Run: `python bench/bench_startup.py [--runs N] [--pg-url URL] [--jrnl-venv DIR]`
(`--pg-url` defaults to JOURNAL_TEST_PG_URL; the bench creates and drops its
own database there. `--jrnl-venv` keeps the jrnl environment in DIR between
runs instead of building a fresh one.)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

JRNL_VERSION = "4.6"
JRNL_ENTRIES = 200
PG_TARGET_MS = 400.0
PATIENT = "Ada Bench"


# -- the journal --------------------------------------------------------------------


def build_course(home: Path, db_url: str | None) -> None:
    """One patient, a baseline, 4 sessions with 3 check-ins each and a review."""
    from journal.services.checkins import add_checkin
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.reviews import add_review
    from journal.services.sessions import add_session

    with open_journal(home, db_url) as journal:
        add_patient(journal, PATIENT, birth_year="1990", skin_type="3", concerns=["acne-scars"])
        add_checkin(journal, PATIENT, date="2026-01-01", concerns={"acne-scars": 8})
        start = dt.date(2026, 1, 2)
        for i in range(4):
            day = start + dt.timedelta(days=28 * i)
            add_session(
                journal,
                PATIENT,
                date=day.isoformat(),
                device="pen",
                depth="1.5",
                serums=["prp"],
                areas=["cheeks"],
                cost="300",
                provider="Dr. Bench",
                pain="4",
            )
            for after in (1, 3, 7):
                add_checkin(
                    journal,
                    PATIENT,
                    date=(day + dt.timedelta(days=after)).isoformat(),
                    symptoms={"redness": 5 - after // 2, "swelling": 2},
                    concerns={"acne-scars": 8 - i},
                    gais="improved",
                    notes="A note of ordinary length about how the skin felt today.",
                )
        add_review(journal, PATIENT, date="2026-04-20", provider="Dr. Bench", gais="improved")


@contextlib.contextmanager
def pg_database(server_url: str) -> Iterator[str]:
    """A throwaway database on the server, dropped afterwards."""
    import psycopg

    name = f"bench_startup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- jrnl, in its own environment ---------------------------------------------------


def jrnl_environment(venv: Path) -> Path:
    """The jrnl program of a virtualenv of its own, made (and jrnl installed) if needed."""
    program = venv / "bin" / "jrnl"
    if not program.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, f"jrnl=={JRNL_VERSION}"], check=True)
    return program


def seed_jrnl(root: Path) -> dict[str, str]:
    """A 200-entry unencrypted jrnl journal under `root`; the environment that selects it."""
    config_home = root / "config"
    (config_home / "jrnl").mkdir(parents=True)
    journal_file = root / "journal.txt"
    # YAML written by hand: jrnl takes a JSON config for its old format and "upgrades" it.
    config = f"""\
colors:
  body: none
  date: none
  tags: none
  title: none
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: true
indent_character: '|'
journals:
  default:
    journal: {json.dumps(str(journal_file))}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: v{JRNL_VERSION}
"""
    (config_home / "jrnl" / "jrnl.yaml").write_text(config)
    start = dt.datetime(2025, 1, 1, 9, 0)
    entries = []
    for i in range(JRNL_ENTRIES):
        when = (start + dt.timedelta(days=i)).strftime("%Y-%m-%d %I:%M:%S %p")
        entries.append(
            f"[{when}] Day {i + 1}: skin check @redness.\n"
            "A note of ordinary length about how the skin felt today, #texture fine.\n"
        )
    journal_file.write_text("\n".join(entries))
    env = dict(os.environ, XDG_CONFIG_HOME=str(config_home), HOME=str(root))
    env.pop("JRNL_CONFIG", None)
    return env


# -- timing -------------------------------------------------------------------------


class Case:
    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], target: str, check: str
    ) -> None:
        self.name, self.argv, self.env, self.target, self.check = name, argv, env, target, check
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def verify(self, out: bytes) -> None:
        doc = json.loads(out)
        ok = {
            "history": lambda: len(doc["sessions"]) == 4,
            "score": lambda: isinstance(doc["score"], int),
            "jrnl": lambda: len(doc["entries"]) == JRNL_ENTRIES,
        }[self.check]()
        if not ok:
            raise SystemExit(f"{self.name}: unexpected output")

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def run_child(argv: list[str], env: dict[str, str]) -> tuple[bytes, float, float]:
    """Run one whole process; its output, wall time and CPU time (user + system), in ms."""
    start = time.perf_counter()
    before = os.times()
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    wall = (time.perf_counter() - start) * 1000
    after = os.times()
    cpu = (after.children_user - before.children_user) * 1000
    cpu += (after.children_system - before.children_system) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{argv[-4:]} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    return proc.stdout, wall, cpu


def measure(cases: list[Case], runs: int) -> None:
    for case in cases:  # warm the page cache and .pyc files, and check the output
        out, _, _ = run_child(case.argv, case.env)
        case.verify(out)
    for i in range(runs):
        order = cases[i % len(cases) :] + cases[: i % len(cases)]
        for case in order:
            _, wall, cpu = run_child(case.argv, case.env)
            case.wall.append(wall)
            case.cpu.append(cpu)


def report(cases: list[Case], peer: Case | None) -> None:
    rows = [("case", "median", "best", "cpu", "target", "jrnl", "ok")]
    for case in cases:
        if case.target == "jrnl" and peer is None:
            limit, target = float("inf"), "<= jrnl (not measured)"
        elif case.target == "jrnl":
            assert peer is not None
            limit = peer.median
            target = f"<= jrnl ({limit:.0f} ms)"
        elif case.target == "pg":
            limit, target = PG_TARGET_MS, f"< {PG_TARGET_MS:.0f} ms"
        else:
            limit, target = float("inf"), "(the peer)"
        rows.append(
            (
                case.name,
                f"{case.median:.0f} ms",
                f"{min(case.wall):.0f} ms",
                f"{statistics.median(case.cpu):.0f} ms",
                target,
                f"{peer.median:.0f} ms" if peer is not None else "-",
                "-" if limit == float("inf") else ("yes" if case.median <= limit else "NO"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--pg-url", default=os.environ.get("JOURNAL_TEST_PG_URL"))
    parser.add_argument("--jrnl-venv", type=Path, help="keep jrnl's virtualenv here")
    parser.add_argument("--no-jrnl", action="store_true", help="skip the peer")
    args = parser.parse_args()
    journal = [sys.executable, "-m", "journal"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        root = Path(tmp)
        sqlite_home = root / "sqlite-home"
        build_course(sqlite_home, None)
        cases: list[Case] = []
        for command, check in (("history", "history"), ("score", "score")):
            argv = [*journal, "--home", str(sqlite_home), command, "-p", PATIENT, "--json"]
            cases.append(Case(f"{command} --json, SQLite", argv, env, "jrnl", check))
        if args.pg_url:
            pg_url = stack.enter_context(pg_database(args.pg_url))
            pg_home = root / "pg-home"
            build_course(pg_home, pg_url)
            for command, check in (("history", "history"), ("score", "score")):
                argv = [*journal, "--home", str(pg_home), "--db", pg_url, command, "-p", PATIENT]
                cases.append(
                    Case(f"{command} --json, PostgreSQL", [*argv, "--json"], env, "pg", check)
                )
        peer = None
        if not args.no_jrnl:
            venv = args.jrnl_venv or root / "jrnl-venv"
            try:
                program = jrnl_environment(venv)
            except subprocess.CalledProcessError as exc:
                print(f"jrnl could not be installed ({exc}): measuring the journal alone")
            else:
                jrnl_env = seed_jrnl(root / "jrnl")
                argv = [str(program), "-n", str(JRNL_ENTRIES), "--format", "json"]
                peer = Case(f"jrnl -n {JRNL_ENTRIES} --format json", argv, jrnl_env, "", "jrnl")
        measured = [*cases, *([peer] if peer else [])]
        measure(measured, args.runs)
    print(f"whole processes, {args.runs} runs each, round-robin; medians (wall), best, CPU")
    report(measured, peer)
    if not args.pg_url:
        print("PostgreSQL not measured: give --pg-url or set JOURNAL_TEST_PG_URL")


if __name__ == "__main__":
    main()
