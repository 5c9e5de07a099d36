"""`journal score` / `journal plan` and the alerts every view shows."""

from __future__ import annotations

import datetime as dt


def _series(cli, name="Ria", flags=()):
    assert (
        cli(
            "patient",
            "add",
            name,
            "--concern",
            "acne scars",
            "--screening",
            "isotretinoin",
            "--birth-year",
            "1980",
        ).code
        == 0
    )
    today = dt.date.today()
    start = today - dt.timedelta(days=120)
    cli(
        "checkin",
        "add",
        "-p",
        name,
        "-d",
        (start - dt.timedelta(days=1)).isoformat(),
        "--concern",
        "acne-scars=7",
    )
    for n in range(3):
        day = start + dt.timedelta(days=28 * n)
        assert (
            cli(
                "session",
                "add",
                "-p",
                name,
                "-d",
                day.isoformat(),
                "--device",
                "pen",
                "--depth",
                "1.5",
                "--cost",
                "400",
            ).code
            == 0
        )
        args = [
            "checkin",
            "add",
            "-p",
            name,
            "-d",
            (day + dt.timedelta(days=21)).isoformat(),
            "--redness",
            "1",
            "--concern",
            f"acne-scars={6 - 2 * n}",
            "--gais",
            "much-improved",
            "--verdict",
            "worth-it",
        ]
        for flag in flags:
            args += ["--flag", flag]
        assert cli(*args).code == 0, args


def test_score_json_has_the_contract_fields(cli):
    _series(cli)
    r = cli("score", "-p", "Ria", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    for key in (
        "score",
        "verdict",
        "confidence",
        "components",
        "explanation",
        "trend",
        "flags",
        "benchmark",
    ):
        assert key in doc
    assert 0 <= doc["score"] <= 100
    assert doc["verdict"] in {"worth-it", "not-sure", "not-worth-it"}
    assert set(doc["components"]) == {"efficacy", "recovery", "safety", "satisfaction", "value"}
    assert len(doc["trend"]) == 3
    assert "79%" in doc["benchmark"]["sentence"]
    assert any("7 to 2" in s for s in doc["explanation"])


def test_score_text_explains_and_warns(cli):
    _series(cli, flags=("blistering",))
    r = cli("score", "-p", "ria")
    assert r.code == 0
    assert "Worth-it score" in r.out and "not a diagnosis" in r.out
    assert "RED FLAG" in r.out and "Blistering" in r.out
    assert "isotretinoin" in r.out.lower()


def test_red_flags_show_in_plan_and_history(cli):
    _series(cli, flags=("infection",))
    plan = cli("plan", "-p", "Ria")
    history = cli("history", "-p", "Ria")
    for out in (plan.out, history.out):
        assert "RED FLAG" in out and "provider" in out.lower()
    doc = cli("history", "-p", "Ria", "--json").json()
    assert {f["flag"] for f in doc["alerts"]["red_flags"]} == {"infection"}


def test_plan_json_and_event_warning(cli):
    _series(cli)
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    # a session logged today (a future one is refused), ten days before the event
    r = cli("session", "add", "-p", "Ria", "-d", dt.date.today().isoformat())
    assert r.code == 0, r.err
    r = cli("plan", "-p", "Ria", "--event", soon, "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["sessions_planned"] == 3
    assert doc["warnings"], doc


def test_score_without_a_course_is_a_clear_error(cli):
    cli("patient", "add", "New")
    r = cli("score", "-p", "New")
    assert r.code == 2 and "no course" in r.err and r.err.count("\n") == 1


def test_bad_event_date_is_refused(cli):
    _series(cli)
    r = cli("plan", "-p", "Ria", "--event", "next friday")
    assert r.code == 2 and "event" in r.err


def test_an_event_without_conflict_is_said_to_be_clear(cli):
    _series(cli)
    later = dt.date.today() + dt.timedelta(days=200)
    r = cli("plan", "-p", "Ria", "--event", later.isoformat())
    assert r.code == 0, r.err
    assert f"Your event on {later.isoformat()} is clear" in r.out


def test_a_past_event_is_refused(cli):
    _series(cli)
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    r = cli("plan", "-p", "Ria", "--event", past)
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "event" in r.err and "in the past" in r.err


def test_a_fixed_interval_reads_as_one_number(cli):
    assert cli("patient", "add", "Ivo").code == 0
    r = cli("course", "add", "-p", "Ivo", "--title", "Face", "--interval-weeks", "4")
    assert r.code == 0, r.err
    assert "every 4 weeks" in r.out and "4-4" not in r.out


def test_score_text_says_provisional_and_how_to_make_it_firm(cli):
    assert cli("patient", "add", "Noa", "--concern", "acne scars").code == 0
    today = dt.date.today()
    cli(
        "checkin",
        "add",
        "-p",
        "Noa",
        "-d",
        (today - dt.timedelta(days=3)).isoformat(),
        "--concern",
        "acne-scars=7",
    )
    cli("session", "add", "-p", "Noa", "-d", (today - dt.timedelta(days=1)).isoformat())
    cli(
        "checkin",
        "add",
        "-p",
        "Noa",
        "-d",
        today.isoformat(),
        "--concern",
        "acne-scars=4",
        "--gais",
        "much-improved",
        "--verdict",
        "not-sure",
    )
    r = cli("score", "-p", "Noa")
    assert r.code == 0, r.err
    assert "(confidence low, provisional)" in r.out
    assert "Provisional: it becomes firm with a rating" in r.out
    doc = cli("score", "-p", "Noa", "--json").json()
    assert doc["provisional"] is True and doc["verdict"] != "worth-it"
