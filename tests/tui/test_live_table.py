"""LiveTable (the provider list's table) looks exactly like Textual's DataTable.

It updates and re-orders rows without invalidating every render cache, and lays
out one-line text cells itself; these tests render it next to a stock
DataTable holding the same rows, in a real Textual app, and compare every
character and its style (colours, zebra stripes, the cursor, and the mouse
metadata that says which row and column a click lands on).
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable

from journal.tui.widgets.live_table import LiveTable

from .conftest import run

COLUMNS = ("name", "score", "flags")
ROWS: dict[str, tuple[object, ...]] = {
    "a": (Text("Alex Rivera", end=""), Text("71", end=""), Text("0", style="dim", end="")),
    "b": (
        Text("Bea Okafor", end=""),
        Text("43", end=""),
        Text("⚠ 2 open", style="bold white on red", end=""),
    ),
    "c": (Text("Carl Díaz", end=""), "plain str", Text("1 seen", style="yellow", end="")),
    "d": (Text.assemble(("Dee ", "bold"), "Ng"), Text("", end=""), Text("…", style="dim")),
    "e": (Text("A name far too long for its column", end=""), Text("9", end=""), 3.5),
}


class Pair(App[None]):
    """A LiveTable and a stock DataTable with the same columns, side by side."""

    def compose(self) -> ComposeResult:
        yield LiveTable(id="live", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="stock", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table in self.tables():
            for key, width in zip(COLUMNS, (12, None, 10), strict=True):
                table.add_column(key.title(), key=key, width=width)
            table.styles.height = 10

    def tables(self) -> tuple[LiveTable, DataTable[Any]]:
        return self.query_one("#live", LiveTable), self.query_one("#stock", DataTable)


def fill(table: DataTable[Any], order: list[str], rows: dict[str, tuple[object, ...]]) -> None:
    table.clear()
    for key in order:
        table.add_row(*rows[key], key=key)


def characters(strip: Strip) -> list[tuple[str, Any]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


def lines(table: DataTable[Any]) -> list[list[tuple[str, Any]]]:
    """What the table puts on screen: through its line cache, as the compositor asks."""
    width, height = table.size
    return [characters(strip) for strip in table.render_lines(Region(0, 0, width, height))]


def assert_same(live: LiveTable, stock: DataTable[Any]) -> None:
    assert [r.key.value for r in live.ordered_rows] == [r.key.value for r in stock.ordered_rows]
    shown, expected = lines(live), lines(stock)
    for y, (got, want) in enumerate(zip(shown, expected, strict=True)):
        assert got == want, f"line {y} differs"


def scenario(check: Any) -> None:
    async def body() -> None:
        app = Pair()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.set_focus(None)
            live, stock = app.tables()
            await check(pilot, live, stock)

    run(body())


@pytest.mark.parametrize("cursor_row", [0, 2, 4])
def test_cells_look_like_the_stock_table(cursor_row: int) -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        for table in (live, stock):
            fill(table, list(ROWS), ROWS)
            table.move_cursor(row=cursor_row)
        await pilot.pause()
        assert_same(live, stock)

    scenario(check)


def test_set_rows_shows_the_new_values_and_only_counts_real_changes() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        fill(live, list(ROWS), ROWS)
        await pilot.pause()
        lines(live)  # everything rendered and cached once
        changed = dict(ROWS)
        changed["b"] = (ROWS["b"][0], Text("44", end=""), Text("0", style="dim", end=""))
        # Same text, other style: rich's Text == would call these equal.
        changed["a"] = (ROWS["a"][0], ROWS["a"][1], Text("0", style="red", end=""))
        same = (Text("Carl Díaz", end=""), "plain str", Text("1 seen", style="yellow", end=""))
        assert live.set_rows({"a": changed["a"], "b": changed["b"], "c": same}) == 2
        fill(stock, list(ROWS), ROWS)
        await pilot.pause()
        assert lines(live) != lines(stock), "the new values (and the new style) are shown"
        fill(stock, list(ROWS), changed)
        await pilot.pause()
        assert_same(live, stock)

    scenario(check)


def test_reorder_moves_rows_and_their_looks_with_them() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        fill(live, list(ROWS), ROWS)
        live.move_cursor(row=1)
        await pilot.pause()
        lines(live)
        order = ["e", "a", "c", "b", "d"]  # every row moves but "c"
        assert live.reorder(order)
        assert live.get_row_index("b") == 3
        assert live.coordinate_to_cell_key(live.cursor_coordinate).row_key.value == "a"
        fill(stock, order, ROWS)
        stock.move_cursor(row=1)
        await pilot.pause()
        assert_same(live, stock)
        assert not live.reorder(order), "the same order again moves nothing"

    scenario(check)


def test_reorder_refuses_an_order_that_is_not_every_row_once() -> None:
    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        fill(live, list(ROWS), ROWS)
        for wrong in (["a", "b"], [*ROWS, "z"], ["a", "a", "b", "c", "d"]):
            with pytest.raises(ValueError, match="every row"):
                live.reorder(wrong)
        assert [r.key.value for r in live.ordered_rows] == list(ROWS)

    scenario(check)


def test_column_widths_are_measured_as_the_stock_table_measures_them() -> None:
    """Auto-width columns: one-line text rows take the short cut, others Textual's own code."""
    rows: dict[str, tuple[object, ...]] = {
        **ROWS,
        "w": (Text("山田 花子 😀", end=""), Text("100", end=""), Text("⚠ 10 open · 10 seen")),
        "x": (Text("", end=""), Text("two\nlines", end=""), Text("")),  # not one line
        "y": (None, 12, "[b]markup[/b] str"),  # not Text: Textual's own measuring
    }

    async def check(pilot: Any, live: LiveTable, stock: DataTable[Any]) -> None:
        for table in (live, stock):
            table.clear(columns=True)
            for key in COLUMNS:
                table.add_column(key.title(), key=key)
            fill(table, list(rows), rows)
        await pilot.pause()
        widths = [[c.content_width for c in t.ordered_columns] for t in (live, stock)]
        assert widths[0] == widths[1]
        assert live.virtual_size == stock.virtual_size
        assert_same(live, stock)

    scenario(check)
