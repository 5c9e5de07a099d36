"""Launching: init, the demo seeder, the request to open the UI, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from journal.cli.main import run_cli


def test_demo_seeds_and_asks_for_the_ui(tmp_path, capsys):
    home = tmp_path / "demo"
    code, opts = run_cli(["demo", "--home", str(home)])
    assert code == 0
    assert opts.open_tui and opts.home == str(home)
    out = capsys.readouterr().out.splitlines()
    # Where it lives comes first (before seeding), and the UI gets it too: the UI
    # covers the terminal at once, so lines printed just before it are read after it.
    assert out[0] == f"Demo journal at {home.absolute()}"
    assert f"Open it again with: journal --home {home.absolute()}" in out
    assert opts.tui_notice is not None and str(home.absolute()) in opts.tui_notice
    code, opts = run_cli(["--home", str(home), "history", "-p", "Alex", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and not opts.open_tui
    assert len(doc["sessions"]) == 4
    assert [c["day"] for c in doc["checkins"][1:5]] == [1, 3, 7, 21]
    assert len(doc["photos"]) == 10
    assert {p["area"] for p in doc["photos"]} == {"left-cheek", "right-cheek"}
    assert all(t["depth_mm"] == 1.5 and t["serums"] == ["prp"] for t in doc["sessions"])


def test_demo_says_where_it_lives_before_the_ui_runs(tmp_path):
    """The real program: seed, print the location, run the UI (headless, `q` quits it)."""
    home = tmp_path / "demo"
    env = {
        **os.environ,
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
        "TEXTUAL_PRESS": "q",
    }
    r = subprocess.run(
        [sys.executable, "-m", "journal", "demo", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"Demo journal at {home.absolute()}"
    assert lines[-1] == f"Open it again with: journal --home {home.absolute()}"
    assert "Traceback" not in r.stderr


def test_demo_refuses_a_journal_with_patients(tmp_path, capsys):
    home = tmp_path / "mine"
    assert run_cli(["--home", str(home), "patient", "add", "Real Person"])[0] == 0
    code, opts = run_cli(["demo", "--home", str(home), "--no-tui"])
    assert code == 2 and not opts.open_tui
    assert "empty journal" in capsys.readouterr().err


def test_no_command_asks_for_the_ui(tmp_path):
    code, opts = run_cli(["--home", str(tmp_path / "h")])
    assert code == 0 and opts.open_tui


def test_plain_commands_never_import_textual_or_sqlalchemy_for_reads(tmp_path):
    """`history` on a current SQLite journal stays on the fast path."""
    home = tmp_path / "h"
    assert run_cli(["--home", str(home), "patient", "add", "Kai"])[0] == 0
    probe = (
        "import sys; from journal.cli.main import run_cli; "
        f"code, _ = run_cli(['--home', {str(home)!r}, 'history', '-p', 'Kai', '--json']); "
        "sys.stderr.write(repr((code, 'textual' in sys.modules, 'sqlalchemy' in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stderr.strip().endswith("(0, False, False)"), out.stderr


def test_python_dash_m_and_init(tmp_path):
    home = tmp_path / "h"
    r = subprocess.run(
        [sys.executable, "-m", "journal", "--home", str(home), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert str(home) in r.stdout
    assert (Path(home) / "journal.db").is_file()


def test_version(capsys):
    from journal import __version__

    code, opts = run_cli(["--version"])
    assert code == 0 and not opts.open_tui
    assert capsys.readouterr().out.strip() == f"journal {__version__}"
