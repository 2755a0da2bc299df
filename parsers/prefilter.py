"""Which of many patterns may match in a piece of text, found in one pass.

The tagger asks of every sentence whether each rule's topic is named near it. Python's
``re`` answers one pattern at a time, trying each branch at each position, and most of
those scans find nothing: they were most of the tagging time. RE2's ``Set`` (google-re2)
runs all the patterns as one automaton, in one linear pass over the text, and says which
of them match somewhere. :class:`PatternSet` asks it first, so the exact scan with ``re``
runs only for the patterns it names.

RE2 is not ``re``: it has no lookarounds, and its ``\\b``, ``\\w``, ``\\s`` and ``\\d`` are
ASCII-only. So each pattern is loosened on its way to RE2 (:func:`loosened`): assertions
are dropped and classes are widened, so the loosened pattern matches wherever the
original does (and sometimes where it does not, which only costs an exact scan). The
answer is a superset, never a miss; ``tests/test_parsers_prefilter.py`` checks the
widened classes against ``re`` on every code point, and the whole on the real rules.

A set's ``Match`` reports no error, and needs none: RE2 never gives up on a set search
for lack of memory (it rebuilds its states instead; a budget too small for any fails in
``Compile``, here at import).
"""

import re
from re import _parser  # the parser ``re`` compiles with (sre_parse before 3.11)

import re2

# Each ``re`` category as RE2 writes it inside a class, at least as wide as ``re``'s
# Unicode meaning: its ASCII part, and every character beyond ASCII (RE2's Unicode
# classes, folded for case, took milliseconds each to compile). The complements: RE2's
# ASCII-only classes are narrower, so theirs are wider.
_BEYOND_ASCII = r"\x{80}-\x{10ffff}"
_WIDENED = {
    "CATEGORY_WORD": rf"0-9A-Za-z_{_BEYOND_ASCII}",
    "CATEGORY_DIGIT": rf"0-9{_BEYOND_ASCII}",
    "CATEGORY_SPACE": rf"\s\x0b\x1c-\x1f{_BEYOND_ASCII}",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_NOT_SPACE": r"\S",
}
# Inside a negated class an item must be no wider than ``re``'s for the class to be at
# least as wide: RE2's own ASCII categories are.
_NARROW = {"CATEGORY_WORD": r"\w", "CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}
# ``re`` folds the Turkish dotted capital I and dotless small i to "i"; RE2 folds by
# Unicode's simple case folding, which keeps them apart. Every "i" takes them too.
_TURKISH_I = r"\x{130}\x{131}"
_ASSERTIONS = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_LONG_REPEAT = 8


def options() -> re2.Options:
    """RE2's options for loosened patterns: ``re.IGNORECASE`` is how rules are read."""
    chosen = re2.Options()
    chosen.case_sensitive = False
    # RE2 builds its automaton's states as text needs them, and starts over when they
    # outgrow this budget: at the default 8 MB the rules' topics did so all the time
    # (270 µs a window instead of 9).
    chosen.max_mem = 64 << 20
    return chosen


class PatternSet:
    """Patterns in ``re`` syntax, all case-insensitive, asked at once."""

    def __init__(self, patterns: list[str]):
        self._set = re2.Set.SearchSet(options())
        for pattern in patterns:
            self._set.Add(loosened(pattern))
        self._set.Compile()

    def possible(self, text: str) -> list[int]:
        """The indices of the patterns that may match somewhere in ``text``: every one
        that does, perhaps with others."""
        return self._set.Match(text) or []


def loosened(pattern: str) -> str:
    """RE2 syntax for ``pattern`` that matches at least wherever it matches."""
    return _items(_parser.parse(pattern, re.IGNORECASE))


def _items(items) -> str:
    return "".join(_item(str(op), value) for op, value in items)


def _item(op: str, value) -> str:
    if op in _ASSERTIONS:
        return ""  # dropping a condition only widens what matches
    if op == "LITERAL":
        return f"[i{_TURKISH_I}]" if chr(value) in "iI" else _char(value)
    if op == "NOT_LITERAL":
        return f"[^{_char(value)}]"
    if op == "ANY":
        return "."  # neither ``re`` (without DOTALL) nor RE2 matches a line break
    if op == "IN":
        return _class(value)
    if op == "BRANCH":
        return "(?:" + "|".join(_items(branch) for branch in value[1]) + ")"
    if op == "SUBPATTERN":
        _, add_flags, del_flags, items = value
        if add_flags or del_flags:
            raise ValueError("inline flags are not supported in a prefiltered pattern")
        return f"(?:{_items(items)})"
    if op in _REPEATS:
        least, most, items = value
        if least > _LONG_REPEAT:
            raise ValueError(f"a repeat of at least {least} is not supported")
        # A long bound ("[^.;]{0,120}") becomes no bound: wider, and it keeps RE2's
        # automaton small (compiling the rules' topics took 0.1 s with their bounds).
        upper = "" if most is _parser.MAXREPEAT or most > _LONG_REPEAT else str(most)
        return f"(?:{_items(items)}){{{least},{upper}}}"
    raise ValueError(f"{op} is not supported in a prefiltered pattern")


def _class(items) -> str:
    negated = bool(items) and str(items[0][0]) == "NEGATE"
    parts = []
    for kind, item in items[1:] if negated else items:
        kind = str(kind)
        if kind == "LITERAL":
            parts.append(_char(item))
            takes_i = chr(item) in "iI"
        elif kind == "RANGE":
            parts.append(f"{_char(item[0])}-{_char(item[1])}")
            takes_i = item[0] <= ord("i") <= item[1] or item[0] <= ord("I") <= item[1]
        elif kind == "CATEGORY" and str(item) in (_NARROW if negated else _WIDENED):
            parts.append((_NARROW if negated else _WIDENED)[str(item)])
        else:
            raise ValueError(f"{kind} {item} is not supported in a prefiltered class")
        if kind != "CATEGORY" and takes_i and not negated:  # wider, as "i" itself
            parts.append(_TURKISH_I)
    return f"[{'^' if negated else ''}{''.join(parts)}]"


def _char(code: int) -> str:
    character = chr(code)
    return character if character.isascii() and character.isalnum() else rf"\x{{{code:x}}}"
