"""A DataTable that repaints only the rows a live refresh changed.

Textual's `DataTable` keys every render cache (cells, rows, lines) on one
update counter that `update_cell` and `sort` bump, so changing one cell of a
1,000-row table re-renders every visible row: 35 ms on an idle 2-core machine,
over 100 ms when it is busy, and the UI thread is stalled that long. A live
refresh changes a few rows at a time, so `LiveTable` changes them without
bumping the counter: it drops only the changed rows' cache entries and
repaints only their lines. Everything else (adding, removing, clearing,
columns, the cursor) is Textual's own code, untouched.

What this relies on in Textual's DataTable (textual 8.x, checked by
tests/tui/test_live_table.py against a stock table): the cell and row render
caches are keyed by row key first, the row-renderables cache by
`(update counter, row index)`, the line cache by the line's y first, and the
row order lives in `_row_locations` with `ordered_rows` and `_y_offsets`
cached per counter value.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any, cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


def same_cell(old: object, new: object) -> bool:
    """Whether a cell would look the same (rich's Text == ignores the style)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and old.style == new.style and old.spans == new.spans
    return type(old) is type(new) and old == new


class LiveTable(DataTable[Any]):
    """A DataTable whose rows can be updated and re-ordered, repainting only what changed."""

    def set_rows(self, rows: Mapping[str, Sequence[object]]) -> int:
        """Give these rows new cell values (all columns, in column order); returns how many changed.

        Column widths are not re-measured (as `update_cell` by default): the
        columns whose values arrive late have fixed widths.
        """
        columns = [column.key for column in self.ordered_columns]
        changed: set[RowKey] = set()
        for key, values in rows.items():
            row_key = RowKey(key)
            data = self._data.get(row_key)
            if data is None:
                continue
            for column, value in zip(columns, values, strict=True):
                if not same_cell(data.get(column), value):
                    data[column] = value
                    changed.add(row_key)
        if changed:
            lines = [n for n, (key, _) in enumerate(self._y_offsets) if key in changed]
            self._forget(changed, {self._row_locations.get(key) for key in changed}, lines)
        return len(changed)

    def reorder(self, order: Iterable[str]) -> bool:
        """Put the rows in this order (every row key once); returns whether anything moved.

        Unlike `sort`, rows that keep their place keep their rendered lines:
        only the rows that moved are re-rendered, and only if they are in view.
        """
        locations = {RowKey(key): index for index, key in enumerate(order)}
        if len(locations) != len(self._row_locations) or any(
            key not in self._row_locations for key in locations
        ):
            raise ValueError("reorder needs every row of the table exactly once")
        moved = {key for key, index in locations.items() if self._row_locations.get(key) != index}
        if not moved:
            return False
        before = self._y_offsets
        self._row_locations = TwoWayDict(locations)
        self._offset_cache.clear()
        self._ordered_row_cache.clear()
        after = self._y_offsets
        lines = [n for n, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        self._forget(moved, {locations[key] for key in moved}, lines)
        return True

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Textual's column measuring, with a short cut for rows of one-line text cells.

        Textual measures every cell of every new row through Rich
        (`Text.__rich_measure__`, whose widest line is the cell's width): 6,000
        cells for a 1,000-patient list, about half a second on the UI thread
        before the first paint. For a one-line, unlabelled, fixed-height row of
        `Text` cells that width is `cell_len` of the text, taken here; any other
        row goes through Textual's own code, which also sets the virtual size
        (a test compares the widths with a stock table's).
        """
        rest: list[RowKey] = []
        columns = self.ordered_columns
        for row_key in new_rows:
            row = self.rows.get(row_key)
            data = self._data.get(row_key)
            if row is None or data is None or row.label is not None or row.auto_height:
                rest.append(row_key)
                continue
            values = [data.get(column.key) for column in columns]
            if row.height != 1 or not all(
                isinstance(v, Text) and "\n" not in v.plain for v in values
            ):
                rest.append(row_key)
                continue
            for column, value in zip(columns, values, strict=True):
                width = cell_len(cast(Text, value).plain)
                if width > column.content_width:
                    column.content_width = width
        super()._update_dimensions(rest)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """Textual's cell rendering, with a short cut for the common one-line text cell.

        Rich's general path (Styled, Padding, wrapping, cropping) costs about
        0.15 ms a cell, and a list that shifts by one row re-renders every cell
        in view; a one-line, span-free Text that fits its column is laid out here
        directly, with the same styles per character (checked by a test against
        the stock table). Anything else goes through Textual's own code.
        """
        fast = self._fast_cell(row_index, column_index, base_style, width, cursor, hover)
        if fast is not None:
            return fast
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def _fast_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines | None:
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return None
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return None
        row = self.rows.get(row_key)
        if row is None or row.height != 1:
            return None
        value = self._data[row_key].get(column_key)
        if not isinstance(value, Text) or value.spans or "\n" in value.plain:
            return None
        padding = self.cell_padding
        room = width - 2 * padding
        used = cell_len(value.plain)
        if used > room or room < 0:
            return None
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        console = self.app.console
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre = pre + component_style
        post = post_style
        blank = pre + post
        text_style = pre + console.get_style(value.style, default=Style.null()) + post
        line = [Segment(" " * padding, blank)] if padding else []
        if value.plain:
            line.append(Segment(value.plain, text_style))
        if room - used + padding:
            line.append(Segment(" " * (room - used + padding), blank))
        lines: SegmentLines = [line]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _forget(self, keys: set[RowKey], indices: set[int | None], lines: list[int]) -> None:
        """Drop the cached renders of these rows and repaint their lines (data lines, no header)."""
        _discard(self._cell_render_cache, 0, keys)
        _discard(self._row_render_cache, 0, keys)
        _discard(self._row_renderable_cache, 1, indices)
        top = self.header_height if self.show_header else 0
        virtual = {top + line for line in lines}
        _discard(self._line_cache, 0, virtual)
        width = max(
            self.size.width,
            sum(column.get_render_width(self) for column in self.columns.values())
            + self._row_label_column_width,
        )
        for start, length in _runs(sorted(virtual)):
            self._refresh_region(Region(0, start, width, length))


def _discard(cache: LRUCache[Any, Any], part: int, values: Container[object]) -> None:
    """Drop the entries whose key has one of these values at position `part`."""
    for key in [k for k in cache.keys() if k[part] in values]:  # noqa: SIM118 (no __iter__)
        cache.discard(key)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted numbers as (start, length) runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs
