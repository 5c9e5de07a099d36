"""`journal export` and `journal import`.

Both are thin: the services validate and do the work, errors surface as one
line with exit status 2 through `journal.cli.main.run`. Renderers (fpdf2,
fhir.resources, Pillow) are imported only when a command runs; the `--format`
help is the format registry's (`journal.services.exporting.FORMATS`), which
imports no renderer.
"""

from __future__ import annotations

import typer

from journal.cli.context import emit_json, open_from, say, warn
from journal.export.registry import help_line
from journal.services.exporting import FORMATS

FORMAT_HELP = help_line(FORMATS.values()) + " Installed export plugins add their own."


def export(
    ctx: typer.Context,
    patient: str = typer.Option(..., "--patient", "-p", help="Patient id, id prefix or name."),
    fmt: str = typer.Option(..., "--format", "-f", help=FORMAT_HELP),
    out: str = typer.Option(..., "--output", "-o", help="File (or folder for csv) to write."),
    course: str | None = typer.Option(
        None, "--course", help="Course id or title (pdf/html default: the latest active)."
    ),
    paper: str = typer.Option("a4", "--paper", help="PDF paper size: a4 or letter."),
    audience: str | None = typer.Option(
        None,
        "--for",
        metavar="READER",
        help="pdf/html only: provider (a clinical summary, the default) or patient.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Export a patient: follow-up summary, spreadsheet, archive or FHIR bundle."""
    import sys

    from journal.services.exporting import export_patient, plaintext_notice

    with open_from(ctx) as journal:
        notice = plaintext_notice(journal, out, on_terminal=sys.stderr.isatty())
        if notice is not None:
            warn(notice)
        path = export_patient(
            journal, patient, fmt=fmt, out=out, course_ref=course, paper=paper, audience=audience
        )
    size = _size(path)
    if as_json:
        emit_json({"format": fmt.strip().lower(), "path": str(path), "bytes": size})
    else:
        say(f"Wrote {fmt.strip().lower()} export to {path} ({_human(size)})")


def import_archive(
    ctx: typer.Context,
    archive: str = typer.Argument(..., metavar="ARCHIVE", help="A .zip from `export -f json`."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Merge an exchange archive into this journal (safe to repeat; newer records win)."""
    from journal.services.archive_import import import_archive as run_import

    with open_from(ctx) as journal:
        summary = run_import(journal, archive)
    if as_json:
        emit_json(summary.to_dict())
        return
    name = summary.patient.display_name if summary.patient else "the patient"
    if not summary.changed:
        say(f"Nothing to import: {name}'s records are already up to date.")
        return
    added = _counts(summary.added)
    updated = _counts(summary.updated)
    say(f"Imported {name} from {summary.archive.name}:")
    if added:
        say(f"  added   {added}")
    if updated:
        say(f"  updated {updated}")
    say(f"  photo files written: {summary.photo_files_written}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {key}" for key, n in counts.items() if n)


def _size(path: object) -> int:
    from pathlib import Path

    target = Path(str(path))
    if target.is_dir():
        return sum(p.stat().st_size for p in target.iterdir() if p.is_file())
    return target.stat().st_size


def _human(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_archive)
