"""Every binding of the screen you came from, and the ones that work everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from journal.tui.safe import literal, plain

SCOPES = {"screen": "On this screen", "everywhere": "Everywhere", "moving": "Moving around"}


@dataclass(frozen=True)
class HelpLine:
    key: str
    description: str
    scope: str  # a key of SCOPES


def _own_bindings(screen: Screen[object]) -> set[tuple[str, str]]:
    """(key, action) of the bindings the journal's screen classes declare themselves."""
    own: set[tuple[str, str]] = set()
    for cls in type(screen).__mro__:
        if not cls.__module__.startswith("journal."):
            continue
        for item in cls.__dict__.get("BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            for key in binding.key.split(","):
                own.add((key.strip(), binding.action))
    return own


def bindings_of(screen: Screen[object]) -> list[HelpLine]:
    """Every described binding active on `screen`: its own, the app's, then navigation."""
    app = screen.app
    own = _own_bindings(screen)
    lines: dict[tuple[str, str], HelpLine] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action == "command_palette":
            continue  # the palette gets its own, fuller line at the end
        if active.node is app or binding.action.startswith("app."):
            scope = "everywhere"  # `app.` actions: a screen re-declaring ? or q for its footer
        elif (key, binding.action) in own:
            scope = "screen"
        else:
            scope = "moving"
        display = app.get_key_display(binding)
        line = HelpLine(display, binding.description, scope)
        lines.setdefault((display, binding.description), line)
    order = list(SCOPES)
    return sorted(lines.values(), key=lambda h: order.index(h.scope))


class HelpScreen(ModalScreen[None]):
    """A modal table of bindings; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, lines: list[HelpLine], title: str) -> None:
        super().__init__()
        self.lines = lines
        self.title_text = title

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 2))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        last_scope = None
        for line in self.lines:
            if line.scope != last_scope:
                table.add_row(Text(SCOPES[line.scope], style="bold underline"), "")
                last_scope = line.scope
            table.add_row(plain(line.key), plain(line.description))
        table.add_row("", "")
        table.add_row(Text("ctrl+p", style="bold"), "Every action by name (command palette)")
        with VerticalScroll(id="help-box", classes="panel") as box:
            box.border_title = literal(f"Keys · {self.title_text}")
            yield Static(table, id="help-table")

    def action_close(self) -> None:
        self.dismiss(None)
