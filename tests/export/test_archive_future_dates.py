"""Issue 11 item 7 at the archive door: records dated in the future are refused there too.

A session, check-in or review logged from the CLI or the TUI cannot be dated
after today; an archive must not bring one in either, or a typo made on
another machine would sit at the end of every timeline. One day of grace
covers an archive written where it is already tomorrow.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import row_counts


def _shifted(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("table", ["sessions", "checkins", "reviews"])
def test_a_record_dated_in_the_future_is_refused(cli, journal, home, parts, tmp_path, table):
    p = parts()
    p.records[table][-1]["date"] = _shifted(3)
    out = p.write(tmp_path / "future.zip")
    r = cli("import", str(out))
    assert r.code == 2, (r.out, r.err)
    assert r.err.count("\n") == 1 and "is in the future" in r.err, r.err
    assert set(row_counts(journal).values()) == {0}


def test_a_record_dated_tomorrow_is_let_in_for_time_zones(cli, journal, parts, tmp_path):
    p = parts()
    p.records["checkins"][-1]["date"] = _shifted(1)
    out = p.write(tmp_path / "tomorrow.zip")
    r = cli("import", str(out))
    assert r.code == 0, r.err
