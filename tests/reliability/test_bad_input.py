"""Bad input everywhere: every value parser and the CLI answer in one line, never a traceback.

Hypothesis throws arbitrary text (control characters, lone surrogates as a
non-UTF-8 argv decodes to, huge numbers, far dates, emoji) at the parsers the
CLI and the TUI share, and at `session add` / `checkin add` run in-process.
The contract (README, "The command line"): exit 0, or exit 2 with one line on stderr that names
the bad value; nothing in between.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from journal.core import values, vocab
from journal.core.errors import InvalidValue
from journal.services.journal import open_journal
from journal.services.patients import add_patient

NASTY = [
    "",
    " ",
    "\t\n",
    "\udcff\udcfe",  # what a non-UTF-8 byte in argv becomes (surrogateescape)
    "caf\udce9",
    "\x00",
    "\x1b[31mred",
    "-1",
    "-0",
    "11",
    "1e309",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "1_0",
    "٣",  # an Arabic-Indic digit: int() accepts it
    "3.5000000001",
    "99999999999999999999999999",
    "0001-01-01",
    "1989-12-31",
    "9999-12-31",
    "2024-02-30",
    "2024-13-01",
    "10000-01-01",
    "x" * 10_001,
    "🌸" * 50,
    "Zoë 🌸 Tanaka",
    "‮reversed",
    "a=b=c",
    "=5",
    "acne-scars=",
    "acne-scars=11",
    "cheeks=1.5,forehead=",
    "cheeks=9",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
)
TODAY = dt.date(2026, 6, 1)

PARSERS: list[tuple[str, Callable[[str], object]]] = [
    ("date", lambda v: values.parse_date("date", v, today=TODAY)),
    ("int", lambda v: values.parse_int("n", v, 0, 20)),
    ("rating", lambda v: values.parse_rating("pain", v)),
    ("depth", lambda v: values.parse_depth("depth", v)),
    ("depths", lambda v: values.parse_depths("depth", v)),
    ("cost", lambda v: values.parse_cost("cost", v)),
    ("currency", lambda v: values.parse_currency("currency", v)),
    ("text", lambda v: values.parse_text("notes", v)),
    ("name", lambda v: values.parse_name("name", v)),
    ("birth year", lambda v: values.parse_birth_year("birth year", v, today=TODAY)),
    ("skin type", lambda v: values.parse_skin_type("skin type", v)),
    ("concern rating", lambda v: values.parse_concern_rating("concern", v)),
]
VOCABULARIES = [
    getattr(vocab, name)
    for name in dir(vocab)
    if isinstance(getattr(vocab, name), vocab.Vocabulary)
]


def _clean_text(value: object) -> bool:
    """What may reach the database: UTF-8 encodable and free of NUL (PostgreSQL refuses it)."""
    texts = [value] if isinstance(value, str) else []
    if isinstance(value, tuple | list):
        texts = [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        texts = [k for k in value if isinstance(k, str)]
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
        if "\x00" in text:
            return False
    return True


@pytest.mark.parametrize(("kind", "parse"), PARSERS, ids=[k for k, _ in PARSERS])
@settings(max_examples=150, deadline=None)
@given(value=TEXT)
@example(value="\udcff\udcfe")
@example(value="\x00")
def test_value_parsers_return_clean_values_or_refuse_in_one_line(kind, parse, value):
    try:
        result = parse(value)
    except InvalidValue as exc:
        assert "\n" not in str(exc) and str(exc).startswith("invalid ")
        return
    assert _clean_text(result), f"{kind} accepted unusable text {value!r} -> {result!r}"


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=[v.name for v in VOCABULARIES])
@settings(max_examples=100, deadline=None)
@given(value=TEXT)
@example(value="Derma\udcffpen")  # a non-UTF-8 byte in argv
@example(value="pen\x00")  # PostgreSQL refuses NUL in text
def test_vocabularies_normalize_to_clean_keys_or_refuse(vocabulary, value):
    try:
        key = vocabulary.normalize(value)
    except InvalidValue as exc:
        assert "\n" not in str(exc)
        return
    assert key and key == key.strip()
    assert _clean_text(key), f"{vocabulary.name} kept unusable text {value!r} as {key!r}"
    if vocabulary.closed:
        assert key in vocabulary.keys
    assert vocabulary.normalize(key) == key  # a key is its own canonical form


OPTIONS = {
    "session": [
        "--course",
        "--provider",
        "--setting",
        "--device",
        "--device-name",
        "--depth",
        "--passes",
        "--area",
        "--serum",
        "--anesthetic",
        "--pain",
        "--cost",
        "--currency",
        "--notes",
    ],
    "checkin": [
        "--course",
        "--redness",
        "--swelling",
        "--bruising",
        "--bleeding",
        "--pain",
        "--itching",
        "--flaking",
        "--tightness",
        "--sensitivity",
        "--concern",
        "--gais",
        "--verdict",
        "--flag",
        "--notes",
    ],
}
ARGV_TEXT = TEXT.filter(lambda v: "\x00" not in v)  # a real argv cannot hold NUL


def _invoke(argv: list[str]) -> tuple[int, str, str]:
    from journal.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(argv)
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1 if code else 0), out.getvalue(), err.getvalue()


@pytest.fixture
def fuzz_home(home, journal_url):
    with open_journal(home, journal_url) as journal:
        add_patient(journal, "Ana Lima")
    return ["--home", str(home), *(["--db", journal_url] if journal_url else [])]


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["session", "checkin"])
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_cli_add_commands_answer_in_one_line_whatever_the_values(fuzz_home, command, data):
    chosen = data.draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=5, unique=True))
    argv = [*fuzz_home, command, "add"]
    argv += ["--patient", data.draw(st.sampled_from(["Ana Lima", "ana", "nobody"]) | ARGV_TEXT)]
    argv += ["--date", data.draw(st.sampled_from(["2024-05-01"]) | ARGV_TEXT)]
    for option in chosen:
        argv += [option, data.draw(ARGV_TEXT)]
    code, out, err = _invoke(argv)
    assert code in (0, 2), (argv, code, err)
    if code == 0:
        assert out.startswith("Logged ") and not err
    else:
        assert err.startswith("journal: error: ") and err.count("\n") == 1, (argv, err)


# -- the cases a user is most likely to hit, one by one --------------------------


def test_non_utf8_notes_from_a_real_shell_are_refused_by_name(home):
    add = [sys.executable, "-m", "journal", "--home", str(home)]
    subprocess.run([*add, "patient", "add", "Ana"], check=True, capture_output=True)
    done = subprocess.run(
        [*add, "checkin", "add", "-p", "Ana", "-d", "2024-05-01", "--notes", b"caf\xe9 au lait"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    err = done.stderr.decode("utf-8", "replace")
    assert err.startswith("journal: error: invalid notes") and "UTF-8" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [("--device-name", "Derma\udcffpen"), ("--area", "che\udce9ks"), ("--serum", "\udcff")],
)
def test_non_utf8_values_in_vocabulary_options_are_refused(cli, option, value):
    cli("patient", "add", "Ana")
    result = cli("session", "add", "-p", "Ana", "-d", "2024-05-01", option, value)
    assert result.code == 2, result
    assert result.err.startswith("journal: error: invalid ") and result.err.count("\n") == 1


def test_very_long_notes_are_refused_and_the_limit_itself_is_fine(cli):
    cli("patient", "add", "Ana")
    limit = values.MAX_NOTE_CHARS
    too_long = cli("checkin", "add", "-p", "Ana", "-d", "2024-05-01", "--notes", "n" * (limit + 1))
    assert too_long.code == 2
    assert f"longer than {limit} characters" in too_long.err and too_long.err.count("\n") == 1
    assert len(too_long.err) < 200  # the value is shortened in the message
    at_limit = cli("checkin", "add", "-p", "Ana", "-d", "2024-05-01", "--notes", "n" * limit)
    assert at_limit.code == 0
    history = cli("history", "-p", "Ana", "--json").json()
    assert history["checkins"][0]["notes"] == "n" * limit


def test_emoji_and_accented_names_round_trip(cli):
    name = "Zoë 🌸 Tanaka-Ñúñez"
    added = cli("patient", "add", name, "--json")
    assert added.code == 0
    assert cli("session", "add", "-p", name, "-d", "2024-05-01").code == 0
    assert cli("session", "add", "-p", "zoë 🌸", "-d", "2024-06-01").code in (0, 2)
    history = cli("history", "-p", name, "--json").json()
    assert history["patient"]["display_name"] == name
    listed = cli("patient", "list")
    assert name in listed.out


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("0001-01-01", "before 1990-01-01"),
        ("1989-12-31", "before 1990-01-01"),
        ("9999-12-31", "more than a year in the future"),
        ("10000-01-01", "expected a date as YYYY-MM-DD"),
        ("2024-02-30", "expected a date as YYYY-MM-DD"),
        ("yesterday", "expected a date as YYYY-MM-DD"),
    ],
)
def test_dates_far_in_the_past_or_future_get_a_clear_answer(cli, date, message):
    cli("patient", "add", "Ana")
    for command in ("session", "checkin"):
        result = cli(command, "add", "-p", "Ana", "-d", date)
        assert result.code == 2
        assert result.err == f"journal: error: invalid date {date!r}: {message}\n"


def test_the_edges_of_the_date_range_are_accepted(cli):
    cli("patient", "add", "Ana")
    assert cli("checkin", "add", "-p", "Ana", "-d", "1990-01-01", "--notes", "old").code == 0
    today = dt.date.today().isoformat()
    assert cli("session", "add", "-p", "Ana", "-d", today).code == 0
    # only the planner looks ahead: an event may be up to a year away
    soon = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    assert cli("plan", "-p", "Ana", "--event", soon).code == 0
    r = cli("session", "add", "-p", "Ana", "-d", soon)
    assert r.err == f"journal: error: invalid date {soon!r}: is in the future\n"
