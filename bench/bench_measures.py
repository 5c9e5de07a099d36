"""Benchmark the skin measures on one 2048-px display photo (issue 14).

    python bench/bench_measures.py

Paints a synthetic skin photo at the display size the journal stores
(2048 x 1536), round-trips it through JPEG as `photo add` does, and times
`skin_measures` on it: CPU time (process time, all threads) and wall time,
median of 20 runs, with and without a skin mask. The issue's target is
quality + measures under 150 ms of CPU per photo, so measures aim at 90 ms.
"""

from __future__ import annotations

import io
import statistics
import time

import numpy as np
from PIL import Image

from journal.imaging.measures import skin_measures
from journal.imaging.synthetic import paint_skin

RUNS = 20
TARGET_MS = 90.0


def display_photo() -> np.ndarray:
    """A 2048 x 1536 skin photo as the display copy is stored (JPEG, quality 90)."""
    painted = paint_skin(seed=9, severity=8, size=(2048, 1536))
    buffer = io.BytesIO()
    painted.save(buffer, "JPEG", quality=90)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


def timed(run: object, *args: object) -> tuple[float, float]:
    """Median (CPU ms, wall ms) over RUNS calls after one warm-up call."""
    assert callable(run)
    run(*args)
    cpu, wall = [], []
    for _ in range(RUNS):
        c0, w0 = time.process_time(), time.perf_counter()
        run(*args)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    photo = display_photo()
    height, width = photo.shape[:2]
    mask = np.zeros((height, width), dtype=bool)
    mask[height // 8 : -height // 8, width // 8 : -width // 8] = True
    rows = [
        ("skin_measures, whole frame", *timed(skin_measures, photo)),
        ("skin_measures, skin mask", *timed(skin_measures, photo, mask)),
    ]
    print(f"{'case (2048x1536, median of ' + str(RUNS) + ')':<40} {'CPU ms':>8} {'wall ms':>8}")
    for name, cpu, wall in rows:
        flag = "ok" if cpu < TARGET_MS else f"over {TARGET_MS:.0f} ms"
        print(f"{name:<40} {cpu:8.1f} {wall:8.1f}  {flag}")


if __name__ == "__main__":
    main()
