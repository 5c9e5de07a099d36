"""Fixtures for the export tests: a seeded demo journal, a second journal, archives.

`seed_demo` paints ten synthetic skin photos, which is most of its cost; the
painting is deterministic, so the painter is cached by its arguments and later
calls copy the file. Every test still imports the photos through the real
pipeline into its own journal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import DEMO, TODAY, Parts, caching_painter


@pytest.fixture(scope="session")
def painted_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("painted")


@pytest.fixture(scope="module")
def fast_photos(painted_cache: Path) -> Iterator[None]:
    from journal.imaging import synthetic

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            synthetic,
            "write_skin_photo",
            caching_painter(synthetic.write_skin_photo, painted_cache),
        )
        yield


@pytest.fixture
def demo(journal: Any, fast_photos: None) -> Any:
    """The demo patient (4 sessions, 17 check-ins, 2 reviews, 10 photos) in `journal`."""
    from journal.services.demo import seed_demo

    return seed_demo(journal, today=TODAY)


@pytest.fixture
def other_url(db_kind: str) -> Iterator[str | None]:
    """A second, empty database of the same kind (None: SQLite inside the other home)."""
    if db_kind == "sqlite":
        yield None
        return
    from conftest import throwaway_pg_database

    with throwaway_pg_database() as url:
        yield url


@pytest.fixture
def other_home(tmp_path: Path) -> Path:
    return tmp_path / "other-home"


@pytest.fixture
def other(other_home: Path, other_url: str | None) -> Iterator[Any]:
    """A second empty journal on the same kind of database as `journal`."""
    from journal.services.journal import open_journal

    j = open_journal(other_home, other_url)
    try:
        yield j
    finally:
        j.close()


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory, painted_cache: Path) -> Path:
    """An exchange archive of the demo patient, made once (on SQLite) for the refusal tests."""
    from journal.imaging import synthetic
    from journal.services.demo import seed_demo
    from journal.services.exporting import export_patient
    from journal.services.journal import open_journal

    base = tmp_path_factory.mktemp("demo-archive")
    painter = caching_painter(synthetic.write_skin_photo, painted_cache)
    with pytest.MonkeyPatch.context() as mp, open_journal(base / "home") as j:
        mp.setattr(synthetic, "write_skin_photo", painter)
        seed_demo(j, today=TODAY)
        return export_patient(j, DEMO, fmt="json", out=base / "demo.zip")


@pytest.fixture
def parts(demo_archive: Path) -> Callable[[], Parts]:
    """A fresh, tamperable copy of the demo archive's parts."""
    return lambda: Parts(demo_archive)
