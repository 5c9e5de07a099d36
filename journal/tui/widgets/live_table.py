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
cached per counter value; a row added is its `_data`, `rows`, `_row_locations`
and `_new_rows` entries (`fill`).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import zip_longest
from typing import Any, cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey


def same_cell(old: object, new: object) -> bool:
    """Whether a cell would look the same (rich's Text == ignores the style)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and old.style == new.style and old.spans == new.spans
    return type(old) is type(new) and old == new


class LiveTable(DataTable[Any]):
    """A DataTable whose rows can be updated and re-ordered, repainting only what changed."""

    # (update counter, sizes painted under it): see `_on_resize`.
    _painted: tuple[int | None, set[Size]] = (None, set())

    def fill(self, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
        """Add these rows (key, cells in column order) at the bottom: `add_row` for many at once.

        Textual's `add_row` does per-row bookkeeping meant for one row: it
        sorts the columns, re-assigns the cursor (a reactive, with its
        validation and watchers) and asks for an idle pass, about 30 µs a
        row, so a 1,000-patient list spent tens of milliseconds there before
        its first paint. Here the same state is built in one pass and the
        per-table steps run once. The rows are measured at once (Textual waits
        for the next idle), so the screen's first layout already has the
        table's real size and is not redone a frame later (a test compares
        the result with `add_row`'s).
        """
        if not rows:
            return
        columns = [column.key for column in self.ordered_columns]
        start = self.row_count
        keys = [RowKey(key) for key, _ in rows]
        if len(set(keys)) != len(keys) or any(key in self._row_locations for key in keys):
            raise DuplicateKey("fill needs row keys that are new and distinct")
        for index, (row_key, (_, values)) in enumerate(zip(keys, rows, strict=True)):
            if len(values) > len(columns):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = start + index
            self._data[row_key] = dict(zip_longest(columns, values))
            self.rows[row_key] = Row(row_key, 1, None, False)
        self._update_count += 1  # before measuring: the row offsets are cached per count
        self._update_dimensions(keys)  # now, not on idle: the first layout has the real size
        self.cursor_coordinate = self.cursor_coordinate
        if start == 0 and len(self.columns) > 0 and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()

    def render_lines(self, crop: Region) -> list[Strip]:
        count, sizes = self._painted
        if count != self._update_count:  # the caches of another count are never read again
            sizes = set()
        sizes.add(self.size)
        self._painted = (self._update_count, sizes)
        return super().render_lines(crop)

    def _on_resize(self, event: events.Resize) -> None:
        """Textual drops every cached row on a resize; not when every one was painted at this size.

        A table's first layout paints it at its new size before the Resize
        event arrives, and Textual's handler then bumped the counter every
        render cache is keyed on, so a 1,000-row list painted all its rows a
        second time before the list counted as shown (about 25 ms). A row's
        rendering depends on the table's width (the header's filler does), so
        the caches are kept only when everything cached under the current
        counter was painted at the size the table now has.
        """
        count, sizes = self._painted
        if count == self._update_count and sizes == {self.size}:
            event.prevent_default()  # DataTable's own handler (the only one below) would bump it

    def notify_style_update(self) -> None:
        """Textual drops every cached row on any style update; only when the table's look changed.

        Styles are applied again many times around a screen's first frames (on
        mount, on focus, when the screen resumes, when the app's breakpoint
        classes are set), mostly to the same values, and each time Textual
        cleared every render cache: the 1,000-row list painted all its rows
        again one frame after its first paint. The rendered rows read only the
        table's own style and its component classes' styles, so the caches
        are kept when those are what they were at the last clearing.
        """
        super(DataTable, self).notify_style_update()  # Widget's part; DataTable's clears caches
        look = self._look()
        if look is None or look != getattr(self, "_cleared_for", None):
            self._cleared_for = look
            self._clear_caches()
        self.refresh()

    def _look(self) -> tuple[object, ...] | None:
        """Every style a rendered row is made of (see `notify_style_update`); None before mount."""
        names = sorted(self.COMPONENT_CLASSES)
        try:
            return (
                self.rich_style,
                tuple(self.get_component_styles(name).rich_style for name in names),
                tuple(self.get_component_rich_style(name) for name in names),
            )
        except KeyError:  # the component styles are not set up yet
            return None

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
