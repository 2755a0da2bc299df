import pytest
from conftest import TEXTS

from trustwatch.parsers.text import normalize_text

REAL_TEXTS = sorted(TEXTS.glob("*.txt"))


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_normalising_real_texts_is_idempotent(path):
    once = normalize_text(path.read_text(encoding="utf-8"))
    assert once
    assert normalize_text(once) == once
    assert "\t" not in once and "  " not in once and "\n\n\n" not in once


def test_spaces_line_breaks_and_invisible_characters():
    raw = "\ufeffSEC. 1.\u00a0\u00a0Section\t7282\r\n\r\n\r\n\r\n(a)\u200b The\u2009term  "
    assert normalize_text(raw) == "SEC. 1. Section 7282\n\n(a) The term"


def test_unicode_is_composed():
    # "León" with a combining accent and with a precomposed "ó" are one text.
    assert normalize_text("De Leo\u0301n") == normalize_text("De Le\u00f3n") == "De León"
