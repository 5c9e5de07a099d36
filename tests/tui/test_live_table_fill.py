"""LiveTable's launch short cuts look exactly like Textual's own code.

`fill` adds many rows at once (and measures them at once); a resize to the
size already painted and a style update that changes no style keep the
rendered rows. Each test renders the LiveTable next to a stock DataTable in
a real app and compares every character and its style, after the change
that would have to show.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey

from journal.tui.widgets.live_table import LiveTable

from .test_live_table import ROWS, assert_same, fill, lines, scenario


def test_fill_adds_what_add_row_adds() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        live.clear()
        live.fill([(key, ROWS[key]) for key in ROWS])
        fill(stock, list(ROWS), ROWS)
        await pilot.pause()
        assert live.row_count == stock.row_count == len(ROWS)
        assert [c.content_width for c in live.ordered_columns] == [
            c.content_width for c in stock.ordered_columns
        ]
        assert live.virtual_size == stock.virtual_size
        assert live.get_row("c") == stock.get_row("c")
        assert_same(live, stock)
        more = {"f": (Text("Fay", end=""), Text("12", end=""), Text("0", end=""))}
        live.fill([("f", more["f"])])  # appended after what is there
        stock.add_row(*more["f"], key="f")
        await pilot.pause()
        assert live.get_row_index("f") == 5
        assert_same(live, stock)

    scenario(check)


def test_fill_refuses_a_key_twice() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        live.fill([("a", ROWS["a"])])
        with pytest.raises(DuplicateKey):
            live.fill([("a", ROWS["a"])])
        with pytest.raises(DuplicateKey):
            live.fill([("b", ROWS["b"]), ("b", ROWS["b"])])
        assert live.row_count == 1

    scenario(check)


def test_focus_and_theme_changes_are_painted() -> None:
    """Kept caches never show an old look: focused, then the other theme, then unfocused."""

    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        for table in (live, stock):
            fill(table, list(ROWS), ROWS)
            table.move_cursor(row=1)
        await pilot.pause()
        assert_same(live, stock)
        unfocused = lines(live)
        app = live.app
        looks: dict[str, list[Any]] = {}
        for name, table in (("live", live), ("stock", stock)):
            app.set_focus(table)
            await pilot.pause()
            looks[name] = lines(table)
        assert looks["live"] == looks["stock"]
        assert looks["live"] != unfocused, "the focused cursor and header look different"
        app.set_focus(None)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert lines(live) != unfocused, "the new theme is painted"
        assert_same(live, stock)

    scenario(check)


def test_a_resize_to_another_width_is_painted() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        for table in (live, stock):
            fill(table, list(ROWS), ROWS)
        await pilot.pause()
        lines(live)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert_same(live, stock)
        await pilot.resize_terminal(90, 24)
        await pilot.pause()
        assert_same(live, stock)

    scenario(check)
