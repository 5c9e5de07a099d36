"""The `journal` program: run a command, then open the terminal UI if it asked.

This is the one module that knows both front ends. The CLI and the TUI never
import each other, so neither can grow a dependency on the other's framework,
and a plain command (`journal history ...`) never pays for importing Textual.
The read commands that scripts call most (`history`, `score`, `plan` with
`--json`) are answered first by `journal.cli.fastpath`, which does not load
Typer either; every other command line goes through Typer as before.

`journal` alone (or with only `--home DIR` / `--db URL`) opens the UI without
building the Typer app (about 100 ms of a provider's start-up): Typer's root
command would do nothing else with that command line. The provider list's
plain read starts first, in a forked child, so it runs while Textual is imported
and started, and the garbage collector waits until the first screen is
complete (`journal.tui.early`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_LAUNCH_OPTIONS = ("--home", "--db")


def launch_only(argv: Sequence[str]) -> dict[str, str] | None:
    """The `--home` / `--db` values when the command line only opens the UI, else None.

    Accepted: each option at most once, as `--opt value` or `--opt=value`,
    a value that does not start with "-". Anything else (a command, `--help`,
    `--version`, `--recovery-key`, shell completion) goes through Typer.
    """
    import os

    if "_JOURNAL_COMPLETE" in os.environ:
        return None
    given: dict[str, str] = {}
    args = list(argv)
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name not in _LAUNCH_OPTIONS or name in given:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        if value.startswith("-"):
            return None
        given[name] = value
        i += 1
    return given


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    bare = launch_only(args)
    if bare is not None:
        from journal.tui import early

        early.pause_gc()
        early.start(bare.get("--home"), bare.get("--db"))
        try:
            from journal.tui.app import run_app

            run_app(home=bare.get("--home"), db_url=bare.get("--db"))
        finally:
            early.discard()
            early.resume_gc()
        sys.exit(0)
    from journal.cli.fastpath import run_fast

    done = run_fast(argv)
    if done is None:
        from journal.cli.main import run_cli

        done = run_cli(argv)
    code, opts = done
    if code == 0 and opts.open_tui:
        from journal.tui.app import run_app

        run_app(home=opts.home, db_url=opts.db, notice=opts.tui_notice)
    sys.exit(code)


if __name__ == "__main__":
    main()
