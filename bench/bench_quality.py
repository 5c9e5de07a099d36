"""Benchmark photo_quality and pair_comparability in process (CPU time, synthetic photos).

    python bench/bench_quality.py

Issue 14 asks for quality and measures of one 2048-px display photo in under
150 ms of CPU together; quality aims for under 60 ms so the measures have the
rest. Times are process CPU time (time.process_time), median of 20 runs, on a
photo painted by journal/imaging/synthetic.py and decoded once up front, so
JPEG decoding (which `photo add` pays anyway) is not counted.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
from PIL import Image

from journal.imaging.quality import pair_comparability, photo_quality
from journal.imaging.synthetic import write_skin_photo

RUNS = 20
TARGET_MS = 60.0


def cpu_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median CPU time of `runs` calls, in milliseconds."""
    fn()  # warm caches and OpenCV's thread pool
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "display.jpg"
        write_skin_photo(
            path, seed=7, severity=6, taken_at=dt.datetime(2024, 3, 1), size=(2048, 1536)
        )
        with Image.open(path) as opened:
            photo = opened.convert("RGB")
    follow = photo.rotate(3)
    stored = photo_quality(photo)

    rows = [
        ("photo_quality, 2048x1536 PIL image", cpu_ms(lambda: photo_quality(photo)), TARGET_MS),
        (
            "pair_comparability, two photos",
            cpu_ms(lambda: pair_comparability(photo, follow)),
            2 * TARGET_MS,
        ),
        (
            "pair_comparability, stored qualities",
            cpu_ms(lambda: pair_comparability(stored, stored)),
            1.0,
        ),
    ]
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads, median of {RUNS} runs")
    print(f"{'case':<42} {'CPU ms':>8} {'target':>8}  verdict")
    for name, ms, target in rows:
        verdict = "ok" if ms < target else "SLOW"
        print(f"{name:<42} {ms:8.1f} {target:8.1f}  {verdict}")


if __name__ == "__main__":
    main()
