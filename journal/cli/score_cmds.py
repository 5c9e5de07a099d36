"""`journal score` and `journal plan` (wired once the score engine lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing yet: the score engine is being built in journal/core/score.py."""
