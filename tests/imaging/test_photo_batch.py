"""The batch runner: every item once, crashes contained, progress reported."""

from __future__ import annotations

from journal.imaging import batch


def test_a_pool_runs_every_item_and_reports_progress():
    seen: list[tuple[int, int]] = []
    items = ["a", "bb", "ccc", "dddd", "eeeee"]

    done = list(batch.run(len, items, workers=2, progress=lambda d, t: seen.append((d, t))))

    assert sorted((d.index, d.result) for d in done) == [(i, i + 1) for i in range(5)]
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == list(range(6))


def test_a_job_that_raises_is_reported_not_fatal():
    for workers in (1, 2):
        done = {d.index: d.result for d in batch.run(int, ["1", "x", "3"], workers=workers)}
        assert done[0] == 1 and done[2] == 3
        assert isinstance(done[1], batch.Crashed) and "ValueError" in done[1].message


def test_one_worker_runs_in_process():
    done = list(batch.run(len, ["ab"], workers=8))
    assert [(d.index, d.result) for d in done] == [(0, 2)]


def test_with_threads_running_workers_come_from_a_fork_server():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert batch._context().get_start_method() == "forkserver"
        done = sorted((d.index, d.result) for d in batch.run(len, ["a", "bb", "ccc"], workers=2))
    finally:
        stop.set()
        thread.join()
    assert done == [(0, 1), (1, 2), (2, 3)]
    assert batch._context().get_start_method() == "fork"
