"""The wheel must carry every subpackage, the migrations and the data files."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed():
    """setuptools takes an explicit list (the migrations are mapped in), so keep it whole."""
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "journal").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    found |= {
        "journal.migrations"
        + "".join("." + part for part in p.parent.relative_to(ROOT / "migrations").parts)
        for p in (ROOT / "migrations").rglob("__init__.py")
    }
    assert found <= set(_config()["packages"]), sorted(found - set(_config()["packages"]))


def test_stylesheets_and_templates_ship_as_package_data():
    data = _config()["package-data"]
    for path in (ROOT / "journal").rglob("*"):
        if (
            path.suffix in {".tcss", ".css", ".html", ".ttf", ".json"}
            and "__pycache__" not in path.parts
        ):
            package = ".".join(path.parent.relative_to(ROOT).parts)
            patterns = data.get(package, [])
            assert any(path.match(p) for p in patterns), f"{path} is not in package-data[{package}]"
