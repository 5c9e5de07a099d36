"""SVG snapshots of the main screens at 100x32 on journals with fixed dates.

Nothing on these screens depends on the clock (the app's `today` is injected),
on ids, or on the terminal (headless photos are drawn as half blocks), so the
snapshots are stable. Regenerate with `pytest tests/tui --snapshot-update` and
look at them before committing.
"""

from __future__ import annotations

from .conftest import settle

SIZE = (100, 32)


def after(*keys: str):
    """A `run_before` that waits for loading, presses `keys`, and waits again."""

    async def steps(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return steps


def test_dashboard(snap_compare, make_app, demo_home):
    assert snap_compare(make_app(demo_home), terminal_size=SIZE, run_before=after())


def test_dashboard_with_a_red_flag(snap_compare, make_app, clinic_home):
    """Bea's blistering, opened from the provider list: the alert on top, the review panel."""
    app = make_app(clinic_home)
    assert snap_compare(app, terminal_size=SIZE, run_before=after("enter"))


def test_compare_view(snap_compare, make_app, demo_home):
    """Baseline and the photo before the latest, after one step back with the left arrow."""
    app = make_app(demo_home)
    assert snap_compare(app, terminal_size=SIZE, run_before=after("v", "left"))


def test_score_screen(snap_compare, make_app, demo_home):
    assert snap_compare(make_app(demo_home), terminal_size=SIZE, run_before=after("s"))


def test_provider_list(snap_compare, make_app, clinic_home):
    assert snap_compare(make_app(clinic_home), terminal_size=SIZE, run_before=after())


def test_dashboard_at_80x24(snap_compare, make_app, demo_home):
    """The smallest supported terminal: panels stack; the footer shows ? and six keys, none cut."""
    assert snap_compare(make_app(demo_home), terminal_size=(80, 24), run_before=after())


def test_provider_dashboard_at_80x24(snap_compare, make_app, clinic_home):
    """The provider's footer at 80 columns: back, help, review first; nothing cut."""
    app = make_app(clinic_home)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after("down", "enter"))


def test_timeline_at_80x24(snap_compare, make_app, demo_home):
    """Long entries wrap under their summary, not under the date."""
    assert snap_compare(make_app(demo_home), terminal_size=(80, 24), run_before=after("t"))
