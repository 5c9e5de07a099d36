"""Fixtures for tests that are SQLite-only by design (backup/restore, file corruption)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CliResult


@pytest.fixture
def sqlite_cli(home, capsys: pytest.CaptureFixture[str]) -> Any:
    """Like `cli`, always on the SQLite journal inside `home`."""
    from journal.cli.main import run

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            run(["--home", str(home), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def sqlite_journal(home) -> Any:
    from journal.services.journal import open_journal

    journal = open_journal(home)
    try:
        yield journal
    finally:
        journal.close()
