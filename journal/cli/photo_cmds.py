"""`journal photo add`, `journal photo list` and `journal photo compare`.

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
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from journal.cli.context import emit_json, open_from, say, short_id, warn

if TYPE_CHECKING:
    from journal.core import records

photo_app = typer.Typer(help="Import, list and compare photos.", no_args_is_help=True)

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
    for photo in report.imported:
        for warning in _quality_warnings(photo):
            warn(f"journal: warning: {photo.original_name or short_id(photo.id)}: {warning}")
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


@photo_app.command("compare")
def photo_compare(
    ctx: typer.Context,
    patient: str = PATIENT,
    area: str = typer.Option(..., "--area", help="The area to compare, e.g. cheeks."),
    from_ref: str | None = typer.Option(
        None, "--from", help="Baseline photo id (default: the area's earliest 'before' photo)."
    ),
    to_ref: str | None = typer.Option(
        None, "--to", help="Follow-up photo id (default: the area's latest photo)."
    ),
    out: str | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the aligned pair and a difference picture to this PNG file.",
    ),
    as_json: bool = JSON,
) -> None:
    """Align a follow-up photo to its baseline and measure what changed, with its uncertainty."""
    from journal.services.evidence import compare_photos

    target = _output_path(out) if out is not None else None
    with open_from(ctx) as journal:
        evidence = compare_photos(journal, patient, area, from_ref=from_ref, to_ref=to_ref)
    if target is not None:
        _write_new(target, evidence.pair_png())
    if as_json:
        document = evidence.to_dict()
        document["output"] = str(target) if target is not None else None
        emit_json(document)
        return
    base, follow = evidence.baseline, evidence.follow_up
    say(
        f"{evidence.area}: {short_id(base.id)} ({_day(base)}, {base.kind}) -> "
        f"{short_id(follow.id)} ({_day(follow)}, {follow.kind})"
    )
    say(evidence.alignment.sentence())
    say("Comparable: yes" if evidence.comparable else "Comparable: NO (not used by the score)")
    for warning in evidence.warnings:
        say(f"  warning: {warning}")
    say(f"{'MEASURE':<22} {'BASELINE':>9} {'FOLLOW-UP':>10} {'CHANGE':>9} {'+/-':>7}")
    for change in evidence.changes:
        say(
            f"{change.label:<22} {change.baseline:>9.2f} {change.follow_up:>10.2f} "
            f"{change.change:>+9.2f} {change.uncertainty:>7.2f}"
        )
    for change in evidence.changes:
        say(f"  {change.sentence}")
    say(evidence.caveat)
    if target is not None:
        say(f"Wrote {target}")


def _output_path(out: str) -> Path:
    """Where `-o` writes, checked before any photo is read: its folder must exist."""
    from journal.core.errors import InvalidValue

    target = Path(out).expanduser()
    if target.suffix.lower() != ".png":
        raise InvalidValue("output", out, "must be a .png file")
    if not target.parent.is_dir():
        raise InvalidValue("output", out, "its folder does not exist")
    if target.is_dir():
        raise InvalidValue("output", out, "is a folder")
    return target


def _write_new(target: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a failure leaves nothing half-written."""
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=".journal-", suffix=".png", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _day(photo: records.Photo) -> str:
    return photo.taken_at.astimezone().strftime("%Y-%m-%d")


def _quality_warnings(photo: records.Photo) -> list[str]:
    """The import's quality warnings in words (a poor photo is imported all the same)."""
    quality = photo.quality or {}
    warnings = quality.get("warnings") if isinstance(quality, dict) else None
    return [str(w) for w in warnings] if isinstance(warnings, list) else []


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
