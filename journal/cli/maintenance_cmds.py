"""`journal doctor`, `journal backup` and `journal restore`: keeping a journal whole.

These commands look at the journal from outside (they must not create or
migrate it while checking or replacing it), so they hand the --home/--db
choice to the services instead of opening the journal through `open_from`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from journal.cli.context import emit_json, options, say

if TYPE_CHECKING:
    from journal.maintenance.doctor import DoctorReport

JSON = typer.Option(False, "--json", help="Print one JSON document.")
_MARK = {"ok": "ok", "problem": "PROBLEM", "repaired": "repaired", "skipped": "skipped"}


def doctor(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False, "--repair", help="Fix what is safe: migrate, re-render, move stray files aside."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Faster: SQLite quick_check, photo files checked for presence only."
    ),
    as_json: bool = JSON,
) -> None:
    """Check the database, schema, photo files and permissions; exit 1 on problems."""
    from journal.maintenance.doctor import diagnose

    opts = options(ctx)
    report = diagnose(opts.home, opts.db, repair=repair, quick=quick)
    if as_json:
        emit_json(_doctor_document(report))
    else:
        _print_doctor(report, repair)
    if not report.healthy:
        raise typer.Exit(1)


def _doctor_document(report: DoctorReport) -> dict[str, object]:
    return {
        "healthy": report.healthy,
        "home": str(report.home),
        "database": report.database,
        "moved_to": str(report.moved_to) if report.moved_to else None,
        "checks": [
            {"name": c.name, "status": c.status, "summary": c.summary, "details": c.details}
            for c in report.checks
        ],
    }


def _print_doctor(report: DoctorReport, repaired: bool) -> None:
    say(f"Journal {report.home} (database {report.database})")
    for check in report.checks:
        say(f"{_MARK[check.status]:<9} {check.name:<12} {check.summary}")
        for line in check.details[:10]:
            say(f"{'':<22} {line}")
        if len(check.details) > 10:
            say(f"{'':<22} ... and {len(check.details) - 10} more (see --json)")
    if report.healthy:
        say("Healthy." if not repaired else "Healthy after repair.")
    else:
        hint = "" if repaired else "; `journal doctor --repair` fixes what it safely can"
        say(f"{report.problems} check(s) found problems{hint}.")


def backup(
    ctx: typer.Context,
    output: str = typer.Option(
        ..., "--output", "-o", metavar="FILE", help="Archive to write, e.g. journal.zip."
    ),
    as_json: bool = JSON,
) -> None:
    """Write a verified archive of the journal (database snapshot and photos)."""
    from journal.maintenance.backup import backup as make_backup

    opts = options(ctx)
    report = make_backup(output, opts.home, opts.db)
    if as_json:
        emit_json(
            {
                "path": str(report.path),
                "size": report.size,
                "schema_revision": report.revision,
                "counts": report.counts,
                "photo_files": report.photo_files,
                "missing": list(report.missing),
                "verified": True,
            }
        )
        return
    records = sum(report.counts.values())
    say(
        f"Backed up {records} records and {report.photo_files} photo files to {report.path} "
        f"({report.size / 2**20:.1f} MB, verified)"
    )
    if report.missing:
        say(
            f"Warning: {len(report.missing)} photo file(s) were already missing from the journal "
            "and are not in the archive; run `journal doctor`."
        )


def restore(
    ctx: typer.Context,
    archive: str = typer.Argument(
        ..., metavar="FILE", help="An archive written by `journal backup`."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a journal that holds records."),
    as_json: bool = JSON,
) -> None:
    """Verify an archive completely, then replace the journal home with it."""
    from journal.maintenance.backup import restore as do_restore

    opts = options(ctx)
    report = do_restore(archive, opts.home, opts.db, force=force)
    if as_json:
        emit_json(
            {
                "home": str(report.home),
                "schema_revision": report.revision,
                "counts": report.counts,
                "photo_files": report.photo_files,
                "replaced": report.replaced,
            }
        )
        return
    what = "Replaced the journal at" if report.replaced else "Restored the journal to"
    say(
        f"{what} {report.home}: {sum(report.counts.values())} records, "
        f"{report.photo_files} photo files (schema {report.revision})"
    )


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    app.command("backup")(backup)
    app.command("restore")(restore)
