"""The prefilter may name a topic that is not there, but must never miss one that is."""

import re
import sys
from pathlib import Path

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from trustwatch.parsers import provisions
from trustwatch.parsers.formats import document_text
from trustwatch.parsers.prefilter import PatternSet, loosened, options
from trustwatch.parsers.provision_rules import RULES

TEXTS = sorted((Path(__file__).parent / "fixtures" / "provisions" / "texts").iterdir())
TOPICS = sorted({provisions._spaced(rule.topic) for rule in RULES})
# Every code point UTF-8 can carry (surrogates cannot be encoded).
EVERY_CHARACTER = "".join(
    chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF
)


# Runs of characters ("(?:...)+"): one match per run, not per character, keeps the
# scan of every code point quick.
def found_by_re(pattern: str) -> set[str]:
    return set("".join(re.findall(f"(?:{pattern})+", EVERY_CHARACTER, re.IGNORECASE)))


def found_by_re2(pattern: str) -> set[str]:
    runs = re2.compile(loosened(f"(?:{pattern})+"), options()).findall(EVERY_CHARACTER)
    return set("".join(runs))


@pytest.mark.parametrize(
    "pattern",
    [r"\w", r"\W", r"\s", r"\S", r"\d", r"\D", r"[^\w]", r"[^\s]", r"[^\d]", r"[^.;]", r"[a-z]"],
)
def test_a_loosened_class_takes_every_character_re_takes(pattern):
    missed = found_by_re(pattern) - found_by_re2(pattern)
    assert not missed, sorted(missed)[:20]


@pytest.mark.parametrize("letter", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
def test_a_loosened_letter_takes_every_case_re_folds_to_it(letter):
    # re folds "İ" to "i", and the Kelvin sign to "k": RE2 must too, or say why not.
    assert found_by_re(letter) <= found_by_re2(letter)


def test_assertions_are_dropped_and_long_repeats_unbounded():
    assert loosened(r"\bhold(?! requests?)\b[^.;]{0,120}x") == "hold(?:[^\\x{2e}\\x{3b}]){0,}x"
    assert loosened(r"a{2,5}") == "(?:a){2,5}"


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?i:a)", r"a{20}"])
def test_what_cannot_be_loosened_is_refused_by_name(pattern):
    with pytest.raises(ValueError, match="not supported"):
        loosened(pattern)


# Words of the rules' topics, and the characters that trip a loosening up.
WORDS = sorted(set(re.findall(r"[A-Za-z]{2,}", " ".join(rule.topic for rule in RULES))))
TOPIC_SET = PatternSet(TOPICS)
COMPILED_TOPICS = [re.compile(topic, re.IGNORECASE) for topic in TOPICS]
PIECES = st.sampled_from(
    WORDS + [" ", "\n", "\xa0", "\u2003", ",", ".", ";", "(g)", "287", "İ", "ſ", "K", "é", "_"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map(" ".join), st.lists(PIECES, max_size=8).map("".join))
def test_the_set_names_every_topic_re_finds(spaced, joined):
    for text in (spaced, joined, spaced + joined):
        possible = set(TOPIC_SET.possible(text))
        for index, topic in enumerate(COMPILED_TOPICS):
            if topic.search(text):
                assert index in possible, (topic.pattern[:60], text)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_the_prefilter_changes_no_provision_of_a_real_text(path, monkeypatch):
    text = document_text(path.read_bytes(), filename=path.name)
    filtered = provisions.tag_provisions(text)
    every_topic = list(range(len(provisions._TOPICS)))
    monkeypatch.setattr(provisions._TOPIC_SET, "possible", lambda window: every_topic)
    assert provisions.tag_provisions(text) == filtered
