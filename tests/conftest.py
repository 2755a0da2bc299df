"""Shared fixtures: real texts, recorded sites, a real SQLite file per test."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = FIXTURES / "texts"
REPO = Path(__file__).parent.parent


def real_text(name: str) -> str:
    """A real legislative text from tests/fixtures/texts (see its PROVENANCE.md)."""
    return (TEXTS / name).read_text(encoding="utf-8")


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "trustwatch.db")
