"""Every expected failure of a command as one line on stderr and an exit status.

Shared by the Typer path (`journal.cli.main.run_cli`) and the fast path
(`journal.cli.fastpath`), so the two cannot word a failure differently. It
imports neither Typer nor a database library: the fast path must not pay for
them, and a database error is only looked at when its library is loaded.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journal.cli.context import Options
    from journal.core.errors import JournalError


def fail(message: str, code: int = 2) -> int:
    """Write `journal: error: <message>` as one terminal-safe line; return `code`."""
    from journal.core.values import terminal_safe  # a message may quote hostile text

    one_line = " ".join(terminal_safe(str(message)).split())
    sys.stderr.write(f"journal: error: {one_line}\n")
    return code


def is_click_error(exc: BaseException) -> bool:
    """Click's usage errors, whether Typer vendors Click (0.2x) or depends on it.

    Duck-typed on purpose: the exception classes moved between Typer releases.
    """
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def settle(exc: BaseException, opts: Options) -> int | None:
    """The exit status for `exc` after saying it in one line; None: not expected, re-raise.

    The order of the checks is the order the CLI has always caught them in
    (a JournalError first, a bare Exception last).
    """
    from journal.core.errors import JournalError

    if isinstance(exc, JournalError):
        return fail(str(exc), exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return fail("interrupted", 130)
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, UnicodeError):  # a value that is not text slipped past a parser
        reason = exc.reason if isinstance(exc, UnicodeDecodeError | UnicodeEncodeError) else exc
        return fail(f"invalid text: {reason}")
    if isinstance(exc, OSError):
        return fail(*os_error(exc))
    if not isinstance(exc, Exception):
        return None
    if is_click_error(exc):
        return fail(exc.format_message(), getattr(exc, "exit_code", 2))  # type: ignore[attr-defined]
    explained = database_failure(exc, opts)
    if explained is None:
        return None
    return fail(str(explained), explained.exit_code)


def os_error(exc: OSError) -> tuple[str, int]:
    """A file-system failure in one line; a full disk and a read-only one by name."""
    import errno

    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"disk full: free space and try again{where}", 1
    if exc.errno == errno.EROFS:
        return f"read-only file system{where}: cannot change it", 2
    return f"{exc.strerror or exc}{where}", 1


def database_failure(exc: Exception, opts: Options) -> JournalError | None:
    """A database error that escaped the services, as one line: never SQL or its values.

    Only looked at when a database library is loaded at all, so a plain
    `journal --help` never pays for importing one.
    """
    if "sqlalchemy" not in sys.modules and "sqlite3" not in sys.modules:
        return None
    from journal.services.journal import explain_failure

    return explain_failure(exc, opts.home, opts.db)
