"""A labelled form field that shows its own validation message.

The services are the single source of validation (the CLI and the TUI must
refuse exactly the same values), so a form does not re-implement the rules:
it submits, catches `InvalidValue`, and the field whose `keys` include the
error's field name shows the one-line message right under the control.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Static

from journal.tui.safe import plain


class FormField(Vertical):
    """Label, control and error line; `keys` are the service field names it answers for.

    A key is listed only when some service raises `InvalidValue` with that
    field name for this control; a field no service validates has none.
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        keys: tuple[str, ...] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=f"field {classes or ''}".strip())
        self.label = label
        self.control = control
        self.keys = tuple(k.casefold() for k in keys)

    def compose(self) -> ComposeResult:
        yield Label(plain(self.label), classes="field-label")
        yield self.control
        yield Static("", classes="field-error")

    def answers_for(self, field: str) -> bool:
        return field.casefold() in self.keys

    def show_error(self, message: str | None) -> None:
        self.query_one(".field-error", Static).update(plain(message or ""))
        self.set_class(bool(message), "-invalid")
