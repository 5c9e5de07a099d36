"""Commands that add and show records: patient, course, session, check-in, review, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from journal.cli.context import emit_json, open_from, say, short_id
from journal.core.vocab import GOODMAN_BARON

if TYPE_CHECKING:
    from journal.core import records

_R = TypeVar("_R")

patient_app = typer.Typer(help="Add and list patients.", no_args_is_help=True)
course_app = typer.Typer(help="Plan a treatment series.", no_args_is_help=True)
session_app = typer.Typer(help="Log a microneedling session.", no_args_is_help=True)
checkin_app = typer.Typer(help="Log recovery and progress ratings.", no_args_is_help=True)
review_app = typer.Typer(help="Add a provider's observer review.", no_args_is_help=True)

PATIENT = typer.Option(..., "--patient", "-p", help="Patient id, id prefix or unique name.")
COURSE = typer.Option(None, "--course", help="Course id or title (default: the latest active).")
DATE = typer.Option(..., "--date", "-d", help="Date as YYYY-MM-DD.")
JSON = typer.Option(False, "--json", help="Print one JSON document.")
CUSTOM = typer.Option(
    False, "--custom", help="Keep an area, concern or serum that looks like a typo of a known one."
)

# What each service confirmation is called on the command line.
CONFIRM_FLAGS = {
    "again": "--again logs another",
    "allow_duplicate": "--allow-duplicate adds another",
    "custom": "--custom keeps your word",
}


def _add(
    ctx: typer.Context,
    as_json: bool,
    add: Callable[..., _R],
    args: tuple[str, ...],
    fields: dict[str, Any],
    describe: Callable[[_R], str],
) -> _R:
    """Every `... add` command: one service call in the chosen journal, then one report.

    A refusal the user can overrule (a duplicate name, a second session that
    day, a near-miss word) gains the flag that overrules it.
    """
    from journal.core.errors import JournalError, NeedsConfirmation

    try:
        with open_from(ctx) as journal:
            record = add(journal, *args, **fields)
    except NeedsConfirmation as exc:
        raise JournalError(f"{exc.message}; {CONFIRM_FLAGS[exc.confirm]}") from None
    if as_json:
        emit_json(record)
    else:
        say(describe(record))
    return record


@patient_app.command("add")
def patient_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Display name."),
    birth_year: str | None = typer.Option(None, "--birth-year", help="Year of birth, e.g. 1991."),
    skin_type: str | None = typer.Option(None, "--skin-type", help="Fitzpatrick type 1-6."),
    concern: list[str] = typer.Option([], "--concern", help="Target concern (repeatable)."),
    screening: list[str] = typer.Option(
        [], "--screening", help="Intake screening answer that applies, e.g. isotretinoin."
    ),
    allow_duplicate: bool = typer.Option(
        False, "--allow-duplicate", help="Add a patient whose name is already in the journal."
    ),
    custom: bool = CUSTOM,
    as_json: bool = JSON,
) -> None:
    """Register a patient."""
    from journal.services.patients import add_patient

    fields: dict[str, Any] = {"birth_year": birth_year, "skin_type": skin_type}
    fields |= {"concerns": concern, "screening": screening}
    fields |= {"allow_duplicate": allow_duplicate, "custom": custom}
    _add(ctx, as_json, add_patient, (name,), fields, _described("patient"))


@patient_app.command("list")
def patient_list(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Every patient with their sessions, last visit, current score and red flags."""
    from journal.services.patients import list_patients

    with open_from(ctx) as journal:
        rows = list_patients(journal)
    if as_json:
        emit_json(
            [
                {
                    "patient": r.patient,
                    "sessions": r.sessions,
                    "last_visit": r.last_visit,
                    "score": r.score,  # the current course's stored result (None: no course yet)
                    "verdict": r.verdict,
                    "confidence": r.confidence,
                    "open_flags": r.open_flags,
                    "seen_flags": r.seen_flags,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        say("No patients yet. Add one with: journal patient add NAME")
        return
    say(f"{'ID':<9} {'NAME':<28} {'SESSIONS':>8}  LAST VISIT")
    for r in rows:
        last = r.last_visit.isoformat() if r.last_visit else "-"
        name = r.patient.display_name[:28]
        say(f"{short_id(r.patient.id):<9} {name:<28} {r.sessions:>8}  {last}")


@course_app.command("add")
def course_add(
    ctx: typer.Context,
    patient: str = PATIENT,
    title: str | None = typer.Option(
        None, "--title", help="Name of the series (default: Series N)."
    ),
    area: list[str] = typer.Option([], "--area", help="Treated area (repeatable)."),
    concern: list[str] = typer.Option([], "--concern", help="Target concern (repeatable)."),
    planned: str | None = typer.Option(None, "--planned", help="Planned sessions (default 3)."),
    interval_weeks: str | None = typer.Option(
        None, "--interval-weeks", help="Weeks between sessions: 5 or 4-6 (default 4-6)."
    ),
    custom: bool = CUSTOM,
    as_json: bool = JSON,
) -> None:
    """Plan a series of sessions for a patient."""
    from journal.services.courses import add_course

    fields: dict[str, Any] = {"title": title, "areas": area, "concerns": concern, "custom": custom}
    fields |= {"planned": planned, "interval_weeks": interval_weeks}
    _add(ctx, as_json, add_course, (patient,), fields, _described("course"))


@session_app.command("add")
def session_add(
    ctx: typer.Context,
    patient: str = PATIENT,
    date: str = DATE,
    course: str | None = COURSE,
    provider: str | None = typer.Option(
        None, "--provider", help="Who performed the session (name)."
    ),
    setting: str | None = typer.Option(None, "--setting", help="in-office or at-home."),
    device: str | None = typer.Option(None, "--device", help="roller, pen, rf or stamp."),
    device_name: str | None = typer.Option(None, "--device-name", help="e.g. Dermapen."),
    depth: str | None = typer.Option(
        None, "--depth", help="Needle depth in mm (0.1-3.5), or per area: cheeks=1.5,forehead=0.5."
    ),
    passes: str | None = typer.Option(None, "--passes", help="Number of passes 1-20."),
    area: list[str] = typer.Option([], "--area", help="Treated area (repeatable)."),
    serum: list[str] = typer.Option([], "--serum", help="Adjunct or serum (repeatable)."),
    anesthetic: str | None = typer.Option(
        None, "--anesthetic", help="Numbing used, e.g. lidocaine."
    ),
    pain: str | None = typer.Option(None, "--pain", help="Procedure pain 0-10."),
    cost: str | None = typer.Option(None, "--cost", help="Price of the session, e.g. 350."),
    currency: str | None = typer.Option(None, "--currency", help="Default USD."),
    notes: str | None = typer.Option(None, "--notes", help="Free-text notes."),
    again: bool = typer.Option(
        False, "--again", help="Log another session on a day this course already has one."
    ),
    custom: bool = CUSTOM,
    as_json: bool = JSON,
) -> None:
    """Log one microneedling session."""
    from journal.services.sessions import add_session

    fields: dict[str, Any] = {"date": date, "course": course, "provider": provider}
    fields |= {"setting": setting}
    fields |= {"device": device, "device_name": device_name, "depth": depth, "passes": passes}
    fields |= {"areas": area, "serums": serum, "anesthetic": anesthetic, "pain": pain}
    fields |= {"cost": cost, "currency": currency, "notes": notes}
    fields |= {"again": again, "custom": custom}
    _add(ctx, as_json, add_session, (patient,), fields, _described("session"))


def _described(kind: str) -> Callable[[Any], str]:
    """The one line an `add` command prints for the record it saved."""

    def line(record: Any) -> str:
        if kind == "patient":
            return f"Added patient {record.display_name} ({short_id(record.id)})"
        if kind == "course":
            from journal.core.planner import interval_words  # not loaded by other commands

            return (
                f"Added course {record.title!r} ({short_id(record.id)}): "
                f"{record.planned_sessions} sessions every "
                f"{interval_words(record.interval_weeks_min, record.interval_weeks_max)}"
            )
        verb = "Added" if kind == "review" else "Logged"
        return f"{verb} {kind} {short_id(record.id)} on {record.date.isoformat()}"

    return line


def _symptom_option(name: str) -> Any:
    """A Typer option declaration (its value is the parsed `str | None`)."""
    return typer.Option(None, f"--{name}", help=f"{name.capitalize()} 0-10.")


@checkin_app.command("add")
def checkin_add(
    ctx: typer.Context,
    patient: str = PATIENT,
    date: str = DATE,
    course: str | None = COURSE,
    redness: str | None = _symptom_option("redness"),
    swelling: str | None = _symptom_option("swelling"),
    bruising: str | None = _symptom_option("bruising"),
    bleeding: str | None = _symptom_option("bleeding"),
    pain: str | None = _symptom_option("pain"),
    itching: str | None = _symptom_option("itching"),
    flaking: str | None = _symptom_option("flaking"),
    tightness: str | None = _symptom_option("tightness"),
    sensitivity: str | None = _symptom_option("sensitivity"),
    downtime: bool | None = typer.Option(
        None, "--downtime/--no-downtime", help="Did you stay home / avoid being seen today?"
    ),
    concern: list[str] = typer.Option(
        [], "--concern", help="Concern severity NAME=0-10, 10 worst (repeatable)."
    ),
    gais: str | None = typer.Option(
        None, "--gais", help="very-much-improved|much-improved|improved|no-change|worse."
    ),
    verdict: str | None = typer.Option(None, "--verdict", help="worth-it|not-sure|not-worth-it."),
    flag: list[str] = typer.Option([], "--flag", help="Red flag, e.g. blistering (repeatable)."),
    notes: str | None = typer.Option(None, "--notes", help="Free-text notes."),
    custom: bool = CUSTOM,
    as_json: bool = JSON,
) -> None:
    """Log how the skin is doing today."""
    from journal.services.checkins import add_checkin

    symptoms = {
        "redness": redness,
        "swelling": swelling,
        "bruising": bruising,
        "bleeding": bleeding,
        "pain": pain,
        "itching": itching,
        "flaking": flaking,
        "tightness": tightness,
        "sensitivity": sensitivity,
    }
    fields: dict[str, Any] = {"date": date, "course": course, "symptoms": symptoms}
    fields |= {"downtime": downtime, "concerns": concern, "gais": gais, "verdict": verdict}
    fields |= {"flags": flag, "notes": notes, "custom": custom}
    checkin = _add(ctx, as_json, add_checkin, (patient,), fields, _described("check-in"))
    if not as_json and checkin.red_flags:
        say("Red flags noted: " + ", ".join(checkin.red_flags) + ". Contact your provider.")


@review_app.command("add")
def review_add(
    ctx: typer.Context,
    patient: str = PATIENT,
    date: str = DATE,
    course: str | None = COURSE,
    provider: str | None = typer.Option(None, "--provider", help="Reviewing provider (name)."),
    gais: str | None = typer.Option(None, "--gais", help="Observer GAIS."),
    goodman_baron: str | None = typer.Option(
        None,
        "--goodman-baron",
        help="Qualitative scar grade: "
        + ", ".join(f"{t.key} {t.aliases[0]}" for t in GOODMAN_BARON.terms)
        + ".",
    ),
    notes: str | None = typer.Option(None, "--notes", help="Free-text notes."),
    as_json: bool = JSON,
) -> None:
    """Record a provider's observer rating."""
    from journal.services.reviews import add_review

    fields: dict[str, Any] = {"date": date, "course": course, "provider": provider, "gais": gais}
    fields |= {"goodman_baron": goodman_baron, "notes": notes}
    _add(ctx, as_json, add_review, (patient,), fields, _described("review"))


def history(ctx: typer.Context, patient: str = PATIENT, as_json: bool = JSON) -> None:
    """A patient's complete record in date order."""
    from journal.cli.context import options
    from journal.cli.fastpath import history_alerts, history_json
    from journal.services.reading import history_for

    opts = options(ctx)
    if as_json:
        history_json(opts.home, opts.db, patient)  # the fast path's own answer
        return
    record = history_for(opts.home, opts.db, patient)
    alerts = history_alerts(record)
    _print_history(record)
    for warning in alerts["screening"]:
        say(f"! Screening: {warning}")
    for flag in alerts["red_flags"]:
        say(f"!! RED FLAG {flag['date']}: {flag['label']}. {flag['advice']}")


def _print_history(h: records.PatientHistory) -> None:
    from journal.core.timeline import timeline_lines

    p = h.patient
    facts = [
        f"born {p.birth_year}" if p.birth_year else "",
        f"skin type {p.skin_type}" * bool(p.skin_type),
    ]
    say(f"{p.display_name} ({short_id(p.id)}) " + " · ".join(f for f in facts if f))
    if p.concerns:
        say("Concerns: " + ", ".join(p.concerns))
    lines = timeline_lines(h)
    if not lines:
        say("No records yet.")
    for line in lines:
        say(line)


def register(app: typer.Typer) -> None:
    app.add_typer(patient_app, name="patient")
    app.add_typer(course_app, name="course")
    app.add_typer(session_app, name="session")
    app.add_typer(checkin_app, name="checkin")
    app.add_typer(review_app, name="review")
    app.command("history")(history)
