"""The command palette (ctrl+p) reaches every action of the current screen.

Commands are derived from the bindings of the screen the palette was opened
from, so a new binding is in the palette (and in the help screen) without a
second list to keep in step. In the provider view the palette also opens any
patient by name.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class JournalCommands(Provider):
    """The current screen's bindings as commands, plus "Open patient NAME"."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
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

    def _patients(self) -> list[tuple[str, str, Callable[[], Any]]]:
        opener = getattr(self.app, "open_patient_by_id", None)
        names = getattr(self.app, "patient_names", {})
        if opener is None:
            return []
        return [
            (f"Open patient {name}", "dashboard and review form", partial(opener, pid))
            for pid, name in names.items()
        ]

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in [*self._commands(), *self._patients()]:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
