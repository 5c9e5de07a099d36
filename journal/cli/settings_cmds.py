"""`journal settings`: the journal's own facts (clinic and provider names).

Thin like every command: `journal.services.settings` validates and stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from journal.cli.context import emit_json, open_from, say

if TYPE_CHECKING:
    from journal.services.settings import Setting

settings_app = typer.Typer(
    help="Journal settings: the clinic and provider named on provider summaries.",
    no_args_is_help=True,
)
NAME = typer.Argument(..., metavar="NAME", help="Setting name: clinic or provider.")
JSON = typer.Option(False, "--json", help="Print one JSON document.")


def _show(setting: Setting, as_json: bool) -> None:
    if as_json:
        emit_json(setting.to_dict())
    else:
        say(f"{setting.name}: {setting.value if setting.value is not None else '(not set)'}")


@settings_app.command("set")
def set_value(
    ctx: typer.Context,
    name: str = NAME,
    value: str = typer.Argument(..., metavar="VALUE", help="The text to store (one line)."),
    as_json: bool = JSON,
) -> None:
    """Store a setting, e.g. `journal settings set clinic "Harbour Skin Clinic"`."""
    from journal.services.settings import set_setting

    with open_from(ctx) as journal:
        _show(set_setting(journal, name, value), as_json)


@settings_app.command("get")
def get_value(ctx: typer.Context, name: str = NAME, as_json: bool = JSON) -> None:
    """Print one setting's value."""
    from journal.services.settings import get_setting

    with open_from(ctx) as journal:
        _show(get_setting(journal, name), as_json)


@settings_app.command("list")
def list_values(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Every setting, set or not, with what it is for."""
    from journal.services.settings import list_settings

    with open_from(ctx) as journal:
        found = list_settings(journal)
    if as_json:
        emit_json([s.to_dict() for s in found])
        return
    for s in found:
        value = s.value if s.value is not None else "(not set)"
        say(f"{s.name}: {value}  # {s.description}")


@settings_app.command("unset")
def unset_value(ctx: typer.Context, name: str = NAME, as_json: bool = JSON) -> None:
    """Forget a setting's value."""
    from journal.services.settings import unset_setting

    with open_from(ctx) as journal:
        _show(unset_setting(journal, name), as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(settings_app, name="settings")
