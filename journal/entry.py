"""The `journal` program: run a command, then open the terminal UI if it asked.

This is the one module that knows both front ends. The CLI and the TUI never
import each other, so neither can grow a dependency on the other's framework,
and a plain command (`journal history ...`) never pays for importing Textual.
The read commands that scripts call most (`history`, `score`, `plan` with
`--json`) are answered first by `journal.cli.fastpath`, which does not load
Typer either; every other command line goes through Typer as before.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
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
