import re
import sys
import unicodedata

import pytest
from conftest import TEXTS
from hypothesis import given
from hypothesis import strategies as st

from trustwatch.parsers.text import _DROPPED, _SPACES, normalize_text

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


def test_every_character_normalising_replaces_fails_the_printable_test_that_guards_it():
    everything = "".join(
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) != "Cs"
    )
    replaced = _SPACES.findall(everything) + _DROPPED.findall(everything)
    assert replaced and not any(c.isprintable() for run in replaced for c in run)


def one_regex_a_step(text: str) -> str:
    """normalize_text as it was written first: each step a regular expression."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)
    text = re.sub(r"[\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+", " ", text)
    text = re.sub(r" {2,}", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


TRICKY = "ab é\u0301 \n\r\t\x0b\x0c\x00\x1f\x7f\x85\u00a0\u00ad\u1680\u2003\u200b\u2028\u3000\ufeff"


@given(st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=200))
def test_normalising_gives_what_a_regular_expression_a_step_gives(text):
    assert normalize_text(text) == one_regex_a_step(text)
