"""`journal` alone opens the UI without Typer; the bench switch runs it headless and exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journal.entry import launch_only


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--home", "h"], {"--home": "h"}),
        (["--db=postgresql://x/y", "--home", "h"], {"--db": "postgresql://x/y", "--home": "h"}),
        (["--home"], None),  # a missing value: Typer says so
        (["--home", "-x"], None),
        (["--home", "a", "--home", "b"], None),
        (["--recovery-key"], None),
        (["--help"], None),
        (["--version"], None),
        (["history", "-p", "A", "--json"], None),
        (["--home", "h", "init"], None),
    ],
)
def test_only_a_bare_launch_skips_typer(argv: list[str], expected: dict[str, str] | None) -> None:
    assert launch_only(argv) == expected


def test_a_bare_launch_opens_the_ui_without_importing_typer(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import journal.tui.app as app\n"
        "app.run_app = lambda **kw: print(sorted(kw.items()), 'typer' in sys.modules)\n"
        "from journal.entry import main\n"
        f"main(['--home', {str(tmp_path)!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"[('db_url', None), ('home', {str(tmp_path)!r})] False"


def test_the_bench_switch_paints_the_clinic_list_headless_and_exits(
    clinic_home: Path, tmp_path: Path
) -> None:
    """JOURNAL_TUI_BENCH=<file>: the whole process, timings and sort times written, exit 0."""
    from journal.services.journal import open_journal
    from journal.services.results import rebuild_results
    from journal.store.engine import for_writing

    with open_journal(clinic_home) as journal, for_writing(journal.engine).begin() as conn:
        rebuild_results(conn)  # exact for today: the list comes from the plain read
    out = tmp_path / "bench.json"
    env = {**os.environ, "JOURNAL_TUI_BENCH": str(out)}
    done = subprocess.run(
        [sys.executable, "-m", "journal", "--home", str(clinic_home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["rows"] == 5 and report["fast"] is True
    assert set(report["sort_ms"]) == {"score", "flags"}
    assert report["wall"]["scores_painted"] >= report["wall"]["init"]
