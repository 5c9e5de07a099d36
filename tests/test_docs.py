"""Docs that cannot drift from the code.

Like sqlite-utils' documentation tests: walk the real Typer/Click command tree
and fail when a command or an option is missing from the README's command
list or has no help text, and when docs/exports.md misses a registered export
format. Adding a command or an option therefore means documenting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from journal.cli.main import app

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[tuple[str, Any]]:
    """(path, click command) for the root and every command and group below it."""

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        yield " ".join(path), command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


COMMANDS = _commands()
# The root (its options: --home, --db, --version) and every command that runs.
LEAVES = [(p, cmd) for p, cmd in COMMANDS if p == "" or not getattr(cmd, "commands", None)]


def _readme_command_lines() -> list[str]:
    """The README's command list: the `sh` block of "## The command line", one entry a line."""
    section = (ROOT / "README.md").read_text().split("## The command line", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    logical = block.replace("\\\n", " ")
    return [line.split("  #", 1)[0].strip() for line in logical.splitlines() if line.strip()]


def _lines_for(path: str) -> list[str]:
    """README lines that run exactly the command `path` (the root: `journal [--opt]...`)."""
    names = {p for p, _ in COMMANDS}
    found = []
    for line in _readme_command_lines():
        words = line.split()
        if not words or words[0] != "journal":
            continue
        command: list[str] = []
        for word in words[1:]:
            if " ".join([*command, word]) not in names:
                break
            command.append(word)
        if " ".join(command) == path:
            found.append(line)
    return found


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=lambda p: p or "journal")
def test_every_command_and_option_is_in_the_readme(path):
    command = dict(COMMANDS)[path]
    lines = _lines_for(path)
    assert lines, f"README's command list has no `journal {path}` line"
    mentioned = set(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", " ".join(lines)))
    for param in command.params:
        if param.param_type_name != "option" or param.hidden:
            continue
        if "--help" in param.opts:
            continue
        assert set(param.opts) & mentioned, (
            f"README's `journal {path}` lines do not mention {'/'.join(param.opts)}"
        )


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: p or "journal")
def test_every_command_option_and_argument_has_help(path):
    command = dict(COMMANDS)[path]
    assert (command.help or "").strip(), f"`journal {path}` has no help text"
    for param in command.params:
        if param.param_type_name in {"option", "argument"}:
            assert (getattr(param, "help", None) or "").strip(), (
                f"`journal {path}` {'/'.join(param.opts)} has no help text"
            )


def test_the_command_walk_sees_the_whole_tree():
    """Guards the walk itself: a nested command the README once missed is found."""
    paths = {p for p, _ in LEAVES}
    assert {"photo list", "photo add", "patient add", "export", ""} <= paths


def test_docs_exports_lists_every_registered_format():
    from journal.services.exporting import FORMATS

    doc = (ROOT / "docs" / "exports.md").read_text()
    table = doc.split("## Formats", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0].strip("` "): cells
        for line in table.splitlines()
        if line.startswith("| `")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert set(rows) == set(FORMATS), "docs/exports.md's format table and the registry differ"
    for fmt in FORMATS.values():
        assert rows[fmt.name][1] == f"`{fmt.suffix}`"
        assert rows[fmt.name][2] == fmt.description
