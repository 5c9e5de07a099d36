"""`history --json`, `score --json` and `plan --json` without loading Typer.

Building the Typer app costs about 100 ms before a command runs: importing
Typer and its vendored Click, importing every command module, and turning
every command's signature into Click parameters (each string annotation is
compiled). For the read commands that scripts and other tools call most,
that is more than reading the journal. So `journal.entry` first hands the
arguments to `run_fast`, which answers only when they have one plain shape:

    [--home DIR] [--db URL] history --patient P --json
    [--home DIR] [--db URL] score   --patient P [--course C] --json
    [--home DIR] [--db URL] plan    --patient P [--course C] [--event D] --json

(`-p P`, `--opt=value` and any order of a command's options are accepted; a
value is never a word that starts with "-"). Anything else, including a
repeated option, `--help`, text output or shell completion, returns None and
goes through Typer as before. The documents are built by the very functions
the Typer commands call (`history_alerts`, `course_document`), failures are
said by `journal.cli.failures` as `run_cli` says them, and what Click does
around a command (Ctrl-C is exit 130, a closed pipe is exit 1) is done the
same way here: a test runs both paths on the same arguments and compares
every byte and the exit status.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from journal.cli.context import Options, emit_json
from journal.cli.failures import fail, settle

if TYPE_CHECKING:
    from journal.core import records
    from journal.services.scoring import CourseReport

GLOBAL_OPTIONS = {"--home": "home", "--db": "db"}
# The value options and flags of each command the fast path answers; `--json` is required.
COMMANDS: dict[str, dict[str, str]] = {
    "history": {"--patient": "patient", "-p": "patient"},
    "score": {"--patient": "patient", "-p": "patient", "--course": "course"},
    "plan": {"--patient": "patient", "-p": "patient", "--course": "course", "--event": "event"},
}
JSON_FLAG = "--json"
COMPLETION_VARIABLE = "_JOURNAL_COMPLETE"  # Click answers shell completion when it is set


def parse(argv: Sequence[str]) -> tuple[Options, str, dict[str, str]] | None:
    """The global options, the command and its option values; None unless the shape is plain."""
    args = list(argv)
    opts = Options()
    given: dict[str, str] = {}
    i = _options(args, 0, GLOBAL_OPTIONS, given)
    if i is None or i >= len(args) or args[i] not in COMMANDS:
        return None
    opts.home, opts.db = given.get("home"), given.get("db")
    command = args[i]
    values: dict[str, str] = {}
    end = _options(args, i + 1, COMMANDS[command], values, {JSON_FLAG: JSON_FLAG})
    if end != len(args) or "patient" not in values or JSON_FLAG not in values:
        return None
    return opts, command, values


def _options(
    args: list[str],
    i: int,
    known: dict[str, str],
    into: dict[str, Any],
    flags: dict[str, str] | None = None,
    many: frozenset[str] | set[str] = frozenset(),
) -> int | None:
    """Read `--name value` / `--name=value` pairs and `flags` from `i`; the index after them.

    A flag is stored as True under its name in `flags`; an option named in
    `many` collects a list. Stops at the first word that is not an option.
    None for anything Click might read differently: an unknown option, a
    value that starts with "-", a missing value, an option or flag given twice.
    """
    flags = flags or {}
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        word = args[i]
        if word in flags:
            if flags[word] in into:
                return None
            into[flags[word]] = True
            i += 1
            continue
        name, eq, value = word.partition("=")
        if name not in known or (eq and not name.startswith("--")):
            return None
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                return None
            value = args[i + 1]
            i += 1
        key = known[name]
        if key in many:
            into.setdefault(key, []).append(value)
        elif key in into:
            return None
        else:
            into[key] = value
        i += 1
    return i


class NotHere(Exception):
    """Raised before anything is written or printed: Typer's path must answer."""


def run_fast(argv: Sequence[str] | None = None) -> tuple[int, Options] | None:
    """Run a plain read command without Typer: its exit status and options, or None.

    None means "not answered here": nothing was read or printed, and the
    caller runs the arguments through Typer (`journal.cli.main.run_cli`).
    """
    if COMPLETION_VARIABLE in os.environ:
        return None
    args = sys.argv[1:] if argv is None else argv
    parsed = parse(args)
    if parsed is None:
        write = parse_write(args)
        if write is None:
            return None
        opts, run = write
        try:
            return _invoke(lambda: run(opts), opts), opts
        except NotHere:
            return None
    opts, command, values = parsed
    return _invoke(lambda: _COMMANDS[command](opts, values), opts), opts


# -- edit, delete and undo ----------------------------------------------------------------

GROUPS = {
    "patient": "patient",
    "course": "course",
    "session": "session",
    "checkin": "check-in",
    "review": "review",
    "photo": "photo",
}
Write = Callable[[Options], None]


def parse_write(argv: Sequence[str]) -> tuple[Options, Write] | None:
    """`<kind> edit ID ...`, `<kind> delete ID --yes ...` or `undo ...`; None otherwise.

    The same plain shapes only: the ID first, options after it, each at most
    once (a repeatable one as often as wished), values that do not start
    with "-". An edit that names another record (`--provider`, `--course`,
    `--patient`), a delete without `--yes`, and a patient's erasure go
    through Typer.
    """
    args = list(argv)
    opts = Options()
    given: dict[str, str] = {}
    i = _options(args, 0, GLOBAL_OPTIONS, given)
    if i is None or i >= len(args):
        return None
    opts.home, opts.db = given.get("home"), given.get("db")
    if args[i] == "log":
        given_log = _write_options(
            args[i + 1 :], {"--patient": "patient", "-p": "patient", "--limit": "limit"},
            {"--json": "as_json"},
        )  # fmt: skip
        if given_log is None or not str(given_log.get("limit", "0")).isdigit():
            return None  # Click reads any other --limit its own way (and words its error)
        return opts, lambda o: _log(o, given_log)
    if args[i] == "undo":
        flags = _write_options(args[i + 1 :], {"--by": "by"}, {"--json": "as_json"})
        if flags is None:
            return None
        return opts, lambda o: _undo(o, flags)
    if args[i] not in GROUPS or i + 2 >= len(args) or args[i + 1] not in ("edit", "delete"):
        return None
    kind, action, ref = GROUPS[args[i]], args[i + 1], args[i + 2]
    if ref.startswith("-"):
        return None
    rest = args[i + 3 :]
    if action == "delete":
        if kind == "patient":
            return None
        flags = _write_options(
            rest, {"--by": "by"}, {"--json": "as_json", "--yes": "yes", "-y": "yes"}
        )
        if flags is None or not flags.get("yes"):
            return None
        return opts, lambda o: _delete(o, kind, ref, flags)
    return _parse_edit(opts, kind, ref, rest)


def _parse_edit(
    opts: Options, kind: str, ref: str, rest: list[str]
) -> tuple[Options, Write] | None:
    from journal.cli.amend_options import EDITS, changes_from, option_names

    options = EDITS[kind]
    values = {"--by": "by"}
    many: set[str] = set()
    for opt, name in zip(options, option_names(options), strict=True):
        values[opt.flag] = name
        if opt.many:
            many.add(name)
    flags = {"--json": "as_json"}
    if kind != "review":
        flags["--custom"] = "custom"
    if kind == "check-in":
        flags["--downtime"] = "downtime"
        flags["--no-downtime"] = "no_downtime"
    given = _write_options(rest, values, flags, many)
    if given is None or ("downtime" in given and "no_downtime" in given):
        return None
    if "no_downtime" in given:
        given["downtime"] = False
    changes = changes_from(kind, given)
    from journal.services.fast_amend import fast_enough

    if not changes or not fast_enough(changes):
        return None
    return opts, lambda o: _edit(o, kind, ref, changes, given)


def _write_options(
    args: list[str],
    values: dict[str, str],
    flags: dict[str, str],
    many: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any] | None:
    """Option values (a repeatable one as a list) and flags (True) making up all of
    `args`; None for any other shape."""
    found: dict[str, Any] = {}
    end = _options(args, 0, values, found, flags, many)
    return found if end == len(args) else None


def _edit(opts: Options, kind: str, ref: str, changes: dict[str, Any], given: dict) -> None:
    from journal.cli.amend_options import report
    from journal.services.fast_amend import edit

    outcome = edit(opts.home, opts.db, kind, ref, changes, by=given.get("by"))
    if outcome is None:
        raise NotHere
    report(outcome, bool(given.get("as_json")))


def _delete(opts: Options, kind: str, ref: str, given: dict) -> None:
    from journal.cli.amend_options import report
    from journal.services.fast_amend import delete

    outcome = delete(opts.home, opts.db, kind, ref, by=given.get("by"))
    if outcome is None:
        raise NotHere
    report(outcome, bool(given.get("as_json")))


def _log(opts: Options, given: dict) -> None:
    """`journal log [-p P] [--limit N] [--json]`, as amend_cmds.log answers it."""
    from journal.cli.amend_options import print_log
    from journal.services.changelog import log_for

    limit = int(given["limit"]) if "limit" in given else None
    as_json = bool(given.get("as_json"))
    print_log(log_for(opts.home, opts.db, given.get("patient"), limit=limit, full=as_json), as_json)


def _undo(opts: Options, given: dict) -> None:
    from journal.cli.amend_options import report
    from journal.services.fast_amend import undo

    outcome = undo(opts.home, opts.db, by=given.get("by"))
    if outcome is None:
        raise NotHere
    report(outcome, bool(given.get("as_json")))


def _invoke(command: Callable[[], None], opts: Options) -> int:
    """Run `command` as Click runs one in non-standalone mode, then settle its failure."""
    from journal.cli.context import CliSecrets
    from journal.services.unlock import unlocking

    try:
        try:
            with unlocking(CliSecrets(opts)):  # an encrypted journal's secret, as Typer's path
                command()
        except EOFError:
            sys.stderr.write("\n")  # Click echoes a newline, then aborts
            sys.stderr.flush()
            return fail("aborted", 130)
        except KeyboardInterrupt:
            return 130  # Click turns it into a silent exit with status 130
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # as Click: quiet the closed pipe, exit 1
                sys.stdout = _Pacified(sys.stdout)
                sys.stderr = _Pacified(sys.stderr)
                sys.exit(1)
            raise
    except NotHere:
        raise
    except Exception as exc:
        settled = settle(exc, opts)
        if settled is None:
            raise
        return settled
    return 0


class _Pacified:
    """A stream whose flush ignores a closed pipe (Click's `PacifyFlushWrapper`)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


# -- the documents: one implementation for both paths ---------------------------------


def history_alerts(h: records.PatientHistory) -> dict[str, list]:
    """Screening warnings and red flags (reported and derived) over every course."""
    from journal.core.rules import derive_red_flags, screening_warnings

    flags = [
        {
            "date": f.date.isoformat(),
            "flag": f.key,
            "label": f.label,
            "advice": f.advice,
            "source": f.source,
            "course_id": str(course.id),
        }
        for course in h.courses
        for f in derive_red_flags(h.course_record(course.id))
    ]
    return {"screening": [w.message for w in screening_warnings(h.patient)], "red_flags": flags}


def history_json(home: str | None, db: str | None, patient: str) -> None:
    """Print the `history --json` document."""
    from journal.services.reading import history_document, history_for

    record = history_for(home, db, patient)
    alerts = history_alerts(record)
    doc = history_document(record)
    doc["alerts"] = alerts
    emit_json(doc)


def course_report(
    home: str | None, db: str | None, patient: str, course: str | None, event: str | None = None
) -> CourseReport:
    """The report `score` and `plan` show; a patient without a course is refused."""
    from journal.core.errors import NotFound
    from journal.services.scoring import course_report as report_of

    report = report_of(home, db, patient, course, event=event)
    if report is None:
        raise NotFound(f"patient {patient!r} has no course yet: log a session first")
    return report


def course_document(report: CourseReport, doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` (a score or plan as a dict) with the patient, course and screening added."""
    doc["patient"] = report.history.patient.display_name
    doc["course"] = {"id": str(report.record.course.id), "title": report.record.course.title}
    doc["screening"] = [w.message for w in report.screening]
    return doc


def plan_document(report: CourseReport) -> dict[str, Any]:
    """The `plan --json` document: the plan, whose course it is, and its red flags."""
    doc = course_document(report, report.plan.to_dict())
    doc["red_flags"] = [
        {"date": f.date.isoformat(), "flag": f.key, "label": f.label, "advice": f.advice}
        for f in report.flags
    ]
    return doc


def _history(opts: Options, values: dict[str, str]) -> None:
    history_json(opts.home, opts.db, values["patient"])


def _score(opts: Options, values: dict[str, str]) -> None:
    report = course_report(opts.home, opts.db, values["patient"], values.get("course"))
    emit_json(course_document(report, report.score.to_dict()))


def _plan(opts: Options, values: dict[str, str]) -> None:
    report = course_report(
        opts.home, opts.db, values["patient"], values.get("course"), values.get("event")
    )
    emit_json(plan_document(report))


_COMMANDS: dict[str, Callable[[Options, dict[str, str]], None]] = {
    "history": _history,
    "score": _score,
    "plan": _plan,
}
