"""What every command shares: the chosen journal and how results are printed.

Commands stay thin: parse nothing themselves (services validate), open the
journal through `open_from`, print through `emit` so `--json` always means one
JSON document on stdout and nothing else there. Typer itself is imported only
where a line is echoed: the fast path (`journal.cli.fastpath`) prints JSON
through this module without ever loading it.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from journal.services.journal import Journal
    from journal.services.unlock import Secret

PASSPHRASE_ENV = "JOURNAL_PASSPHRASE"
NEW_PASSPHRASE_ENV = "JOURNAL_NEW_PASSPHRASE"


@dataclass
class Options:
    """Global flags, plus whether the command asked for the UI to open afterwards."""

    home: str | None = None
    db: str | None = None
    open_tui: bool = False
    tui_notice: str | None = None  # a line the UI shows as it opens (the demo's location)
    recovery_key: bool = False  # unlock with the recovery key instead of the passphrase


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def coerce_without_pydantic(command: Any) -> None:
    """Let Typer build its Pydantic coercion only for a value that needs it.

    Typer 0.2x coerces every parameter through a Pydantic `TypeAdapter`, built
    when the parameter is first processed even if it was not given: importing
    Pydantic and building the adapters costs about 150 ms, half of a whole
    `journal log`. Values that are None (not given), a plain string for a
    plain `str`, a bool for a `bool` or strings for a `list[str]` come out of
    those adapters unchanged, so they are passed through here; anything else
    (a number, a choice, a path) still goes through Typer's own coercion,
    with its own checks and messages. A Typer without this machinery is left
    alone.
    """
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:
        return

    @dataclass(frozen=True)
    class PassThrough(RuntimeParam):
        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain = _plain(self.descriptor, value)
            if plain is not _NOT_PLAIN:
                return plain
            real = build_runtime_param(self.descriptor)
            param._runtime_param = real  # later values go straight to Typer's
            return real._coerce_value(value, param=param, ctx=ctx)

    def pass_through(param: Any) -> None:
        descriptor = getattr(param, "type_descriptor", None)
        built = getattr(param, "_runtime_param", None)
        if descriptor is not None and built is None and hasattr(param, "get_runtime_param"):
            param._runtime_param = PassThrough(
                descriptor.parameter_info, descriptor.annotation, descriptor
            )

    def with_help(command: Any) -> None:
        """The --help option is made on first use, per command: pass it through too."""
        made = command.get_help_option

        def get_help_option(ctx: Any) -> Any:
            option = made(ctx)
            if option is not None:
                pass_through(option)
            return option

        command.get_help_option = get_help_option

    stack = [command]
    while stack:
        current = stack.pop()
        stack.extend(getattr(current, "commands", {}).values())
        for param in getattr(current, "params", ()):
            pass_through(param)
        if hasattr(current, "get_help_option"):
            with_help(current)


_NOT_PLAIN = object()
_DIGITS = re.compile(r"[+-]?[0-9]+")


def _plain(descriptor: Any, value: Any) -> Any:
    """`value` as Typer's adapter would return it, when that is certain; else `_NOT_PLAIN`.

    A plain str, bool or list of str comes back unchanged; a whole number in
    ASCII digits for an unbounded `int` is that int (see coerce_without_pydantic).
    """
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.is_file or descriptor.is_path or descriptor.is_choice:
        return _NOT_PLAIN
    annotation = descriptor.annotation
    if annotation is str and isinstance(value, str):
        return value
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int and not descriptor.is_ranged and isinstance(value, str):
        return int(value) if _DIGITS.fullmatch(value) else _NOT_PLAIN
    if (
        annotation == list[str]
        and isinstance(value, tuple | list)
        and all(isinstance(v, str) for v in value)
    ):
        return list(value)
    return _NOT_PLAIN


class CliSecrets:
    """Where the CLI gets an encrypted journal's secret (see `journal.services.unlock`).

    `--recovery-key`: the recovery key, asked on the terminal (or one line of a
    piped stdin). Otherwise `JOURNAL_PASSPHRASE` for scripts, else the terminal
    is asked without echo. With neither a terminal nor the variable there is no
    secret, and opening says so in one line.
    """

    def __init__(self, opts: Options) -> None:
        self.opts = opts

    def offered(self) -> bool:
        import os

        return self.opts.recovery_key or PASSPHRASE_ENV in os.environ

    def secret(self, where: str) -> Secret | None:
        import os

        from journal.services.unlock import Secret

        if self.opts.recovery_key:
            text = ask_secret(f"Recovery key for the journal at {where}: ")
            return Secret("recovery", text) if text else None
        if PASSPHRASE_ENV in os.environ:
            return Secret("passphrase", os.environ[PASSPHRASE_ENV])
        if not sys.stdin.isatty():
            return None
        text = ask_secret(f"Passphrase for the journal at {where}: ")
        return Secret("passphrase", text) if text else None


def ask_secret(prompt: str) -> str:
    """A secret from the terminal without echo; one line of stdin when it is piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        return ""


def new_passphrase(env: str = PASSPHRASE_ENV) -> str:
    """A new passphrase: from `env` (scripts) or typed twice on the terminal, no echo."""
    import os

    from journal.core.errors import InvalidValue

    if env in os.environ:
        return os.environ[env]
    if not sys.stdin.isatty():
        raise InvalidValue("passphrase", "", f"give the new passphrase on a terminal or in {env}")
    first = ask_secret("New passphrase: ")
    if ask_secret("The same passphrase again: ") != first:
        raise InvalidValue("passphrase", "", "the two entries differ; nothing was changed")
    return first


def open_from(ctx: typer.Context, *, adopt: bool = False) -> Journal:
    """Open the journal named by the global --home/--db flags (or the environment).

    A journal its owner made read-only opens for reading, with one line on stderr.
    """
    from journal.services.journal import open_journal

    opts = options(ctx)
    journal = open_journal(opts.home, opts.db, adopt=adopt)
    if journal.read_only is not None:  # reads go on; the first write says why it cannot
        sys.stderr.write(
            f"journal: journal is read-only ({journal.read_only}): showing, not changing\n"
        )
    return journal


def emit_json(document: Any) -> None:
    """Print one JSON document; records and dates become plain JSON values.

    Non-ASCII text stays readable, but DEL, C1 and bidi controls are written
    as `\\u` escapes (json only escapes C0): the document is for machines,
    yet it is often printed to a terminal first.
    """
    from journal.core.records import to_jsonable
    from journal.core.values import json_safe

    text = json.dumps(to_jsonable(document), indent=2, ensure_ascii=False)
    sys.stdout.write(json_safe(text) + "\n")


def emit_json_text(text: str) -> None:
    """Print a JSON document a service already serialised, made safe as `emit_json` does."""
    from journal.core.values import json_safe

    sys.stdout.write(json_safe(text) + "\n")


def say_lines(lines: list[str]) -> None:
    """Many lines as `say` prints each, in one write (`journal log` prints thousands)."""
    import typer

    from journal.core.values import terminal_safe

    typer.echo(terminal_safe("\n".join(lines)))


def say(line: str = "") -> None:
    """Print one line of text for a person; control characters are shown, not obeyed.

    Every CLI text output goes through here (or `warn`), whatever the source
    of the text: records from an older or hand-edited database must not be
    able to drive the terminal.
    """
    import typer

    from journal.core.values import terminal_safe

    typer.echo(terminal_safe(line))


def warn(line: str) -> None:
    """One line on stderr, made terminal-safe like `say`."""
    from journal.core.values import terminal_safe

    sys.stderr.write(" ".join(terminal_safe(line).split()) + "\n")


def short_id(value: object) -> str:
    """The first 8 hex digits: enough to name a record on the command line."""
    return str(value).replace("-", "")[:8]
