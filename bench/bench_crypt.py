"""Opening an encrypted journal and `journal history --json`, against the same journal in clear.

Issue 15's figure: the encrypted run (Argon2id key derivation, SQLCipher open,
the read) takes under 1.5x the plaintext run, as whole processes, medians.
Both journals hold the same long history (bench_history's: 30 sessions, 500
check-ins). Run: `python bench/bench_crypt.py [--runs N] [--pg-url URL]`.

With a PostgreSQL server (`--pg-url`, or JOURNAL_TEST_PG_URL), the same two
figures for a PostgreSQL journal, whose photos the journal seals and whose
records it leaves to the server: `history --json` encrypted against plain
(both through psycopg; the encrypted one unlocks its header row first), and
`journal encrypt` of 1,000 photos kept in the database (`photo_blob`).

Two photo figures follow (skip them with `--no-photos`):

* `photo add` of ten 24-MP photos (6000x4000, bench_pgphotos' variants of one
  synthetic picture) into an encrypted journal against a plaintext one:
  CPU seconds (user+sys, this process and its workers), target < 1.1x.
* `journal encrypt` of a journal with 1,000 photos, wall time. The photos are
  generated with journal/imaging/synthetic.py at display size (2048x1536)
  so building the journal stays quick; encrypt seals the stored display copy
  and thumbnail of each (2,000 files), which is what it costs whatever the
  originals' size.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def timed(home: Path, runs: int, passphrase: str | None, db_url: str | None = None) -> list[float]:
    cmd = [sys.executable, "-m", "journal", "--home", str(home)]
    cmd += ["--db", db_url] if db_url else []
    cmd += ["history", "-p", "Long History"]
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
    parser.add_argument("--imports", type=int, default=10, help="24-MP photos to add")
    parser.add_argument("--journal-photos", type=int, default=1000, help="photos to encrypt")
    parser.add_argument("--no-photos", dest="photos", action="store_false")
    parser.add_argument("--pg-url", help="a PostgreSQL server's admin URL (or JOURNAL_TEST_PG_URL)")
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
    if args.photos:
        with tempfile.TemporaryDirectory() as tmp:
            photo_add_cpu(Path(tmp), args.imports)
            encrypt_time(Path(tmp), args.journal_photos)
    from bench_clinic import pg_admin_url

    admin = pg_admin_url(args.pg_url)
    if admin:
        postgres(admin, args)


def postgres(admin: str, args: argparse.Namespace) -> None:
    """The PostgreSQL figures (see the module doc); databases dropped afterwards."""
    from bench_clinic import create_pg_database

    drops = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plain_url, drop = create_pg_database(admin)
            drops.append(drop)
            locked_url, drop = create_pg_database(admin)
            drops.append(drop)
            plain, locked = Path(tmp) / "plain", Path(tmp) / "encrypted"
            build(plain, db_url=plain_url)
            build(locked, db_url=locked_url)
            encrypt(PASS, locked, locked_url)
            for home, secret, url in ((plain, None, plain_url), (locked, PASS, locked_url)):
                timed(home, 2, secret, url)
            plain_ms, locked_ms = [], []
            for _ in range(args.runs):
                plain_ms += timed(plain, 1, None, plain_url)
                locked_ms += timed(locked, 1, PASS, locked_url)
            p, e = statistics.median(plain_ms), statistics.median(locked_ms)
            verdict = "yes" if e / p < TARGET_RATIO else "NO"
            print(f"PostgreSQL plaintext history --json   {p:6.0f} ms (best {min(plain_ms):.0f})")
            print(f"PostgreSQL encrypted history --json   {e:6.0f} ms (best {min(locked_ms):.0f})")
            print(f"PostgreSQL ratio {e / p:.2f}x (target < {TARGET_RATIO}x): {verdict}")
            if args.photos:
                url, drop = create_pg_database(admin)
                drops.append(drop)
                encrypt_time(Path(tmp), args.journal_photos, url)
    finally:
        for drop in drops:
            drop()


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _journal(home: Path, encrypted: bool, db_url: str | None = None):  # type: ignore[no-untyped-def]
    from journal.services.crypt import init_encrypted
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.unlock import Secret

    if encrypted:
        init_encrypted(PASS, home, db_url)
    secret = Secret("passphrase", PASS) if encrypted else None
    journal = open_journal(home, db_url, secret=secret)
    add_patient(journal, "Bench Patient")
    return journal


def photo_add_cpu(root: Path, count: int) -> None:
    """CPU of importing `count` 24-MP photos, encrypted against plaintext (interleaved)."""
    from bench_pgphotos import _variants

    from journal.services.photos import import_photos

    cpu: dict[str, list[float]] = {"plain": [], "encrypted": []}
    for run in range(3):
        big = _variants(root / f"big{run}", count, (6000, 4000), seed=5 + run)
        for kind in ("plain", "encrypted"):
            journal = _journal(root / f"imp-{kind}-{run}", kind == "encrypted")
            start = _cpu()
            import_photos(journal, "Bench Patient", big)
            cpu[kind].append(_cpu() - start)
            journal.close()
    plain, locked = statistics.median(cpu["plain"]), statistics.median(cpu["encrypted"])
    verdict = "yes" if locked / plain < 1.1 else "NO"
    print(
        f"photo add of {count} 24-MP photos, CPU (median of 3): plaintext {plain:.1f} s,"
        f" encrypted {locked:.1f} s ({locked / plain:.2f}x, target < 1.1x: {verdict})"
    )


def encrypt_time(root: Path, count: int, db_url: str | None = None) -> None:
    """Wall time of `journal encrypt` (a whole process) on a journal with `count` photos
    (on PostgreSQL: kept in the database, the store a new clinic journal starts with)."""
    from bench_pgphotos import _variants

    from journal.services.photos import import_photos

    home = root / ("thousand-pg" if db_url else "thousand")
    env = {**os.environ, "JOURNAL_PASSPHRASE": PASS}
    env["JOURNAL_PHOTO_STORE"] = "database" if db_url else "folder"
    os.environ["JOURNAL_PHOTO_STORE"] = env["JOURNAL_PHOTO_STORE"]
    journal = _journal(home, False, db_url)
    files = _variants(root / "display", count, (2048, 1536), seed=9)
    import_photos(journal, "Bench Patient", files)
    stored = len(list(journal.photos.stored()))
    journal.close()
    start = time.perf_counter()
    where_args = ["--home", str(home), *(["--db", db_url] if db_url else [])]
    subprocess.run(
        [sys.executable, "-m", "journal", *where_args, "encrypt"],
        capture_output=True, check=True, env=env,
    )  # fmt: skip
    took = time.perf_counter() - start
    where = "PostgreSQL, photos in the database" if db_url else "SQLite, photos in the folder"
    print(f"journal encrypt of {count} photos ({stored} stored files, {where}): {took:.1f} s")


if __name__ == "__main__":
    main()
