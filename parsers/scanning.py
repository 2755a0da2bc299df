"""Regular expressions that fail fast where they cannot start.

Python's ``re`` tries every alternative of a pattern at every position of the text,
unless the pattern starts with a literal. The tagger's and the section finder's patterns
start with ``\\b``, a lookbehind or a group of alternatives, so at each position of a
megabyte each branch was tried, which was most of the tagging time. :func:`fail_fast`
puts a lookahead in front of a pattern, for the characters a match can start with,
read from the pattern itself: ``re`` then checks one character class and moves on.
Matches are unchanged: the lookahead consumes nothing, admits every first character a
match can have, and is compiled with the pattern's own flags (so ``IGNORECASE`` folds it
the same way). ``tests/test_parsers_scanning.py`` checks this on the real patterns.
"""

import re
from re import _parser  # the parser ``re`` compiles with (sre_parse before 3.11)

# What a character-class item becomes inside the lookahead's class.
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
# Flags that change which characters match (MULTILINE and DOTALL do not touch a first
# character: "(?m:^)" is zero-width).
_CHARACTER_FLAGS = re.IGNORECASE | re.ASCII | re.LOCALE | re.UNICODE
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def fail_fast(source: str, flags: int = 0) -> re.Pattern:
    """``re.compile(source, flags)``, behind a lookahead for the pattern's possible first
    characters unless those are not a known set or it can match the empty string."""
    starts, nullable = _first(_parser.parse(source, flags))
    if starts is None or nullable:
        return re.compile(source, flags)
    return re.compile(f"(?=[{''.join(sorted(starts))}])(?:{source})", flags)


def _first(items) -> tuple[set[str] | None, bool]:
    """The class items a sequence of parsed items can start with (None: unknown), and
    whether it can match the empty string."""
    starts: set[str] = set()
    for op, value in items:
        if str(op) in _ZERO_WIDTH:
            continue
        found, nullable = _first_of(str(op), value)
        if found is None:
            return None, False
        starts |= found
        if not nullable:
            return starts, False
    return starts, True


def _first_of(op: str, value) -> tuple[set[str] | None, bool]:
    if op == "LITERAL":
        return {re.escape(chr(value))}, False
    if op == "IN":
        starts = set()
        for kind, item in value:
            kind = str(kind)
            if kind == "LITERAL":
                starts.add(re.escape(chr(item)))
            elif kind == "RANGE":
                starts.add(f"{re.escape(chr(item[0]))}-{re.escape(chr(item[1]))}")
            elif kind == "CATEGORY" and str(item) in _CATEGORIES:
                starts.add(_CATEGORIES[str(item)])
            else:  # a negated set, or something rarer: give up
                return None, False
        return starts, False
    if op == "BRANCH":
        starts, nullable = set(), False
        for branch in value[1]:
            found, empty = _first(branch)
            if found is None:
                return None, False
            starts |= found
            nullable = nullable or empty
        return starts, nullable
    if op == "SUBPATTERN":
        _, add_flags, del_flags, items = value
        if (add_flags | del_flags) & _CHARACTER_FLAGS:  # "(?i:...)": outer flags do not fit
            return None, False
        return _first(items)
    if op in _REPEATS:
        least, _, items = value
        found, nullable = _first(items)
        return found, nullable or least == 0
    return None, False
