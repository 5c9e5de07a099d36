"""`journal score` and `journal plan`: the worth-it verdict and what comes next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from journal.cli.context import emit_json, options, say

if TYPE_CHECKING:
    from journal.services.scoring import CourseReport

PATIENT = typer.Option(..., "--patient", "-p", help="Patient id, id prefix or unique name.")
COURSE = typer.Option(None, "--course", help="Course id or title (default: the latest active).")
JSON = typer.Option(False, "--json", help="Print one JSON document.")

VERDICT_WORDS = {"worth-it": "Worth It", "not-sure": "Not Sure", "not-worth-it": "Not Worth It"}


def _report(ctx: typer.Context, patient: str, course: str | None, event: str | None = None) -> Any:
    from journal.cli.fastpath import course_report

    opts = options(ctx)
    return course_report(opts.home, opts.db, patient, course, event)


def _alerts(report: CourseReport) -> list[str]:
    """Screening warnings and red flags: shown by score, plan and the TUI alike."""
    lines = [f"! Screening: {w.message}" for w in report.screening]
    for flag in report.flags:
        lines.append(f"!! RED FLAG {flag.date.isoformat()}: {flag.label}. {flag.advice}")
    return lines


def score(
    ctx: typer.Context, patient: str = PATIENT, course: str | None = COURSE, as_json: bool = JSON
) -> None:
    """The personal worth-it score of a course, with the reason for every number."""
    report = _report(ctx, patient, course)
    result = report.score
    if as_json:
        from journal.cli.fastpath import course_document

        emit_json(course_document(report, result.to_dict()))
        return
    title = report.record.course.title
    say(f"{report.history.patient.display_name} · {title}")
    say(
        f"Worth-it score {result.score}/100: {VERDICT_WORDS[result.verdict]} "
        f"(confidence {result.confidence}{', provisional' if result.provisional else ''})"
    )
    say("")
    for c in result.components:
        say(f"  {c.name:<13} {c.score:>3}  {c.sentence}")
    extra = [s for s in result.explanation if s not in {c.sentence for c in result.components}]
    for sentence in extra:
        say(f"  {sentence}")
    say("")
    say(result.benchmark.sentence)
    if result.trend:
        say("Trend: " + "  ".join(f"{p.date.isoformat()} {p.score}" for p in result.trend))
    for sentence in result.missing:
        say(f"To raise confidence: {sentence}")
    for line in _alerts(report):
        say(line)
    say("This score summarises your own records; it is not a diagnosis or medical advice.")


def plan(
    ctx: typer.Context,
    patient: str = PATIENT,
    course: str | None = COURSE,
    event: str | None = typer.Option(
        None, "--event", help="A date to look good for (YYYY-MM-DD): warns if too close."
    ),
    as_json: bool = JSON,
) -> None:
    """Next session, check-ins due or overdue, maintenance, and event warnings."""
    report = _report(ctx, patient, course, event)
    the_plan = report.plan
    if as_json:
        from journal.cli.fastpath import plan_document

        emit_json(plan_document(report))
        return
    say(f"{report.history.patient.display_name} · {report.record.course.title}")
    for sentence in the_plan.sentences:
        say(f"- {sentence}")
    for warning in the_plan.warnings:
        say(f"! {warning}")
    for line in _alerts(report):
        say(line)


def register(app: typer.Typer) -> None:
    app.command("score")(score)
    app.command("plan")(plan)
