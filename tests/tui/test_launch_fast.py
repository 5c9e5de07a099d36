"""A clinic's launch: the list from the plain read, stale rows scored after, the early read.

`journal` alone forks a child that reads the provider list while Textual is
imported (`journal.tui.early`); the app paints the list from it, shows the
patients whose stored result is stale as pending and scores only those once
the journal is open, storing the fresh results for the next launch.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from journal.services.journal import open_journal
from journal.services.listing import fast_overview, plain_overview
from journal.services.results import overview, rebuild_results
from journal.store.engine import for_writing
from journal.tui.app import JournalApp
from journal.tui.screens.patients import PatientListScreen, cells, list_row

from .conftest import run, settle

STALE = "Bea Okafor"


class RecordingApp(JournalApp):
    """The real app; it notes which rows each `launch` was handed as pending."""

    CSS_PATH = str(Path(sys.modules[JournalApp.__module__].__file__ or "").parent / "journal.tcss")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.launched: list[dict[str, bool]] = []

    def launch(self, summaries: list[Any], only: Any = None) -> None:
        self.launched.append({s.patient.display_name: s.pending for s in summaries})
        super().launch(summaries, only)


def _drop_stored_result(journal: Any, name: str) -> None:
    """Forget one patient's stored course results (what an older formula's rows amount to)."""
    with journal.write() as db:
        db.execute(
            text(
                "DELETE FROM course_result WHERE course_id IN (SELECT c.id FROM course c"
                " JOIN patient p ON p.id = c.patient_id WHERE p.display_name = :name)"
            ),
            {"name": name},
        )


def test_a_stale_course_is_painted_pending_then_scored_and_stored(
    clinic_home: Path, open_home: Any, tmp_path: Path
) -> None:
    """One patient's stored result is missing: the list is still the plain read's.

    Their row is pending in the first paint, then shows the recomputed score
    (the ORM path's figures), and the fresh result is stored: the next
    launch's plain read has nothing pending. The app runs for the real day,
    as `journal` does, since only a read for today stores what it computed.
    """
    journal = open_home(clinic_home)
    today = dt.date.today()
    with for_writing(journal.engine).begin() as conn:
        rebuild_results(conn, today)
    _drop_stored_result(journal, STALE)
    assert fast_overview(clinic_home, None, today) is None  # the strict read steps aside
    app = RecordingApp(home=clinic_home, live=False, photos_from=tmp_path)

    async def scenario() -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, PatientListScreen)
            shown = app.screen
            assert app.fast_list
            assert app.launched == [{name: name == STALE for name in app.launched[0]}], (
                "the plain read's list, the stale patient pending"
            )
            assert app.timings["list_painted"] <= app.timings["scores_painted"]
            expected = {str(o.patient.id): list_row(o) for o in overview(journal, today)}
            assert shown.rows == expected
            stale_id = next(k for k, r in shown.rows.items() if r.name == STALE)
            table = shown.query_one("#patients")
            painted = table.get_row(stale_id)  # type: ignore[attr-defined]
            assert [str(c) for c in painted] == [str(c) for c in cells(expected[stale_id])]
            assert shown.rows[stale_id].flags is not None and "…" not in str(painted)

    run(scenario())
    again = plain_overview(clinic_home, None, today)
    assert again is not None and not any(o.pending for o in again)
    assert again == overview(journal, today)


def test_the_early_read_hands_the_forked_childs_rows_once(clinic_home: Path) -> None:
    """`early.start` forks a reader; `take` returns its rows for that journal and day, once.

    Run in a fresh interpreter, as `journal` runs it: the fork happens before
    any thread exists (pytest's process may have some).
    """
    with open_journal(clinic_home) as journal, for_writing(journal.engine).begin() as conn:
        rebuild_results(conn)
    code = (
        "import datetime as dt, os, sys\n"
        "from journal.tui import early\n"
        f"home = {str(clinic_home)!r}\n"
        "early.start(home, None)\n"
        "pid = early._started.pid\n"
        "today = dt.date.today()\n"
        "answered, rows = early.take(home, None, today)\n"
        "from journal.services.listing import plain_overview\n"
        "assert answered and rows == plain_overview(home, None, today), rows\n"
        "assert early.take(home, None, today) == (False, None)  # handed out once\n"
        "try:\n"
        "    os.waitpid(pid, os.WNOHANG)\n"
        "    raise AssertionError('the child was not reaped')\n"
        "except ChildProcessError:\n"
        "    pass\n"
        "early.start(home, None)\n"
        "assert early.take(home + '-other', None, today) == (False, None)  # another journal\n"
        "print(len(rows))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"


def test_the_collector_held_at_launch_runs_again_once_the_list_is_painted(
    clinic_home: Path, tmp_path: Path
) -> None:
    """`journal` holds the garbage collector from its start; the complete list lets it go."""
    import gc

    from journal.tui import early

    from .conftest import TODAY

    with open_journal(clinic_home) as journal, for_writing(journal.engine).begin() as conn:
        rebuild_results(conn, TODAY)
    app = JournalApp(home=clinic_home, today=TODAY, live=False, photos_from=tmp_path)
    early.pause_gc()
    try:
        assert not gc.isenabled()

        async def scenario() -> None:
            async with app.run_test(size=(100, 32)) as pilot:
                await settle(pilot)
                assert isinstance(app.screen, PatientListScreen)
                assert "scores_painted" in app.timings
                assert gc.isenabled()

        run(scenario())
    finally:
        early.resume_gc()
        gc.enable()
        gc.unfreeze()
