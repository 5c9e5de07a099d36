"""Fixtures for the TUI tests: real journals on disk, built once, copied per test.

Seeding the demo renders and imports ten photos, which takes seconds; every
test gets its own copy of a journal built once per session, so tests stay
independent without paying for the build each time. The clock is injected
(`TODAY`) and the time zone pinned to UTC, so photo dates and plans read the
same on every machine.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .builders import TODAY, build_clinic, build_demo


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """textual-image still calls a Pillow method deprecated for Pillow 14; not ours to fix."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:Image.Image.getdata is deprecated"))


def _utc(mp: pytest.MonkeyPatch) -> None:
    mp.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    """Photo dates are local days; pin the zone so every machine sees the same ones."""
    with pytest.MonkeyPatch.context() as mp:
        _utc(mp)
        yield
    time.tzset()


def _template(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    home = factory.mktemp(name) / "home"
    with pytest.MonkeyPatch.context() as mp:
        _utc(mp)
        build(home)
    time.tzset()
    return home


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "demo", build_demo)


@pytest.fixture(scope="session")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "clinic", build_clinic)


def _copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@pytest.fixture
def demo_home(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo journal (one patient with photos)."""
    return _copy(demo_template, tmp_path / "demo")


@pytest.fixture
def clinic_home(clinic_template: Path, tmp_path: Path) -> Path:
    """A private copy of the clinic journal (five patients)."""
    return _copy(clinic_template, tmp_path / "clinic")


@pytest.fixture
def empty_home(tmp_path: Path) -> Path:
    return tmp_path / "empty"


@pytest.fixture
def open_home() -> Iterator[Callable[[Path], Any]]:
    """Open journals for a test and close them all afterwards."""
    from journal.services.journal import open_journal

    opened: list[Any] = []

    def opener(home: Path) -> Any:
        journal = open_journal(home)
        opened.append(journal)
        return journal

    yield opener
    for journal in opened:
        journal.close()


@pytest.fixture
def make_app(open_home: Callable[[Path], Any], tmp_path: Path) -> Callable[..., Any]:
    """A `JournalApp` on the journal at `home`, as of `TODAY`."""
    from journal.tui.app import JournalApp

    def factory(home: Path, **kwargs: Any) -> JournalApp:
        kwargs.setdefault("photos_from", tmp_path)  # the picker never browses the real home
        return JournalApp(journal=open_home(home), today=TODAY, **kwargs)

    return factory


LONG_LIVED = {"_loader"}  # DirectoryTree's queue reader runs as long as the tree exists


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and the screen repaint (loading happens in threads)."""
    for _ in range(rounds):
        await pilot.pause()
        workers = [w for w in pilot.app.workers if w.group not in LONG_LIVED]
        if workers:
            await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()


def text_of(widget: Any) -> str:
    """The plain text a Static shows, whether it holds a string, Text or a Rich table."""
    import io

    from rich.console import Console

    content = widget.content
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return str(content.plain)
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(content)
    return console.export_text()


def rich_text(renderable: Any, width: int = 200) -> str:
    """A Rich renderable (an option's prompt: text or a grid) as plain text."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text().strip()


def screen_text(screen: Any) -> str:
    """Everything the Statics and Labels of a screen say, as one string."""
    return "\n".join(text_of(w) for w in screen.query("Static"))


def run(scenario: Awaitable[None]) -> None:
    """Run a Pilot scenario without needing an async test plugin."""
    asyncio.run(scenario)  # type: ignore[arg-type]
