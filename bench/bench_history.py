"""`journal history --json` as a whole process on a long history.

Issue target: a patient with 30 sessions and 500 check-ins returns in under
300 ms, start-up included. Run: `python bench/bench_history.py [--runs N]`.
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

from journal.services.checkins import add_checkin
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.sessions import add_session

TARGET_MS = 300.0


def build(home: Path, sessions: int = 30, checkins: int = 500, db_url: str | None = None) -> None:
    """A realistic long history through the real services."""
    with open_journal(home, db_url) as journal:
        add_patient(journal, "Long History", concerns=["acne-scars", "texture"])
        start = dt.date(2024, 1, 1)
        for i in range(sessions):
            add_session(
                journal,
                "Long History",
                date=(start + dt.timedelta(days=21 * i)).isoformat(),
                device="pen",
                depth="1.5",
                serums=["prp"],
                areas=["cheeks"],
                cost="300",
                provider="Dr. Bench",
            )
        for i in range(checkins):
            add_checkin(
                journal,
                "Long History",
                date=(start + dt.timedelta(days=i + 1)).isoformat(),
                symptoms={"redness": i % 7, "swelling": i % 3},
                concerns={"acne-scars": max(0, 8 - i // 70), "texture": max(0, 6 - i // 90)},
                gais="improved",
                notes="A note of ordinary length about how the skin felt today.",
            )


def time_command(home: Path, runs: int) -> tuple[list[float], int]:
    cmd = [sys.executable, "-m", "journal", "--home", str(home), "history", "-p", "Long History"]
    cmd.append("--json")
    timings: list[float] = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
        timings.append((time.perf_counter() - start) * 1000)
        doc = json.loads(out)
        size = len(doc["checkins"])
    return timings, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        build(home)
        time_command(home, 2)  # warm the page cache and .pyc files
        timings, checkins = time_command(home, args.runs)
    median = statistics.median(timings)
    rows = [
        ("case", "runs", "median", "best", "target", "ok"),
        (
            f"history --json (30 sessions, {checkins} check-ins)",
            str(args.runs),
            f"{median:.0f} ms",
            f"{min(timings):.0f} ms",
            f"< {TARGET_MS:.0f} ms",
            "yes" if median < TARGET_MS else "NO",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
