"""Arbitrary text in every free-text field of the CLI: one line or success, never an escape.

Issue 9 item 4: a name like `Eve\\e]0;PWNED\\a\\e[2J` was accepted and printed
raw by `patient list` and `history`. Hypothesis now puts arbitrary text
(control characters, C1, bidi overrides, lone surrogates as a non-UTF-8 argv
decodes to, very long strings) into each free-text option and checks that the
command exits 0 or 2 with one line, and that what the text views print holds
no control character but newline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.reliability._archive import UNSAFE, invoke

HOSTILE = st.sampled_from(
    [
        "Eve\x1b]0;PWNED\x07\x1b[2J",
        "\x1b[31mred",
        "a\x9bb",
        "a\x7f",
        "\u202eevil",
        "x\u2066y\u2069",
        "Dr\u200f",
        "line\nbreak",
        "tab\there",
        "\udcff\udcfe",
        "\u2028",
        "🌸 Zoë",
        "x" * 10_001,
        " ",
        "",
    ]
)
TEXT = st.one_of(
    HOSTILE,
    st.text(max_size=30).filter(lambda v: "\x00" not in v),  # a real argv cannot hold NUL
    st.text(
        alphabet=st.characters(min_codepoint=0x01, max_codepoint=0x2070, exclude_categories=["Cs"]),
        max_size=16,
    ),
)
# (command, option) for every free-text field; None means the positional name.
FIELDS = [
    ("patient", None),
    ("patient", "--concern"),
    ("course", "--title"),
    ("course", "--area"),
    ("session", "--notes"),
    ("session", "--device-name"),
    ("session", "--anesthetic"),
    ("session", "--provider"),
    ("session", "--area"),
    ("session", "--serum"),
    ("checkin", "--notes"),
    ("checkin", "--flag"),
    ("checkin", "--concern"),
    ("review", "--provider"),
    ("review", "--notes"),
]
VIEWS = (["patient", "list"], ["history", "-p", "Ana Lima"], ["score", "-p", "Ana Lima"])


@pytest.fixture
def home_args(tmp_path):
    args = ["--home", str(tmp_path / "home")]
    day = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    for step in (
        ["patient", "add", "Ana Lima"],
        ["session", "add", "-p", "Ana Lima", "-d", day, "--depth", "1.5"],
    ):
        assert invoke([*args, *step])[0] == 0
    return args


def _argv(command: str, option: str | None, text: str) -> list[str]:
    day = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    if command == "patient":
        return (
            ["patient", "add", text] if option is None else ["patient", "add", "Bo", option, text]
        )
    base = [command, "add", "-p", "Ana Lima"]
    if command != "course":
        base += ["-d", day]
    if command == "checkin" and option == "--concern":
        text = f"{text}=5"
    return [*base, option or "", text]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(FIELDS), text=TEXT)
@example(field=("patient", None), text="Eve\x1b]0;PWNED\x07\x1b[2J")
@example(field=("session", "--notes"), text="fine\u202e")
def test_fuzz_free_text_fields_answer_in_one_line_and_views_stay_clean(home_args, field, text):
    command, option = field
    code, out, err = invoke([*home_args, *_argv(command, option, text)])
    assert code in (0, 2), (field, text, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("journal: error: ") and err.count("\n") == 1, err
    assert not UNSAFE.search(out) and not UNSAFE.search(err), (field, text, out, err)
    for view in VIEWS:
        code, out, err = invoke([*home_args, *view])
        assert code in (0, 2), (view, err)
        assert not UNSAFE.search(out) and not UNSAFE.search(err), (view, out, err)
