"""fail_fast must never change what a pattern matches, only how fast it gives up."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustwatch.parsers import provisions, sections
from trustwatch.parsers.scanning import fail_fast

TEXTS = sorted((Path(__file__).parent / "fixtures" / "provisions" / "texts").iterdir())
# The patterns as written, before fail_fast: the rules' own and the section finder's.
RULE_PATTERNS = [
    pattern
    for rule in provisions.RULES
    for pattern in (rule.topic, rule.requires, rule.unless)
    if pattern
]


def words(pattern: str) -> re.Pattern:
    return re.compile(pattern.replace(" ?", r"\s*").replace(" ", r"\s+"), re.IGNORECASE)


def faster(pattern: re.Pattern) -> re.Pattern:
    return fail_fast(pattern.pattern, pattern.flags)


def spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@pytest.fixture(scope="module")
def corpus() -> str:
    return "\n\n".join(path.read_text(encoding="utf-8") for path in TEXTS)


def test_every_rule_matches_the_same_spans_on_the_real_texts(corpus):
    sped_up = 0
    for pattern in map(words, RULE_PATTERNS):
        fast = faster(pattern)
        sped_up += fast.pattern != pattern.pattern
        assert spans(fast, corpus) == spans(pattern, corpus), pattern.pattern
    assert sped_up > len(RULE_PATTERNS) // 2  # most rules do get the lookahead


def test_the_section_marker_finds_the_same_markers(corpus):
    marker = sections._MARKER
    assert marker.pattern.startswith("(?=[")
    original = re.compile(marker.pattern[marker.pattern.index("])(?:") + 5 : -1], marker.flags)
    assert spans(marker, corpus) == spans(original, corpus)


def test_case_folding_covers_what_ignorecase_matches():
    # "ſ" (long s) and "K" (Kelvin sign) match "s" and "k" under IGNORECASE.
    pattern = re.compile(r"\b(?:shall|keep)", re.IGNORECASE)
    fast = faster(pattern)
    assert fast is not pattern
    for text in ("ſhall", "Kelvin Keep", "SHALL keep"):
        assert spans(fast, text) == spans(pattern, text)


@pytest.mark.parametrize(
    "source",
    [
        r"x?",  # can match the empty string: every position is a start
        r"[^.;]{0,3}y",  # a negated class: any character may start it
        r"(?i:a)b",  # its own case rule inside: the outer one would not fit
        r".b",
    ],
)
def test_patterns_it_cannot_bound_are_left_alone(source):
    pattern = re.compile(source)
    assert faster(pattern).pattern == source


@given(st.text(alphabet="ab(1 .;\nSsſKk-", max_size=60))
def test_same_matches_on_any_text(text):
    for source in (r"\b(?:a|ss?)\w*", r"(?:\(\d|S\s|-a)+", r"(?<![a.])(?:k|\d{2})", r"(?m:^)a"):
        for flags in (0, re.IGNORECASE):
            pattern = re.compile(source, flags)
            assert spans(faster(pattern), text) == spans(pattern, text)


# Patterns rewritten by hand to start with a case-sensitive character class, next to
# what they were written from.
REWRITTEN = [
    (provisions._INITIALISM, re.compile(r"\b(?:[A-Z]\.){2,}")),
    (
        provisions._STRUCK,
        re.compile(r"~~.*?~~|begin delete.*?end delete", re.IGNORECASE | re.DOTALL),
    ),
]


@given(
    st.lists(
        st.sampled_from(
            [
                "~",
                "~~",
                "begin delete",
                "BEGİN DELETE",
                "Begin\ndelete",
                "end delete",
                "END",
                "DELETE",
                "U.S.C.",
                "A.",
                "xA.B.",
                "é",
                "_",
                "b",
                "B",
                " ",
                "\n",
                ".",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_rewritten_patterns_match_as_written(text):
    for rewritten, written in REWRITTEN:
        assert spans(rewritten, text) == spans(written, text)
