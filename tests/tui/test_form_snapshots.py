"""SVG snapshot of a form after one save with three refused values (100x32).

Every mark shows at once, each under its field, the first field focused and
ctrl+s / esc in the footer. Regenerate with
`pytest tests/tui/test_form_snapshots.py --snapshot-update` and look at it.
"""

from __future__ import annotations

from textual.widgets import Input

from .conftest import settle

SIZE = (100, 32)


async def three_refused_values(pilot) -> None:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    for selector, text in (("#date", "2026-13-01"), ("#passes", "99"), ("#pain", "11")):
        field = pilot.app.screen.query_one(selector, Input)
        field.focus()
        field.value = ""
        await pilot.press(*text)
    await pilot.press("ctrl+s")
    await settle(pilot)
    # The focused field's cursor blinks on a timer: which phase a busy machine
    # catches is chance, so hold it steady (shown) for a repeatable picture.
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_session_form_with_three_refused_values(snap_compare, make_app, demo_home):
    assert snap_compare(make_app(demo_home), terminal_size=SIZE, run_before=three_refused_values)
