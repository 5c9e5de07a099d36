"""Photos in PostgreSQL against photos in a folder (issue 17's figures).

Run from the checkout with a PostgreSQL server (a throwaway database is made
and dropped on it):

    JOURNAL_BENCH_PG_URL=postgresql://... .venv/bin/python bench/bench_pgphotos.py \
        [--move-photos 1000] [--imports 10]

(a) Opening a display photo: its bytes from the database store against the
    same bytes from a local file (page cache warm), median of 200; and with
    the preview decode the compare view does on top (what a person waits for).
    Goal: database < 2x the file.
(b) A patient's gallery of 20 thumbnails from the database: every thumbnail's
    bytes and the display copies' presence (journal.tui.data's one query
    each), median of 30. Goal: < 100 ms.
(c) Importing ten 24-MP photos (6000x4000): CPU seconds (user+sys, this
    process and its workers) of a database-backed journal against a
    folder-backed one. Goal: < 1.2x.
(d) Moving a journal of --move-photos photos from the folder to the database
    (`journal photos move`): wall time, stated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _variants(folder: Path, count: int, size: tuple[int, int], seed: int = 3) -> list[Path]:
    """Distinct files of one picture (a COM segment changes the bytes, not the pixels)."""
    from journal.imaging.synthetic import write_skin_photo

    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.jpg"
    write_skin_photo(base, seed=seed, severity=6, taken_at=dt.datetime(2024, 5, 1, 9), size=size)
    data = base.read_bytes()
    out = []
    for i in range(count):
        text = f"variant {i}".encode()
        segment = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
        path = folder / f"IMG_{i:05d}.jpg"
        path.write_bytes(data[:2] + segment + data[2:])
        out.append(path)
    base.unlink()
    return out


def _journal(home: Path, url: str | None, store: str):
    os.environ["JOURNAL_PHOTO_STORE"] = store
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient

    journal = open_journal(home, url)
    assert journal.photos.kind == store, journal.photos
    add_patient(journal, "Bench Patient")
    return journal


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--move-photos", type=int, default=1000)
    parser.add_argument("--imports", type=int, default=10)
    args = parser.parse_args()
    url_base = os.environ.get("JOURNAL_BENCH_PG_URL") or os.environ.get("JOURNAL_TEST_PG_URL")
    if not url_base:
        raise SystemExit("set JOURNAL_BENCH_PG_URL to a PostgreSQL server")
    os.environ["JOURNAL_TEST_PG_URL"] = url_base
    from conftest import throwaway_pg_database

    from journal.services.photomove import move_photos
    from journal.services.photos import import_photos, list_photos
    from journal.tui.data import _photo_files
    from journal.tui.widgets.photo import load_preview

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # (a) and (b): 20 photos of 3000x2000 in each store
        sources = _variants(root / "src", 20, (3000, 2000))
        with throwaway_pg_database() as url:
            db_journal = _journal(root / "db", url, "database")
            import_photos(db_journal, "Bench Patient", sources)
            folder_journal = _journal(root / "folder", None, "folder")
            import_photos(folder_journal, "Bench Patient", sources)
            db_photo = list_photos(db_journal, "Bench Patient")[0]
            folder_photo = list_photos(folder_journal, "Bench Patient")[0]
            file_path = folder_journal.photos.path(folder_photo.display_path)  # type: ignore[attr-defined]
            size_kb = len(file_path.read_bytes()) / 1024
            file_ms = _median_ms(lambda: file_path.read_bytes(), 200)
            db_ms = _median_ms(lambda: db_journal.photos.read_bytes(db_photo.display_path), 200)
            print(
                f"(a) display copy {size_kb:.0f} KiB: file {file_ms:.3f} ms, database"
                f" {db_ms:.3f} ms ({db_ms / file_ms:.1f}x the file)"
            )

            def decode_file() -> None:
                load_preview.cache_clear()
                load_preview(file_path)

            def decode_db() -> None:
                load_preview.cache_clear()
                load_preview(db_journal.photos.read_bytes(db_photo.display_path) or b"")

            file_dec, db_dec = _median_ms(decode_file, 30), _median_ms(decode_db, 30)
            print(
                f"    with the compare view's preview decode: file {file_dec:.1f} ms,"
                f" database {db_dec:.1f} ms ({db_dec / file_dec:.2f}x)"
            )
            photos = list_photos(db_journal, "Bench Patient")
            gallery = _median_ms(lambda: _photo_files(db_journal, photos), 30)
            thumbs, _ = _photo_files(db_journal, photos)
            print(f"(b) gallery of {len(thumbs)} thumbnails from the database: {gallery:.1f} ms")
            db_journal.close()
            folder_journal.close()

        # (c) import ten 24-MP photos, CPU
        big = _variants(root / "big", args.imports, (6000, 4000), seed=5)
        cpu: dict[str, float] = {}
        with throwaway_pg_database() as url:
            for store in ("folder", "database"):
                journal = _journal(
                    root / f"imp-{store}", url if store == "database" else None, store
                )
                start = _cpu()
                import_photos(journal, "Bench Patient", big)
                cpu[store] = _cpu() - start
                journal.close()
        print(
            f"(c) {args.imports} 24-MP imports, CPU: folder {cpu['folder']:.1f} s, database"
            f" {cpu['database']:.1f} s ({cpu['database'] / cpu['folder']:.2f}x)"
        )

        # (d) move a journal of N photos from the folder to the database
        many = _variants(root / "many", args.move_photos, (1600, 1200), seed=9)
        with throwaway_pg_database() as url:
            journal = _journal(root / "move", url, "folder")
            import_photos(journal, "Bench Patient", many)
            start = time.perf_counter()
            report = move_photos(journal, "database")
            took = time.perf_counter() - start
            print(
                f"(d) moved {len(many)} photos ({report.files} files) folder -> database in"
                f" {took:.1f} s ({took / max(1, len(many)) * 1000:.1f} ms per photo)"
            )
            journal.close()


if __name__ == "__main__":
    main()
