"""Normalised text → numbered sections with character offsets.

Bills nest three kinds of numbered unit, and a reader (and the provision tagger, and the
diff) needs all three: the bill's own sections ("SECTION 1.", "SEC. 2."), the code
sections a bill adds or amends ("7282.5.", "2-173-042", "752.053."), and subdivisions
("(a)", "(1)", "(A)", "(i)"). Real pages often arrive flattened onto one line, so a marker
is recognised by what precedes it (a line start or the end of a sentence), never by its
position on a line alone; cross-references ("subdivision (c) of Section 1192.7") are
preceded by words and so are not markers.
"""

import re
from dataclasses import dataclass

from .scanning import fail_fast

# Where the operative text starts; the digest before it summarises, it does not enact.
_ENACTING = re.compile(
    r"(?:the people of the state of [a-z ]+ do enact as follows"
    # the federal formula ends "in Congress assembled," — not at a colon
    r"|be it enacted by [^:]{0,200}?(?:assembled\s*,|:)"
    r"|be it ordained by [^:]{0,200}?:"
    r"|do ordain as follows)\s*:?",
    re.IGNORECASE,
)
_DIGEST = re.compile(r"legislative\s+counsel\W{0,3}s\s+digest", re.IGNORECASE)

_MARKER = fail_fast(
    r"(?P<bill>\b(?P<bill_word>SECTION|SEC\.|Section)\s+(?P<bill_num>\d+(?:\.\d+)?[a-z]?)\.)"
    r"|(?P<code>(?<![\w.,\-§(])(?P<code_num>\d+(?:[.-]\d+)+|\d{3,5})\.(?=\s+[A-Z(“\"]))"
    # Municipal codes number sections 2-173-030 and put the heading on the same line.
    r"|(?P<muni>(?m:^)(?P<muni_num>\d+(?:-\d+){2,})(?=[ \t]+[A-Z]))"
    r"|(?P<sub>\((?P<sub_label>[a-z]{1,2}|[ivx]{2,5}|\d{1,3}|[A-Z]|[IVX]{2,5})\)(?=\s|[A-Z]))"
)
# What may stand before a code-section or subdivision marker: nothing (line start), or
# the end of a sentence, a colon, a semicolon (with "or"/"and"), a closing quote — or
# line-number debris of printed bills ("3(a) The ...").
_SENTENCE_END = re.compile(r"(?:[.:;”\"—]|;\s+(?:or|and))\Z")
# A marker at a line start (after optional line-number debris, "3(a) The ...").
_LINE_START = re.compile(r"(?:\A|\n)[ \t]*\d{0,2}[ \t]*\Z")
# A marker opening a paragraph (after a blank line) is a marker whatever ends the last.
_PARAGRAPH_START = re.compile(r"\n[ \t]*\n[ \t]*\d{0,2}[ \t]*\Z")
_DEBRIS_LINES = re.compile(r"(?:\s*\n[ \t]*\d{1,2}[ \t]*)*\s*\Z")
# A line break counts as a marker's start only after punctuation: "subdivision\n(d) of"
# in a hard-wrapped page is a cross-reference that happens to start a line.
_LINE_END_PUNCTUATION = re.compile(r"(?:[.:;,)”\"—]|;\s+(?:or|and))\Z")
# Words that make a following number a cross-reference, not a heading.
_REFERENCE_WORDS = frozenset(
    "section sections and or to of with through in chapter article part title division "
    "paragraph subdivision subparagraph clause former no. number, than s. ss. § §§ u.s.c. "
    "usc".split()
)
_MONTHS = re.compile(
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\s+\d{1,2},?\s*$",
    re.IGNORECASE,
)

# Rank of each kind of marker: a marker closes every open unit of equal or lower rank.
_BILL, _CODE, _LETTER, _DIGIT, _UPPER, _ROMAN, _UPPER_ROMAN = range(7)


@dataclass(frozen=True)
class Section:
    """One numbered unit of a text: ``text[start:end]`` is the whole unit."""

    number: str
    heading: str
    start: int
    end: int
    level: int
    parent: str | None

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "heading": self.heading,
            "start": self.start,
            "end": self.end,
            "level": self.level,
            "parent": self.parent,
        }


def section_spans(text: str) -> list[Section]:
    """Split a normalised text into its numbered sections, in document order.

    Units nest: ``7282.5(a)(1)`` is inside ``7282.5(a)``, inside ``7282.5``, inside
    ``SEC. 2``. A Legislative Counsel's digest, when present, is one unit numbered
    ``DIGEST``; numbering is looked for only in the enacted text after it.
    """
    sections: list[Section] = []
    body_start = 0
    enacting = _ENACTING.search(text)
    if enacting:
        body_start = enacting.end()
        digest = _DIGEST.search(text, 0, enacting.start())
        if digest:
            sections.append(
                Section(
                    "DIGEST",
                    "Legislative Counsel's Digest",
                    digest.start(),
                    _rstrip_end(text, digest.start(), enacting.start()),
                    0,
                    None,
                )
            )
    open_units: list[_Open] = []
    found: list[_Open] = []
    for match in _MARKER.finditer(text, body_start):
        unit = _classify(text, match, open_units)
        if unit is None:
            continue
        while open_units and open_units[-1].rank >= unit.rank:
            open_units.pop().end = match.start()
        unit.parent = open_units[-1] if open_units else None
        unit.number = _number(unit)
        open_units.append(unit)
        found.append(unit)
    for unit in found:
        end = unit.end if unit.end is not None else len(text)
        sections.append(
            Section(
                unit.number,
                unit.heading,
                unit.start,
                _rstrip_end(text, unit.start, end),
                unit.depth,
                unit.parent.number if unit.parent else None,
            )
        )
    return sections


class _Open:
    """A unit whose end is not yet known while scanning."""

    __slots__ = ("rank", "label", "start", "end", "heading", "parent", "number")

    def __init__(self, rank: int, label: str, start: int, heading: str = ""):
        self.rank, self.label, self.start, self.heading = rank, label, start, heading
        self.end: int | None = None
        self.parent: _Open | None = None
        self.number = label

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


def _classify(text: str, match: re.Match, open_units: list[_Open]) -> _Open | None:
    before = text[max(0, match.start() - 80) : match.start()]
    if match.group("bill"):
        word = match.group("bill_word")
        # "Section 5." opens a section of an Illinois act only at a line start; mid-text
        # it is a reference ("as provided in Section 7283. Hold requests...").
        if word == "Section" and not _LINE_START.search(before):
            return None
        return _Open(
            _BILL,
            f"{word} {match.group('bill_num')}",
            match.start(),
            _heading_after(text, match.end()),
        )
    if match.group("muni"):
        line_end = text.find("\n", match.end())
        heading = text[match.end() : line_end if line_end != -1 else len(text)]
        return _Open(_CODE, match.group("muni_num"), match.start(), heading.strip())
    if match.group("code"):
        previous_word = before.split()[-1].lower() if before.split() else ""
        if previous_word in _REFERENCE_WORDS or _MONTHS.search(before):
            return None
        if not (_after_sentence_end(before) or _after_heading_word(before)):
            return None
        return _Open(
            _CODE,
            match.group("code_num"),
            match.start(),
            _capitalised_heading(text, match.end()),
        )
    label = match.group("sub_label")
    rank = _subdivision_rank(label, open_units)
    if not _after_sentence_end(before):
        # A list whose lines end without punctuation ("detain a person\n(A) solely on"):
        # at a line start, a label that continues its list is still a marker, while a
        # wrapped reference ("subdivision\n(d) of Section 667") breaks the sequence.
        if not (_LINE_START.search(before) and _continues_list(label, rank, open_units)):
            return None
    return _Open(rank, f"({label})", match.start())


def _after_sentence_end(before: str) -> bool:
    line_start = _LINE_START.search(before)
    if line_start:
        if _PARAGRAPH_START.search(before):
            return True
        prior = _DEBRIS_LINES.sub("", before[: line_start.start()])
        return not prior or bool(_LINE_END_PUNCTUATION.search(prior))
    return bool(_SENTENCE_END.search(before.rstrip()))


def _after_heading_word(before: str) -> bool:
    """A flattened page loses the break between a chapter heading and the first code
    section ("... Immigration Authorities 7284. This chapter"): a capitalised word
    before a code number is accepted, cross-reference words excepted."""
    return bool(re.search(r"[A-Z][a-z]+\s+$", before))


def _subdivision_rank(label: str, open_units: list[_Open]) -> int:
    if label.isdigit():
        return _DIGIT
    if label.islower():
        if len(label) == 1 and label not in "ivx":
            return _LETTER
        # "(i)", "(v)", "(x)" are letters right after "(h)", "(u)", "(w)"; else roman.
        previous = _last_label(open_units, _LETTER)
        if len(label) == 1 and previous and ord(previous) == ord(label) - 1:
            return _LETTER
        if set(label) <= set("ivx") and (
            len(label) > 1 or _last_label(open_units, _UPPER) or _deeper_than_letter(open_units)
        ):
            return _ROMAN
        return _LETTER
    if len(label) == 1 and label not in "IVX":
        return _UPPER
    previous = _last_label(open_units, _UPPER)
    if len(label) == 1 and previous and ord(previous) == ord(label) - 1:
        return _UPPER
    return _UPPER_ROMAN


def _continues_list(label: str, rank: int, open_units: list[_Open]) -> bool:
    previous = _last_label(open_units, rank)
    if previous is None:
        return label in ("a", "1", "A", "i", "I")
    if rank in (_ROMAN, _UPPER_ROMAN):
        return _roman(label.lower()) == _roman(previous.lower()) + 1
    if label.isdigit():
        return previous.isdigit() and int(label) == int(previous) + 1
    return len(label) == len(previous) == 1 and ord(label) == ord(previous) + 1


def _roman(text: str) -> int:
    values = {"i": 1, "v": 5, "x": 10}
    total = 0
    for index, char in enumerate(text):
        value = values.get(char, 0)
        following = values.get(text[index + 1], 0) if index + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def _last_label(open_units: list[_Open], rank: int) -> str | None:
    for unit in reversed(open_units):
        if unit.rank == rank:
            return unit.label.strip("()")
    return None


def _deeper_than_letter(open_units: list[_Open]) -> bool:
    return bool(open_units) and open_units[-1].rank >= _DIGIT


def _number(unit: _Open) -> str:
    if unit.rank <= _CODE or unit.parent is None:
        return unit.label
    return unit.parent.number + unit.label


def _heading_after(text: str, position: int) -> str:
    """The first clause after a bill-section marker: "Section 7282 ... to read:"."""
    window = text[position : position + 300]
    match = re.match(r"\s*(.+?[:.])(?=\s|$)", window, re.DOTALL)
    heading = match.group(1) if match else window
    return " ".join(heading.split())


def _capitalised_heading(text: str, position: int) -> str:
    """Texas and Florida code sections carry a heading in capitals: "LIABILITY OF ..."."""
    match = re.match(
        r"\s*([A-Z][A-Z0-9\s,;'’\-–—&]{3,200}[.:])(?=\s|$)",
        text[position : position + 300],
    )
    return " ".join(match.group(1).split()) if match else ""


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
