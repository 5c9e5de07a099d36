"""Backing up a PostgreSQL journal is `pg_dump`: the photos are in it (issue 17).

A dump of a journal whose photos live in the database, restored into an empty
database, is the whole journal: every photo row and every photo's bytes, the
`photo_store` setting included, as docs/photos-in-postgresql.md says.
"""

from __future__ import annotations

import datetime as dt
import glob
import shutil
import subprocess

import pytest
from conftest import PG_URL, throwaway_pg_database

from journal.imaging.synthetic import write_skin_photo
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos, list_photos, read_photo

pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs JOURNAL_TEST_PG_URL")


def _tool(name: str) -> str:
    """The Debian postgresql package's binary (what .ci/postgres.sh installs), else PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_pg_dump_and_pg_restore_carry_every_photo(tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_PHOTO_STORE")  # the PostgreSQL default: photos in the database
    dump = tmp_path / "journal.dump"
    with throwaway_pg_database() as url:
        with open_journal(tmp_path / "a", url) as journal:
            add_patient(journal, "Ana Lima")
            paths = []
            for i in range(3):
                path = tmp_path / f"p{i}.jpg"
                write_skin_photo(
                    path, seed=i, severity=5, taken_at=dt.datetime(2024, 3, 1 + i), size=(480, 360)
                )
                paths.append(path)
            import_photos(journal, "Ana Lima", paths, workers=1, keep_original=True)
            assert journal.photos.kind == "database"
            before = {
                (p.sha256, which): read_photo(journal, p, which)
                for p in list_photos(journal, "Ana Lima")
                for which in ("display", "thumb", "original")
            }
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), url],
            check=True,
            timeout=120,
        )
    with throwaway_pg_database() as restored:
        subprocess.run(
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],
            check=True,
            timeout=120,
        )
        with open_journal(tmp_path / "b", restored) as journal:
            assert journal.photos.kind == "database"
            after = {
                (p.sha256, which): read_photo(journal, p, which)
                for p in list_photos(journal, "Ana Lima")
                for which in ("display", "thumb", "original")
            }
    assert len(before) == 9 and None not in before.values()
    assert after == before
