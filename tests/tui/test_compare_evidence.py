"""The compare view shows photos as evidence (issue 14): aligned pair, measures, warnings, blink.

Each scenario runs on SQLite and, when `JOURNAL_TEST_PG_URL` is set, on
PostgreSQL, with the photos in the folder store and in the database store
(a comparison reads the photos through the store, never by a path). The
journal is `builders.build_evidence`: cheeks improved and comparable, chin
60% brighter (not comparable), forehead without a baseline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Label, Static

from journal.services.evidence import NO_BASELINE, NOT_COUNTED
from journal.tui.app import JournalApp
from journal.tui.screens.compare import Compared, CompareScreen

from .builders import TODAY, build_evidence
from .conftest import rich_text, run, settle, text_of


@pytest.fixture
def evidence_journal(journal: Any, tmp_path: Path, photo_store: str) -> Any:
    build_evidence(journal, tmp_path)
    return journal


def app_on(journal: Any) -> JournalApp:
    return JournalApp(journal=journal, today=TODAY, photos_from=Path.cwd())


async def open_compare(pilot: Any) -> CompareScreen:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def said(screen: CompareScreen) -> dict[str, str]:
    """What the view says: title, captions, both halves of the measures table, warnings."""
    return {
        "title": text_of(screen.query_one("#compare-title", Static)),
        "left": str(screen.query_one("#baseline-caption", Label).render()),
        "right": str(screen.query_one("#later-caption", Label).render()),
        "baseline": rich_text(screen.query_one("#baseline-measures", Static).content),
        "follow_up": rich_text(screen.query_one("#later-measures", Static).content),
        "warnings": text_of(screen.query_one("#compare-warnings", Static)),
    }


def test_the_view_shows_the_aligned_pair_its_measures_and_that_it_counts(evidence_journal):
    app = app_on(evidence_journal)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await open_compare(pilot)
            text = said(screen)
            assert text["title"].startswith("Cheeks · 2 photos · area 1 of 3")
            assert text["left"].startswith("Baseline · 2026-01-11")
            assert text["right"].startswith("Photo 2 of 2 · 2026-03-23 · Follow-up · aligned")
            for label in ("redness", "uneven pigmentation", "texture", "marks"):
                assert label in text["baseline"]
            assert "Follow-up" in text["follow_up"] and "Verdict" in text["follow_up"]
            assert "improved" in text["follow_up"]
            assert text["warnings"].startswith("Comparable pair: counted in the score.")
            assert "same light" in text["warnings"]  # the caveat
            result = next(iter(screen.results.values()))
            assert isinstance(result, Compared) and result.evidence.comparable
            shown = screen.query_one("#later-image").image  # type: ignore[attr-defined]
            assert shown is result.aligned  # the follow-up registered onto the baseline
            assert not screen.query_one("#compare").loading

    run(scenario())


def test_b_blinks_the_two_photos_in_place_and_back(evidence_journal):
    app = app_on(evidence_journal)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await open_compare(pilot)
            (result,) = screen.results.values()
            assert isinstance(result, Compared)
            left, right = screen.query_one("#baseline-image"), screen.query_one("#later-image")
            assert (left.image, right.image) == (result.baseline, result.aligned)  # type: ignore
            measures = said(screen)["follow_up"]
            await pilot.press("b")
            await pilot.pause()
            assert (left.image, right.image) == (result.aligned, result.baseline)  # type: ignore
            text = said(screen)
            assert text["left"].startswith("Photo 2 of 2 · 2026-03-23 · Follow-up · aligned")
            assert text["right"].startswith("Baseline")
            assert text["follow_up"] == measures  # the table stays; its headers name the photos
            await pilot.press("b")
            await pilot.pause()
            assert (left.image, right.image) == (result.baseline, result.aligned)  # type: ignore

    run(scenario())


def test_switching_area_shows_a_pair_that_is_not_comparable_with_its_warning(evidence_journal):
    app = app_on(evidence_journal)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await open_compare(pilot)
            await pilot.press("down")
            await settle(pilot)
            text = said(screen)
            assert text["title"].startswith("Chin · 2 photos · area 2 of 3")
            assert text["warnings"].startswith(NOT_COUNTED)
            assert "brighter" in text["warnings"]  # the warning names the difference in words
            assert "Verdict" in text["follow_up"]  # still measured and shown, for reference

    run(scenario())


def test_an_area_without_a_baseline_says_so_and_shows_the_photos_as_taken(evidence_journal):
    app = app_on(evidence_journal)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await open_compare(pilot)
            await pilot.press("up")  # from the first area back round to the last: forehead
            await settle(pilot)
            text = said(screen)
            assert text["title"].startswith("Forehead · 2 photos · area 3 of 3")
            assert text["warnings"] == NO_BASELINE
            assert text["left"].startswith("First photo · 2026-02-10")
            assert text["right"].startswith("Photo 2 of 2 · 2026-03-23")
            assert text["baseline"] == "" and text["follow_up"] == ""
            assert screen.query_one("#baseline-image").image is not None  # type: ignore[attr-defined]
            await pilot.press("b")  # blinking the photos as taken works too
            await pilot.pause()
            assert said(screen)["left"].startswith("Photo 2 of 2")

    run(scenario())


def test_the_comparison_runs_in_a_worker_behind_a_loading_indicator(evidence_journal):
    app = app_on(evidence_journal)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            screen = CompareScreen(app.screen.data)  # type: ignore[attr-defined]
            await app.push_screen(screen)  # mounted: the comparison has just started
            assert screen.query_one("#compare").loading  # the UI answers meanwhile
            assert [w.group for w in app.workers if w.group == "compare"] == ["compare"]
            await settle(pilot)
            assert not screen.query_one("#compare").loading
            await pilot.press("down", "up")  # back to cheeks: kept, nothing computed again
            assert not screen.query_one("#compare").loading
            assert len(screen.results) == 2

    run(scenario())
