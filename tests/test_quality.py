"""Project hygiene that CI must enforce: lint, format, layering, README commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed in this environment (pip install -e '.[dev]')"
    return found


def test_ruff_lint_is_clean():
    result = subprocess.run(
        [_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_mypy_finds_no_type_errors():
    """Types are checked on every run (configuration: [tool.mypy] in pyproject.toml)."""
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_project_cites_only_its_own_docs():
    """The design lives in docs/architecture.md; nothing may point at a file we do not ship."""
    outside = "DESIGN" + ".md"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("journal", "tests", "docs", "bench", "migrations")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".md", ".tcss"} and outside in path.read_text(encoding="utf-8")
    ]
    offenders += [
        name for name in ("README.md", "CHANGELOG.md") if outside in (ROOT / name).read_text()
    ]
    assert offenders == []


def test_readme_quickstart_has_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^python3 .*$", quickstart, flags=re.M)
    assert len(commands) == 2
    assert "journal demo" in commands[0]
    assert "[dev]" in commands[1] and "pytest" in commands[1]
    marker = quickstart.split("<!-- ci:test-command -->", 1)[1]
    assert re.findall(r"^python3 .*$", marker, flags=re.M)[0] == commands[1]
    assert "ci:test-command" in (ROOT / ".ci" / "run").read_text()
