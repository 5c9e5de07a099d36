"""`journal flag list|seen|resolve`: a provider acts on a red flag from the command line.

Each runs on SQLite and, when configured, PostgreSQL (the `cli` fixture). Bad
input is one line on stderr, exit status 2, and nothing written.
"""

from __future__ import annotations

import datetime as dt

WORDS = "warm, yellow crust near left jaw"


def _flagged(cli) -> str:
    """A patient with a session and an infection reported two days after; the flag's id."""
    assert cli("patient", "add", "Robin Vale").code == 0
    assert cli("session", "add", "-p", "Robin", "--date", "2026-03-01").code == 0
    added = cli(
        "checkin", "add", "-p", "Robin", "--date", "2026-03-03", "--flag", "infection",
        "--notes", WORDS,
    )  # fmt: skip
    assert added.code == 0, added.err
    (flag,) = cli("flag", "list", "-p", "Robin", "--json").json()
    return str(flag["id"])


def test_a_flag_is_listed_seen_resolved_logged_and_undone(cli):
    flag_id = _flagged(cli)
    (listed,) = cli("flag", "list", "-p", "Robin", "--json").json()
    assert (listed["status"], listed["key"], listed["patient_words"]) == (
        "open", "infection", [WORDS],
    )  # fmt: skip
    text = cli("flag", "list", "-p", "Robin").out
    assert flag_id[:8] in text and "open" in text and WORDS in text

    seen = cli("flag", "seen", flag_id[:6], "--by", "Dr Chen", "--note", "swab taken")
    assert seen.code == 0 and "seen by Dr Chen" in seen.out
    done = cli("flag", "resolve", flag_id[:6], "--by", "Dr Chen", "--date", "2026-03-10", "--json")
    assert done.code == 0
    assert {c["field"] for c in done.json()["changes"]} >= {"status", "resolved_on"}
    (listed,) = cli("flag", "list", "-p", "Robin", "--json").json()
    assert (listed["status"], listed["resolved_on"], listed["lasting"]) == (
        "resolved", "2026-03-10", False,
    )  # fmt: skip
    score = cli("score", "-p", "Robin", "--json").json()
    assert {f["status"] for f in score["flags"]} == {"resolved"}

    log = cli("log", "-p", "Robin").out
    assert "flag" in log and "Dr Chen" in log and "status: seen -> resolved" in log
    assert cli("undo").code == 0
    (listed,) = cli("flag", "list", "-p", "Robin", "--json").json()
    assert listed["status"] == "seen"


def test_bad_flag_commands_are_one_line_and_change_nothing(cli):
    flag_id = _flagged(cli)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for args, says in (
        (("flag", "seen", "ffffffff"), "no red flag with id"),
        (("flag", "seen", "zz"), "give its id"),
        (("flag", "resolve", flag_id, "--date", tomorrow), "is in the future"),
        (("flag", "resolve", flag_id, "--date", "2026-03-02"), "before the flag began"),
        (("flag", "resolve", flag_id, "--date", "03/10/2026"), "YYYY-MM-DD"),
        (("flag", "list", "-p", "Nobody Here"), "Nobody Here"),
    ):
        result = cli(*args)
        assert result.code == 2, (args, result.err)
        assert says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    (listed,) = cli("flag", "list", "-p", "Robin", "--json").json()
    assert listed["status"] == "open"
    assert "flag" not in cli("log", "-p", "Robin").out

    assert cli("flag", "resolve", flag_id, "--date", "2026-03-10").code == 0
    again = cli("flag", "resolve", flag_id, "--date", "2026-03-11")
    assert again.code == 2 and "already resolved" in again.err
    seen = cli("flag", "seen", flag_id)
    assert seen.code == 2 and "already resolved" in seen.err
