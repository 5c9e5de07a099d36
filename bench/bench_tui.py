"""How fast the TUI starts on a clinic journal and opens a patient.

Targets (issue 4): launch to the first painted frame under 1 s on a
1,000-patient journal, and opening a patient (from selecting the row to the
dashboard painted) under 200 ms.

The journal is built through the services (a few sessions and check-ins per
patient) and cached in the temp folder, so only the first run pays for it.
Each launch is a fresh process, headless: the clock starts just before
`import journal.tui.app` and stops at the app's `on_ready` (first frame), when
the patient list is painted, and when every score column is filled in.
Run: `python bench/bench_tui.py [--runs N] [--opens N] [--patients N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clinic import FIRST_NAMES, LAST_NAMES  # bench/ is on the path when run as a script

LAUNCH_TARGET_MS = 1000.0
OPEN_TARGET_MS = 200.0
TODAY = dt.date(2026, 6, 1)
CACHE_VERSION = 3  # rebuilt at schema 0007 (flags, settings, change notify)


def build(home: Path, patients: int) -> None:
    """`patients` patients with 1-4 sessions and a few check-ins each, via the services."""
    from journal.services.checkins import add_checkin
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.sessions import add_session

    with open_journal(home) as journal:
        for n in range(patients):
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
            name = f"{first} {last} {n:04d}"
            ref = str(add_patient(journal, name, concerns=["acne-scars", "texture"]).id)
            start = TODAY - dt.timedelta(days=40 + (n * 7) % 300)
            for s in range(1 + n % 4):
                day = start + dt.timedelta(days=28 * s)
                add_session(
                    journal,
                    ref,
                    date=day.isoformat(),
                    provider="Dr. Bench",
                    device="pen",
                    depth="1.5",
                    areas=["cheeks"],
                    cost="300",
                )
                for offset in (1, 7):
                    add_checkin(
                        journal,
                        ref,
                        date=(day + dt.timedelta(days=offset)).isoformat(),
                        symptoms={"redness": max(0, 5 - offset), "swelling": 2},
                        concerns={"acne-scars": max(1, 7 - s), "texture": max(1, 6 - s)},
                        verdict="worth-it" if s > 1 else "not-sure",
                        flags=["blistering"] if n % 97 == 0 and offset == 1 else [],
                    )


def cached_home(patients: int) -> Path:
    folder = Path(tempfile.gettempdir()) / f"journal-bench-tui-{patients}-v{CACHE_VERSION}"
    home, done = folder / "home", folder / "complete"
    if not done.exists():
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        print(f"building a {patients}-patient journal in {home} (cached for next time)…")
        started = time.perf_counter()
        build(home, patients)
        done.write_text("ok")
        print(f"built in {time.perf_counter() - started:.0f} s")
    return home


# -- the measured child process ---------------------------------------------------------


def child(home: str, opens: int) -> None:
    """One cold launch: print the timings as JSON (milliseconds since the import)."""
    t0 = time.perf_counter()
    import asyncio

    from journal.tui.app import JournalApp

    imported = time.perf_counter()
    app = JournalApp(home=home, today=TODAY)

    async def wait_for(key: str, after: float = 0.0, timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        while app.timings.get(key, 0.0) <= after:
            if time.perf_counter() > deadline:
                raise TimeoutError(key)
            await asyncio.sleep(0.01)
        return app.timings[key]

    async def scenario() -> dict[str, object]:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for("first_frame")
            await wait_for("list_painted")
            await wait_for("scores_painted", timeout=300)
            launch = dict(app.timings)  # opening patients refreshes their rows later on
            open_ms: list[float] = []
            for i in range(opens):
                table = app.screen.query_one("DataTable")
                table.move_cursor(row=(i * 37) % table.row_count)
                await pilot.pause()
                before = app.timings.get("dashboard_painted", 0.0)
                await pilot.press("enter")
                painted = await wait_for("dashboard_painted", after=before)
                open_ms.append((painted - app.timings["patient_selected"]) * 1000)
                await pilot.press("escape")
                await app.workers.wait_for_complete()  # the list refreshes that row
                await pilot.pause()
            return {"open_ms": open_ms, "launch": launch}

    result = asyncio.run(scenario())
    launch: dict[str, float] = result.pop("launch")  # type: ignore[assignment]
    ms = {k: (v - t0) * 1000 for k, v in launch.items()}
    result.update(
        import_ms=(imported - t0) * 1000,
        first_frame_ms=ms["first_frame"],
        list_ms=ms["list_painted"],
        scores_ms=ms["scores_painted"],
    )
    print(json.dumps(result))


# -- the driver ---------------------------------------------------------------------------


def run_child(home: Path, opens: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(home), "--opens", str(opens)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="cold launches")
    parser.add_argument("--opens", type=int, default=10, help="patients opened per launch")
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.opens)
        return
    home = cached_home(args.patients)
    run_child(home, 1)  # warm the page cache and .pyc files
    runs = [run_child(home, args.opens) for _ in range(args.runs)]

    def med(key: str) -> float:
        return statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]

    opens = [ms for r in runs for ms in r["open_ms"]]  # type: ignore[union-attr]
    first_opens = [r["open_ms"][0] for r in runs]  # type: ignore[index]
    n = f"{args.patients:,} patients"
    rows = [
        ("case", "samples", "median", "best", "target", "ok"),
        (
            f"launch to first frame ({n})",
            str(len(runs)),
            f"{med('first_frame_ms'):.0f} ms",
            f"{min(float(r['first_frame_ms']) for r in runs):.0f} ms",  # type: ignore[arg-type]
            f"< {LAUNCH_TARGET_MS:.0f} ms",
            "yes" if med("first_frame_ms") < LAUNCH_TARGET_MS else "NO",
        ),
        (
            "  of which importing journal.tui.app",
            str(len(runs)),
            f"{med('import_ms'):.0f} ms",
            f"{min(float(r['import_ms']) for r in runs):.0f} ms",  # type: ignore[arg-type]
            "",
            "",
        ),
        (
            "launch to patient list painted",
            str(len(runs)),
            f"{med('list_ms'):.0f} ms",
            f"{min(float(r['list_ms']) for r in runs):.0f} ms",  # type: ignore[arg-type]
            f"< {LAUNCH_TARGET_MS:.0f} ms",
            "yes" if med("list_ms") < LAUNCH_TARGET_MS else "NO",
        ),
        (
            "launch to every score filled in (worker)",
            str(len(runs)),
            f"{med('scores_ms'):.0f} ms",
            f"{min(float(r['scores_ms']) for r in runs):.0f} ms",  # type: ignore[arg-type]
            "",
            "",
        ),
        (
            "open a patient: selected to dashboard painted",
            str(len(opens)),
            f"{statistics.median(opens):.0f} ms",
            f"{min(opens):.0f} ms",
            f"< {OPEN_TARGET_MS:.0f} ms",
            "yes" if statistics.median(opens) < OPEN_TARGET_MS else "NO",
        ),
        (
            "  first open after launch (cold imports)",
            str(len(first_opens)),
            f"{statistics.median(first_opens):.0f} ms",
            f"{min(first_opens):.0f} ms",
            f"< {OPEN_TARGET_MS:.0f} ms",
            "yes" if statistics.median(first_opens) < OPEN_TARGET_MS else "NO",
        ),
    ]
    table(rows)


if __name__ == "__main__":
    main()
