"""The command palette (ctrl+p) reaches every action of the current screen.

Commands are derived from the bindings of the screen the palette was opened
from, so a new binding is in the palette (and in the help screen) without a
second list to keep in step. In the provider view the palette also opens any
patient by name.

Textual's own commands (theme, keys, screenshot...) come from this provider
too, after the journal's: with one provider per source the palette shows hits
in whatever order the providers happen to answer, and the journal's actions
are what the user opened the palette for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from journal.tui.actions import journal_app
from journal.tui.safe import literal


def highlight(matcher: Matcher, title: str) -> Content:
    """`title` with the matched letters highlighted, read literally.

    Textual's `Matcher.highlight` parses the title as markup, and a title may
    hold a patient's name: `clean` keeps one character per character, so the
    match offsets still point at the right letters.
    """
    content = literal(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


Command = tuple[str, str, Callable[[], Any]]


class JournalCommands(Provider):
    """The current screen's bindings as commands, "Open patient NAME", then Textual's commands.

    It replaces Textual's `SystemCommandsProvider` in `JournalApp.COMMANDS`.
    """

    def _commands(self) -> list[Command]:
        screen = self.screen
        app = self.app
        found: dict[str, tuple[str, str, Callable[[], Any]]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled:
                continue
            if binding.action in {"command_palette", "help_quit"}:
                continue
            key = app.get_key_display(binding)
            run = partial(app.run_action, binding.action, active.node)
            found.setdefault(binding.description, (binding.description, f"key: {key}", run))
        return list(found.values())

    def _patients(self) -> list[Command]:
        app = journal_app(self)
        opener = app.open_patient_by_id
        return [
            (f"Open patient {name}", "dashboard and review form", partial(opener, pid))
            for pid, name in app.patient_names.items()
        ]

    def _system(self, taken: set[str], *, discovery: bool = False) -> list[Command]:
        """Textual's commands for this screen, minus those the journal names (Quit, Theme)."""
        return [
            (title, help_text, run)
            for title, help_text, run, discover in self.app.get_system_commands(self.screen)
            if title not in taken and (discover or not discovery)
        ]

    def _all(self, *, discovery: bool) -> list[Command]:
        """The journal's commands first, then Textual's."""
        own = self._commands() if discovery else [*self._commands(), *self._patients()]
        taken = {title for title, _help, _run in own}
        return [*own, *self._system(taken, discovery=discovery)]

    async def discover(self) -> Hits:
        for title, help_text, run in self._all(discovery=True):
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Hits in the journal-first order: the palette's sort by score is stable."""
        matcher = self.matcher(query)
        for title, help_text, run in self._all(discovery=False):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), run, text=title, help=help_text)
