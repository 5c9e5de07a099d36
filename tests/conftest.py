"""Shared fixtures: a real journal on SQLite and, when configured, PostgreSQL.

`journal_url` is parametrized over the databases this run can reach: SQLite
always, PostgreSQL when `JOURNAL_TEST_PG_URL` points at a server (.ci/run
starts one). Each PostgreSQL test gets its own fresh database, so tests never
see each other's rows. Under CI the PostgreSQL server is required, not skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_URL = os.environ.get("JOURNAL_TEST_PG_URL")

if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI must run the suite against PostgreSQL: set JOURNAL_TEST_PG_URL")


def _databases() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_kind", _databases())
    if "photo_store" in metafunc.fixturenames:
        metafunc.parametrize("photo_store", ["folder", "database"])


@pytest.fixture(autouse=True)
def _photo_store_choice(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Which photo store a test's new journals start with (JOURNAL_PHOTO_STORE).

    A test that takes `photo_store` runs once per backend; every other test
    keeps its photos in the folder it inspects, on PostgreSQL too (whose
    journals otherwise default to the database store, tested on its own).
    Child processes inherit the choice through the environment.
    """
    choice = (
        request.getfixturevalue("photo_store") if "photo_store" in request.fixturenames else None
    )
    monkeypatch.setenv("JOURNAL_PHOTO_STORE", choice or "folder")


@contextlib.contextmanager
def throwaway_pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    assert PG_URL is not None
    name = f"jt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def journal_url(db_kind: str, tmp_path: Path) -> Iterator[str | None]:
    """None for SQLite inside the home; a throwaway database URL for PostgreSQL."""
    if db_kind == "sqlite":
        yield None
        return
    with throwaway_pg_database() as url:
        yield url


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def journal(home: Path, journal_url: str | None) -> Iterator[Any]:
    """An opened, migrated, empty journal on the parametrized database."""
    from journal.services.journal import open_journal

    j = open_journal(home, journal_url)
    try:
        yield j
    finally:
        j.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(home: Path, journal_url: str | None, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `journal ARGS...` in-process against the test home; returns code/out/err."""
    from journal.cli.main import run

    def invoke(*args: str) -> CliResult:
        argv = ["--home", str(home)]
        if journal_url:
            argv += ["--db", journal_url]
        capsys.readouterr()
        try:
            run([*argv, *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


def photo_files(home: Path) -> list[Path]:
    """Every file under the home's photo store (to prove nothing was written)."""
    root = home / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored_photo_files(journal: Any) -> list[str]:
    """The name of every live file in the journal's photo store, folder or database."""
    return sorted(journal.photos.stored())


def jpeg_inside(data: bytes) -> bool:
    """True when a JPEG that decodes starts somewhere in `data`.

    FF D8 FF is three bytes: megabytes of ciphertext hold it by chance now and
    then (about once per 16 MiB), so each occurrence is decoded to tell a real
    image from noise.
    """
    import io

    from PIL import Image

    start = data.find(b"\xff\xd8\xff")
    while start != -1:
        try:
            with Image.open(io.BytesIO(data[start:])) as image:
                image.draft("RGB", (8, 8))
                image.load()
            return True
        except Exception:
            start = data.find(b"\xff\xd8\xff", start + 1)
    return False
