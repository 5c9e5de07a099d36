"""A small real exchange archive and the surgery the archive tests perform on it.

The archive comes from the real CLI (`journal export -f json`) over a small
journal: one patient, a course, a session with a provider, a check-in, a
review and one photo, so every section and every kind of member is present.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

# What must never reach a terminal: C0 but newline, DEL, C1, bidi controls and marks.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def invoke(argv: list[str]) -> tuple[int, str, str]:
    """`journal ARGV` in-process, through the same entry function as the console script."""
    from journal.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(argv)
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1 if code else 0), out.getvalue(), err.getvalue()


def build_small_archive(folder: Path) -> bytes:
    """Export a small journal with every kind of record and one photo; return the zip bytes."""
    from PIL import Image

    home = ["--home", str(folder / "source")]
    day = dt.date.today() - dt.timedelta(days=40)
    photo = folder / "cheek.jpg"
    Image.new("RGB", (64, 48), (200, 150, 130)).save(photo, "JPEG")
    steps = [
        ["patient", "add", "Ana Lima", "--concern", "acne scars", "--birth-year", "1990"],
        ["course", "add", "-p", "Ana", "--title", "Cheeks", "--area", "cheeks"],
        [
            "session",
            "add",
            "-p",
            "Ana",
            "-d",
            day.isoformat(),
            "--provider",
            "Dr Ito",
            "--depth",
            "cheeks=1.5",
            "--serum",
            "PRP",
            "--cost",
            "300",
            "--notes",
            "first",
        ],
        [
            "checkin",
            "add",
            "-p",
            "Ana",
            "-d",
            (day + dt.timedelta(days=2)).isoformat(),
            "--redness",
            "4",
            "--concern",
            "acne-scars=6",
            "--flag",
            "blistering",
        ],
        [
            "review",
            "add",
            "-p",
            "Ana",
            "-d",
            (day + dt.timedelta(days=30)).isoformat(),
            "--provider",
            "Dr Ito",
            "--gais",
            "improved",
        ],
        ["photo", "add", "-p", "Ana", "-d", day.isoformat(), "--area", "cheeks", str(photo)],
    ]
    for step in steps:
        code, _, err = invoke([*home, *step])
        assert code == 0, (step, err)
    # A provider saw the blistering: the archive carries the flag's row (version 4).
    code, listed, err = invoke([*home, "flag", "list", "-p", "Ana", "--json"])
    assert code == 0, err
    (flag,) = json.loads(listed)
    seen = [*home, "flag", "seen", flag["id"], "--by", "Dr Ito", "--note", "looked at it"]
    code, _, err = invoke(seen)
    assert code == 0, err
    out = folder / "ana.zip"
    code, _, err = invoke([*home, "export", "-p", "Ana", "-f", "json", "-o", str(out)])
    assert code == 0, err
    return out.read_bytes()


class Parts:
    """An archive taken apart: manifest, records and raw members, to tamper with."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.members: dict[str, bytes] = {n: zf.read(n) for n in zf.namelist()}
        self.manifest: Any = json.loads(self.members.pop("manifest.json"))
        self.records: Any = json.loads(self.members["records.json"])

    def write(self, out: Path, *, rehash: bool = True, recount: bool = True) -> Path:
        """Write it back; `rehash`/`recount` make a consistent forgery of the manifest."""
        self.members["records.json"] = json.dumps(self.records, ensure_ascii=False).encode()
        if rehash:
            self.manifest["members"] = {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in self.members.items()
            }
        if recount and isinstance(self.records, dict):
            counts = {"patients": 1}
            for key in ("providers", "courses", "sessions", "checkins", "photos", "reviews"):
                items = self.records.get(key, [])
                counts[key] = len(items) if isinstance(items, list) else 0
            if "flags" in self.records:  # archive version 4 counts its flag rows
                items = self.records["flags"]
                counts["flags"] = len(items) if isinstance(items, list) else 0
            counts["photo_files"] = sum(1 for n in self.members if n.startswith("photos/"))
            self.manifest["counts"] = counts
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("manifest.json", json.dumps(self.manifest))
            for name, data in self.members.items():
                zf.writestr(name, data)
        out.write_bytes(buffer.getvalue())
        return out
