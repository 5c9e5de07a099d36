"""Worker processes for the crash and contention tests (run as a script, never imported).

Each mode prints "ready" once the journal is open, then one "ok ..." line per
unit of work *after* it returned (i.e. after the commit), flushed at once: the
parent kills the process at a random moment and then checks that every
acknowledged unit is in the journal, and that at most the one in flight when
the signal landed is there without its acknowledgement.

    _child.py photos HOME DB_URL|- FILE...     one import per file
    _child.py records HOME DB_URL|- TAG        sessions and check-ins until killed
    _child.py checkins HOME DB_URL|- TAG N GO service|cli
                                               N check-ins, starting when GO exists
    _child.py amend HOME DB_URL|- TAG          edits, deletes and undos of check-ins
"""

from __future__ import annotations

import os
import sys
import time


def _open(home: str, url: str):
    from journal.services.journal import open_journal

    return open_journal(home, None if url == "-" else url)


def photos(home: str, url: str, files: list[str]) -> None:
    from journal.services.photos import import_photos

    journal = _open(home, url)
    print("ready", flush=True)
    for path in files:
        report = import_photos(journal, "Crash Test", [path], workers=1)
        assert not report.failed, report.failed
        photo = (report.imported or report.duplicates)[0]
        print(f"ok {photo.sha256}", flush=True)


def records(home: str, url: str, tag: str) -> None:
    from journal.services.checkins import add_checkin
    from journal.services.sessions import add_session

    journal = _open(home, url)
    print("ready", flush=True)
    for i in range(100_000):
        note = f"{tag}-{i}"
        if i % 3 == 0:
            add_session(
                journal, "Crash Test", date="2024-05-01", notes=note, provider="Dr. K", again=True
            )
            print(f"ok session {note}", flush=True)  # one write: a kill cannot cut it
        else:
            add_checkin(
                journal,
                "Crash Test",
                date="2024-05-02",
                symptoms={"redness": i % 11},
                concerns=["texture=4"],
                notes=note,
            )
            print(f"ok checkin {note}", flush=True)


def checkins(home: str, url: str, tag: str, count: int, go: str, how: str) -> None:
    """The contention writer: a long-lived journal (like the TUI) or one CLI run per write."""
    from journal.services.checkins import add_checkin
    from journal.services.history import patient_history

    journal = _open(home, url) if how == "service" else None
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(count):
        note = f"{tag}-{i}"
        if journal is not None:
            add_checkin(journal, "Busy Patient", date="2024-06-01", notes=note)
            if i % 10 == 0:  # a TUI reads between writes
                patient_history(journal, "Busy Patient")
        else:
            _cli(home, url, ["checkin", "add", "-p", "Busy Patient", "-d", "2024-06-01"], note)
    print("done", count, flush=True)


def amend(home: str, url: str, tag: str) -> None:
    """Edit, delete and undo the patient's check-ins in turn until killed."""
    import random

    from journal.core.errors import JournalError
    from journal.services.amend import delete, edit, undo
    from journal.services.history import patient_history

    journal = _open(home, url)
    rng = random.Random(tag)
    print("ready", flush=True)
    for i in range(100_000):
        ids = [str(c.id) for c in patient_history(journal, "Crash Test").checkins]
        op = rng.choice(["edit", "edit", "delete", "undo"])
        try:
            if op == "edit" and ids:
                edit(journal, "check-in", rng.choice(ids), {"notes": f"{tag}-{i}"})
            elif op == "delete" and len(ids) > 3:
                delete(journal, "check-in", rng.choice(ids))
            elif op == "undo":
                undo(journal)
        except JournalError:
            continue  # nothing to undo, an undo refused: nothing was written
        print(f"ok {op} {i}", flush=True)


def fast_amend(home: str, tag: str) -> None:
    """`amend` through the plain-sqlite write path (`journal.services.fast_amend`)."""
    import random

    from journal.core.errors import JournalError
    from journal.services import fast_amend
    from journal.services.reading import history_for

    rng = random.Random(tag)
    print("ready", flush=True)
    for i in range(100_000):
        ids = [str(c.id) for c in history_for(home, None, "Crash Test").checkins]
        op = rng.choice(["edit", "edit", "delete", "undo"])
        try:
            if op == "edit" and ids:
                done = fast_amend.edit(
                    home, None, "check-in", rng.choice(ids), {"notes": f"{tag}-{i}"}
                )
            elif op == "delete" and len(ids) > 3:
                done = fast_amend.delete(home, None, "check-in", rng.choice(ids))
            elif op == "undo":
                done = fast_amend.undo(home, None)
            else:
                continue
        except JournalError:
            continue  # nothing to undo, an undo refused: nothing was written
        assert done is not None, "the fast path did not answer"
        print(f"ok {op} {i}", flush=True)


def _cli(home: str, url: str, args: list[str], note: str) -> None:
    from journal.cli.main import run

    argv = ["--home", home] + ([] if url == "-" else ["--db", url])
    try:
        run([*argv, *args, "--notes", note])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


if __name__ == "__main__":
    mode, home_arg, url_arg, *rest = sys.argv[1:]
    if mode == "photos":
        photos(home_arg, url_arg, rest)
    elif mode == "records":
        records(home_arg, url_arg, rest[0])
    elif mode == "checkins":
        checkins(home_arg, url_arg, rest[0], int(rest[1]), rest[2], rest[3])
    elif mode == "amend":
        amend(home_arg, url_arg, rest[0])
    elif mode == "fastamend":
        fast_amend(home_arg, rest[0])
    else:
        raise SystemExit(f"unknown mode {mode}")
