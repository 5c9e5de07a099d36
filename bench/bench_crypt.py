"""Opening an encrypted journal and `journal history --json`, against the same journal in clear.

Issue 15's figure: the encrypted run (Argon2id key derivation, SQLCipher open,
the read) takes under 1.5x the plaintext run, as whole processes, medians.
Both journals hold the same long history (bench_history's: 30 sessions, 500
check-ins). Run: `python bench/bench_crypt.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_history import build

from journal.services.crypt import encrypt
from journal.store import keys

PASS = "a bench passphrase"
TARGET_RATIO = 1.5


def timed(home: Path, runs: int, passphrase: str | None) -> list[float]:
    cmd = [sys.executable, "-m", "journal", "--home", str(home), "history", "-p", "Long History"]
    cmd.append("--json")
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_PASSPHRASE"}
    if passphrase is not None:
        env["JOURNAL_PASSPHRASE"] = passphrase
    timings: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain"
        build(plain)
        locked = Path(tmp) / "encrypted"
        shutil.copytree(plain, locked)
        encrypt(PASS, locked)
        for home, secret in ((plain, None), (locked, PASS)):
            timed(home, 2, secret)  # warm the page cache and .pyc files
        plain_ms, locked_ms = [], []
        for _ in range(args.runs):  # interleaved: a busy machine slows both alike
            plain_ms += timed(plain, 1, None)
            locked_ms += timed(locked, 1, PASS)
    p, e = statistics.median(plain_ms), statistics.median(locked_ms)
    ratio = e / p
    print(
        f"Argon2id m={keys.KDF_MEMORY_KIB // 1024} MiB t={keys.KDF_TIME_COST}"
        f" p={keys.KDF_PARALLELISM}; {args.runs} runs each, medians"
    )
    print(f"plaintext history --json   {p:6.0f} ms (best {min(plain_ms):.0f})")
    print(f"encrypted history --json   {e:6.0f} ms (best {min(locked_ms):.0f})")
    verdict = "yes" if ratio < TARGET_RATIO else "NO"
    print(f"ratio {ratio:.2f}x (target < {TARGET_RATIO}x): {verdict}")


if __name__ == "__main__":
    main()
