"""What an export format is, and how installed plugins add formats.

Each exporter declares its format once, as an `ExportFormat`: the name
`--format` takes, the default file suffix, a short label for menus and a
one-line description. `journal export --help`, the TUI's export screen and
docs/exports.md all read those declarations, so a new format cannot leave a
front end or the docs behind (tests/test_docs.py checks the docs table). The
built-in formats are declared next to their exporters in
`journal.services.exporting`, because an exporter reads the journal through the
services (this package never opens the database) and is called as
`exporter(journal, job)` with the open journal and an `ExportJob`; it returns
the path it wrote.

A clinic can add its own format without touching the journal: an installed
distribution declares an entry point in the group `journal.exporters` whose
object is an `ExportFormat`. Built-in names cannot be replaced, and an entry
point that fails to load or is not an `ExportFormat` is left out with a
one-line reason rather than breaking every export. Entry points are read only
when an export runs or the export screen opens, never for `journal --help`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

ENTRY_POINT_GROUP = "journal.exporters"


@dataclass(frozen=True)
class ExportJob:
    """What one export is asked to do; every exporter gets the same fields."""

    patient_ref: str
    out: Path
    course_ref: str | None
    today: dt.date
    paper: str
    audience: str = "provider"  # pdf/html: who reads it (see journal.export.summary.AUDIENCES)


@dataclass(frozen=True)
class ExportFormat:
    """One export format, as every front end and the docs show it."""

    name: str  # the value of --format
    suffix: str  # the default file name ending, e.g. ".pdf"
    label: str  # a short title for menus
    description: str  # one line for --help and docs/exports.md
    exporter: Callable[[Any, ExportJob], Path]  # (journal, job) -> the path written


class EntryPointLike(Protocol):
    """The part of `importlib.metadata.EntryPoint` the loader uses."""

    @property
    def name(self) -> str: ...

    def load(self) -> Any: ...


def with_plugins(
    built_in: dict[str, ExportFormat], entry_points: Iterable[EntryPointLike]
) -> tuple[dict[str, ExportFormat], list[str]]:
    """The built-in formats plus those the entry points declare, and why any was refused."""
    found = dict(built_in)
    problems: list[str] = []
    for entry in entry_points:
        try:
            declared = entry.load()
        except Exception as exc:  # a broken plugin must not break the built-in exports
            problems.append(f"export plugin {entry.name!r} did not load: {exc}")
            continue
        if not isinstance(declared, ExportFormat):
            problems.append(f"export plugin {entry.name!r} is not an ExportFormat")
        elif declared.name in found:
            problems.append(f"export plugin {entry.name!r} reuses the name {declared.name!r}")
        else:
            found[declared.name] = declared
    return found, problems


def installed_entry_points() -> list[EntryPointLike]:
    """The `journal.exporters` entry points of every installed distribution."""
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def help_line(formats: Iterable[ExportFormat]) -> str:
    """One sentence naming every format with its description (for `--format`'s help)."""
    return "; ".join(f"{f.name}: {f.description}" for f in formats) + "."
