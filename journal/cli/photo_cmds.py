"""`journal photo add` and `journal photo list`.

A batch import keeps the good files and reports each bad one on its own line,
`journal: error: FILE: REASON`, then exits 2: a script learns that something
failed, a person learns exactly which file and why, and nothing good is lost.
`--area-from-name` / `--kind-from-name` file each photo by what its name says
(`after-left-cheek.jpg`); a name that names no area, with no `--area` to fall
back on, stops the batch before any file is read.
Pillow and the services are imported inside the commands so `journal --help`
never loads an image library.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from journal.cli.context import emit_json, open_from, say, short_id, warn

if TYPE_CHECKING:
    from journal.core import records

photo_app = typer.Typer(help="Import and list photos.", no_args_is_help=True)

PATIENT = typer.Option(..., "--patient", "-p", help="Patient id, id prefix or unique name.")
JSON = typer.Option(False, "--json", help="Print one JSON document.")


@photo_app.command("add")
def photo_add(
    ctx: typer.Context,
    files: list[str] = typer.Argument(..., metavar="FILE", help="JPEG, PNG, WebP or HEIC."),
    patient: str = PATIENT,
    date: str | None = typer.Option(
        None, "--date", "-d", help="Day the photos were taken (links that day's session)."
    ),
    session: str | None = typer.Option(None, "--session", help="Session id to attach them to."),
    course: str | None = typer.Option(None, "--course", help="Course id or title."),
    kind: str | None = typer.Option(
        None, "--kind", help="before, after or follow-up (default: from the date)."
    ),
    area: str | None = typer.Option(
        None,
        "--area",
        help="Treated area shown, e.g. cheeks (with --area-from-name: the fallback).",
    ),
    area_from_name: bool = typer.Option(
        False,
        "--area-from-name",
        help="Each photo's area from its file name (after-left-cheek.jpg); needs --area "
        "for names that say none.",
    ),
    kind_from_name: bool = typer.Option(
        False,
        "--kind-from-name",
        help="Each photo's kind from its file name (before/after/follow-up); names that "
        "say none get --kind or the automatic kind.",
    ),
    angle: str | None = typer.Option(None, "--angle", help="View, e.g. front, left-45."),
    keep_original: bool = typer.Option(
        False, "--keep-original", help="Also store the original file (with its metadata)."
    ),
    as_json: bool = JSON,
) -> None:
    """Import photos: a display copy and a thumbnail, without GPS or other metadata."""
    from journal.services.photos import import_photos

    with open_from(ctx) as journal, _progress(len(files)) as progress:
        report = import_photos(
            journal,
            patient,
            files,
            date=date,
            session=session,
            course=course,
            kind=kind,
            area=area,
            angle=angle,
            keep_original=keep_original,
            area_from_name=area_from_name,
            kind_from_name=kind_from_name,
            progress=progress,
        )
    if as_json:
        emit_json(
            {
                "imported": report.imported,
                "duplicates": report.duplicates,
                "failed": [{"path": path, "error": error} for path, error in report.failed],
            }
        )
    else:
        for photo in report.imported:
            say(f"Imported {_describe(photo)}")
        for photo in report.duplicates:
            say(f"Already in the journal: {_describe(photo)}")
    for path, error in report.failed:
        warn(f"journal: error: {path}: {error}")
    if report.failed:
        raise typer.Exit(2)


@photo_app.command("list")
def photo_list(
    ctx: typer.Context,
    patient: str = PATIENT,
    area: str | None = typer.Option(None, "--area", help="Only this area."),
    as_json: bool = JSON,
) -> None:
    """A patient's photos, oldest first."""
    from journal.services.photos import list_photos, photo_where

    with open_from(ctx) as journal:
        photos = list_photos(journal, patient, area=area)
        paths = {p.id: photo_where(journal, p) for p in photos}
    if as_json:
        emit_json(photos)
        return
    if not photos:
        say("No photos yet. Add some with: journal photo add --patient P FILE...")
        return
    say(f"{'ID':<9} {'TAKEN':<16} {'KIND':<10} {'AREA':<14} {'SIZE':<11} FILE")
    for p in photos:
        taken = p.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        size = f"{p.width}x{p.height}"
        area_text = p.area or "-"
        say(
            f"{short_id(p.id):<9} {taken:<16} {p.kind:<10} {area_text:<14} {size:<11} {paths[p.id]}"
        )


def _describe(photo: records.Photo) -> str:
    taken = photo.taken_at.astimezone().strftime("%Y-%m-%d")
    where = f", {photo.area}" if photo.area else ""
    name = photo.original_name or photo.sha256[:12]
    return f"{name} as {short_id(photo.id)} ({photo.kind}, {taken}{where})"


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for a person watching; nothing when piped or for one file."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=total, label="Importing photos", file=sys.stderr) as bar:
        shown = 0

        def update(done: int, _total: int) -> None:
            nonlocal shown
            if done > shown:
                bar.update(done - shown)
                shown = done

        yield update


def register(app: typer.Typer) -> None:
    app.add_typer(photo_app, name="photo")
