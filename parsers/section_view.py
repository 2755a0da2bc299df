"""The section view of a redline: which sections of two versions are the same section,
and what happened to each (unchanged, changed, added, removed, moved).

The section view pairs sections level by level. Most have a section of the same number,
heading and parent on the other side with the same span text, and pair at once without
hashing; only the others are hashed, their words sampled and scored, and only the own
texts of changed sections are diffed.

Measured with bench/redline.py (the inputs are described in :mod:`.word_diff`):
``redline``, the word diff with the section view of ~4,000 sections a side per MB: 115 ms
at 1 MB (7x git), 624 ms at 5 MB (5.4x the 1 MB time), 11 MB / 53 MB peak. Of its ~80
ms of section view at 1 MB, ~25 ms is bookkeeping for every section (a bill against
itself), the rest pairing and diffing the ~800 that changed (bench/README.md).
"""

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable

from .word_diff import WORD, collector_paused, increasing, word_diff

# What follows a section's label before its text: "7284.2. " (like str.isspace, \s).
_LABEL_END = re.compile(r"[.\s]*")
# Section pairing: the word-set similarity two sections of one label need (else the
# label is taken to be reused), the one two sections of different labels need, and the
# length (characters) under which an equal lead-in says nothing ("(a)", "Reserved.").
_SAME_NAME = 0.2
_SIMILAR = 0.5
_TINY = 40
# Characters of a section's text whose words stand for it in similarity scores.
_SAMPLE = 1000
# Candidate search: rarest words looked at, sections kept per word or name (the nearest),
# candidates scored.
_RARE_WORDS = 8
_CANDIDATES = 8
_SCORED = 5


@collector_paused()
def section_diff(
    old_text: str,
    old_sections: list[dict],
    new_text: str,
    new_sections: list[dict],
    *,
    section_ops: bool = True,
) -> list[dict]:
    """One entry per section of either version, in the new version's order (a removed
    section after the last unmoved one before it in the old version). Without
    ``section_ops``, entries leave out their ``ops``: a terminal or page that shows the
    whole text's redline, and a stored summary, need only each section's status, and
    diffing every changed section was a third of the section view's time.

    Sections pair level by level, parents first. One with the same number, heading,
    parent and text as a single section of the other version pairs at once; the others
    are scored: 1 for the same text (labels aside), else the share of words in common (at
    least half for the same lead-in, the text before the first child); +0.3 for the same
    label or number and heading; +0.2 under the paired parent; best first, ties to the
    nearest place. So relettered subdivisions pair with their old selves, and so does
    "885.4.7284.4(a)" — a page running struck and inserted numbers together — with
    "7284.4(a)". Under one label a fifth of the words in common is enough; otherwise
    half, and sections left over are compared by their rarest words. A section rewritten
    whole under its label pairs last, if nothing better claimed either side.

    A paired section is "moved" when it left its parent or its place among its siblings
    (the longest run of siblings still in order stays put); its children moved with it
    and are judged inside it.

    Only innermost text carries ops: a section's ``ops`` diff its *own* text, from its
    start to its first child, so each word of a bill appears once in the section view
    however deep the nesting. A parent whose own text is the same is still "changed" when
    anything inside it changed, was added, removed or moved; its ops are then one equal.
    A text that differs only in whitespace (a line wrapped elsewhere) is unchanged.
    """
    old = _units(old_text, old_sections)
    new = _units(new_text, new_sections)
    pairs = _pair_sections(old, new)
    moved = _moved(old, new, pairs)
    new_to_old = {n: o for o, n in pairs.items()}
    status = []
    for n, unit in enumerate(new):
        o = new_to_old.get(n)
        if o is None:
            status.append("added")
        elif n in moved:
            status.append("moved")
        else:
            own_old, own_new = old[o].own(), unit.own()
            changed = own_old != own_new and own_old.split() != own_new.split()
            status.append("changed" if changed else "unchanged")
    dirty: set[int] = set()
    for n, unit in enumerate(new):
        if status[n] != "unchanged":
            _mark(new, unit.parent, dirty)
    for o, unit in enumerate(old):
        if o not in pairs or pairs[o] in moved:
            parents: set[int] = set()
            _mark(old, unit.parent, parents)
            dirty.update(pairs[p] for p in parents if p in pairs)
    removed: dict[int, list[dict]] = defaultdict(list)  # by the new section they follow
    after = -1
    for o, unit in enumerate(old):
        if o in pairs and pairs[o] not in moved:
            after = pairs[o]
        elif o not in pairs:
            removed[after].append(_entry(unit, None, "removed", section_ops))
    entries = removed.pop(-1, [])
    for n, unit in enumerate(new):
        o = new_to_old.get(n)
        state = "changed" if status[n] == "unchanged" and n in dirty else status[n]
        entries.append(_entry(old[o] if o is not None else None, unit, state, section_ops))
        entries += removed.get(n, ())
    return entries


class _Unit:
    """A section as pairing sees it: its parent (by position), its span and where its own
    text ends (at its first child). Hashes of its text and lead-in without its label, and
    its words, are computed when asked: most sections pair at once with a section of the
    same span text and never need them."""

    __slots__ = ("text", "start", "end", "own_end", "number", "heading", "level", "parent")
    __slots__ += ("place", "keys", "words")

    def __init__(self, text: str, section: dict, own_end: int, parent: int | None, place: float):
        self.text, self.own_end, self.parent = text, own_end, parent
        self.start, self.end, self.number = section["start"], section["end"], section["number"]
        self.heading = section.get("heading") or ""
        self.level, self.place = section.get("level", 0), place
        self.keys = self.words = None

    def label(self) -> str:
        number = self.number
        return number[number.rfind("(") :] if number.endswith(")") else number

    def own(self) -> str:
        return self.text[self.start : self.own_end].rstrip()

    def text_key(self) -> tuple:
        return self._keys()[0]

    def lead_key(self) -> tuple:
        return self._keys()[1]

    def sample(self) -> str:
        """Its text's start, whose words stand for it: enough to tell sections apart, and
        bounded, so that comparing parents does not cost their whole text at every level."""
        start = self._keys()[2]
        return self.text[start : min(self.end, start + _SAMPLE)]

    def word_set(self) -> frozenset:
        if self.words is None:
            self.words = frozenset(WORD.findall(self.sample().lower()))
        return self.words

    def _keys(self) -> tuple:
        """Hashes of its text and of its lead-in from after its label, and where they
        start. Hashes, not texts: the texts of nested sections would hold each word many
        times. A collision could only mis-pair two sections; their status compares text."""
        if self.keys is None:
            text, start, end, own_end = self.text, self.start, self.end, self.own_end
            label = self.label()
            if text.startswith(label, start):  # own_end <= end
                start += len(label)
                if start < own_end:
                    start = _LABEL_END.match(text, start, own_end).end()
            lead = text[start:own_end].rstrip()
            text_key = (self.level, end - start, hash(text[start:end]))
            self.keys = (text_key, (self.level, len(lead), hash(lead)), start)
        return self.keys


def _same_span(a: _Unit, b: _Unit) -> bool:
    """Whether two sections of one number and level have the same text key, known without
    hashing: the same length and first child's place, and the same text over all that the
    key reads (their span, and their label should it run past it)."""
    reach = max(a.end - a.start, len(a.number))
    return (
        a.end - a.start == b.end - b.start
        and a.own_end - a.start == b.own_end - b.start
        and a.text[a.start : a.start + reach] == b.text[b.start : b.start + reach]
    )


def _units(text: str, sections: list[dict]) -> list[_Unit]:
    ordered = sorted(sections, key=lambda s: (s["start"], -s["end"]))
    size = max(1, len(text))
    units: list[_Unit] = []
    open_units: list[tuple[int, int]] = []  # (end, index) of the sections around the next
    for k, section in enumerate(ordered):
        start, end = section["start"], section["end"]
        while open_units and not start < open_units[-1][0] >= end:
            open_units.pop()
        following = ordered[k + 1]["start"] if k + 1 < len(ordered) else end
        own_end = following if start <= following < end else end
        parent = open_units[-1][1] if open_units else None
        units.append(_Unit(text, section, own_end, parent, start / size))
        open_units.append((end, k))
    return units


def _pair_sections(old: list[_Unit], new: list[_Unit]) -> dict[int, int]:
    """Pair sections level by level, parents first, best-scored candidates first."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    old_levels = _groups(old, range(len(old)), lambda u: u.level)
    new_levels = _groups(new, range(len(new)), lambda u: u.level)
    for level in sorted(old_levels.keys() & new_levels.keys()):
        olds, news = old_levels[level], new_levels[level]
        # Most sections are the same text under the same number and parent as a single
        # section of the other version: no contest. Mostly one section has the number on
        # each side, and the same span text answers without hashing either.
        named_new = _groups(new, news, lambda u: (u.number, u.heading, u.parent))
        named_old = _groups(
            old, olds, lambda u: (u.number, u.heading, _parent_pair(u.parent, pairs))
        )
        for name, found in named_old.items():
            rivals = named_new.get(name)
            if rivals is None:
                continue
            if len(found) == len(rivals) == 1:
                a, b = old[found[0]], new[rivals[0]]
                if _same_span(a, b) or a.text_key() == b.text_key():
                    pairs[found[0]] = rivals[0]
                    taken.add(rivals[0])
                continue
            once_new = _once(new, rivals, _Unit.text_key)
            once_old = _once(old, found, _Unit.text_key)
            _assign([(o, once_new[k]) for k, o in once_old.items() if k in once_new], pairs, taken)
        olds = [o for o in olds if o not in pairs]
        news = [n for n in news if n not in taken]
        candidates = _candidates(old, new, olds, news, pairs)
        per_old, per_new = Counter(o for o, _ in candidates), Counter(n for _, n in candidates)
        alone, scored, deferred = [], [], []
        for o, n in candidates:
            if per_old[o] == per_new[n] == 1 and _same_lead(old[o], new[n]):
                # No rival on either side, and similar enough whatever its words: it
                # pairs whatever its score, which is then not worth computing.
                alone.append((o, n))
                continue
            named = old[o].label() == new[n].label() or old[o].number == new[n].number
            named = named and old[o].heading == new[n].heading
            same = _same_text(old[o], new[n])
            if same < (_SAME_NAME if named else _SIMILAR):
                if named:
                    deferred.append((o, n))
                continue
            parented = _parent_pair(old[o].parent, pairs) == new[n].parent
            score = same + 0.3 * named + 0.2 * parented
            # Of equal candidates (a text repeated), the one at the nearest place.
            scored.append((-score, abs(old[o].place - new[n].place), o, n))
        _assign(alone, pairs, taken)
        _assign(sorted(scored), pairs, taken)
        free_old = [o for o in olds if o not in pairs]
        free_new = [n for n in news if n not in taken]
        _assign(_similar(old, new, free_old, free_new), pairs, taken)
        _assign(deferred, pairs, taken)
    return pairs


def _candidates(old: list[_Unit], new: list[_Unit], olds: list, news: list, pairs: dict):
    """Pairs worth scoring: the same label (or number) and heading, the same text, or
    the same lead-in, under paired parents — or anywhere, when it occurs once on each
    side."""
    found = set()
    parents = [_parent_pair(old[o].parent, pairs) for o in olds]
    for key in (_name_key, _number_key, _text_key, _lead_key):
        placed_new: dict = defaultdict(list)
        anywhere_new: dict = defaultdict(list)
        for n in news:
            value = key(new[n])
            placed_new[value, new[n].parent].append(n)
            anywhere_new[value].append(n)
        old_values = [key(old[o]) for o in olds]
        old_counts = Counter(old_values)
        for o, value, parent in zip(olds, old_values, parents, strict=True):
            if value is None:
                continue
            placed = placed_new.get((value, parent))
            if placed:
                found.update((o, n) for n in _nearest(new, placed, old[o].place))
            if old_counts[value] == 1 and len(anywhere_new.get(value, ())) == 1:
                found.add((o, anywhere_new[value][0]))
    return sorted(found)


def _nearest(units: list[_Unit], indices: list[int], place: float) -> list[int]:
    """At most ``_CANDIDATES`` of ``indices`` (in document order), those nearest
    ``place``: a text repeated a hundred times must not make ten thousand pairs."""
    if len(indices) <= _CANDIDATES:
        return indices
    at = bisect_left(indices, place, key=lambda index: units[index].place)
    low = max(0, at - _CANDIDATES // 2)
    return indices[low : low + _CANDIDATES]


def _name_key(unit: _Unit) -> tuple:
    return unit.label(), unit.heading


def _number_key(unit: _Unit) -> tuple:
    return unit.number, unit.heading


def _text_key(unit: _Unit) -> tuple | None:
    return unit.text_key()


def _lead_key(unit: _Unit) -> tuple | None:
    lead = unit.lead_key()
    return lead if lead[1] >= _TINY else None


def _parent_pair(parent: int | None, pairs: dict) -> int | None:
    """The new section paired with an old parent: None for none, -1 if it is unpaired."""
    return None if parent is None else pairs.get(parent, -1)


def _same_text(a: _Unit, b: _Unit) -> float:
    """1 for the same text (or sample: the same words); else the Jaccard similarity of
    their word sets, at least ``_SIMILAR`` when their lead-ins are the same and not tiny."""
    if a.text_key() == b.text_key() or a.sample() == b.sample():
        return 1.0
    words_a, words_b = a.word_set(), b.word_set()
    common = len(words_a & words_b)
    union = len(words_a) + len(words_b) - common
    similarity = common / union if union else 1.0
    return max(similarity, _SIMILAR) if _same_lead(a, b) else similarity


def _same_lead(a: _Unit, b: _Unit) -> bool:
    return a.lead_key() == b.lead_key() and a.lead_key()[1] >= _TINY


def _assign(candidates, pairs: dict, taken: set) -> None:
    for *_, o, n in candidates:
        if o not in pairs and n not in taken:
            pairs[o] = n
            taken.add(n)


def _once(units: list[_Unit], indices: list[int], key: Callable) -> dict:
    """The index of each key that only one of ``indices`` has."""
    keys = [key(units[index]) for index in indices]
    counts = Counter(keys)
    return {value: index for value, index in zip(keys, indices, strict=True) if counts[value] == 1}


def _groups(units: list[_Unit], indices, key: Callable) -> dict:
    groups: dict = defaultdict(list)
    for index in indices:
        groups[key(units[index])].append(index)
    return groups


def _similar(old: list[_Unit], new: list[_Unit], olds: list, news: list) -> list:
    """Pairs of unpaired sections with similar text, best first.

    Candidates share one of a section's rarest words (those in fewest unpaired sections),
    and only the few sharing most of them are scored, so many unpaired sections — two
    unrelated texts — cost a bounded number of comparisons each, not one per pair.
    """
    holders: dict = defaultdict(list)
    for n in news:
        for word in new[n].word_set():
            holders[word].append(n)
    scored = []
    for o in olds:
        words = [w for w in old[o].word_set() if w in holders]
        rare = sorted(words, key=lambda w: (len(holders[w]), w))[:_RARE_WORDS]
        shared = Counter(n for w in rare for n in _nearest(new, holders[w], old[o].place))
        for n, _ in shared.most_common(_SCORED):
            score = _same_text(old[o], new[n])
            if score >= _SIMILAR:
                scored.append((-score, o, n))
    return sorted(scored)


def _moved(old: list[_Unit], new: list[_Unit], pairs: dict[int, int]) -> set[int]:
    """New indices of paired sections that left their parent or their siblings' order."""
    moved = set()
    siblings: dict = defaultdict(list)
    for o, n in pairs.items():
        if _parent_pair(old[o].parent, pairs) != new[n].parent:
            moved.add(n)
        else:
            siblings[new[n].parent].append((n, o))
    for members in siblings.values():
        members.sort()
        stay = {n for n, _ in increasing(members)}
        moved.update(n for n, _ in members if n not in stay)
    return moved


def _mark(units: list[_Unit], parent: int | None, marked: set[int]) -> None:
    while parent is not None and parent not in marked:
        marked.add(parent)
        parent = units[parent].parent


def _entry(old: _Unit | None, new: _Unit | None, status: str, section_ops: bool) -> dict:
    either = new or old
    entry = {
        "number_old": old.number if old else None,
        "number_new": new.number if new else None,
        "heading": either.heading,
        "status": status,
        "old_start": old.start if old else None,
        "old_end": old.end if old else None,
        "new_start": new.start if new else None,
        "new_end": new.end if new else None,
    }
    if section_ops:
        ops: list = []
        if old and new and status in ("changed", "moved"):
            ops = [[op, text] for op, text in word_diff(old.own(), new.own())]
        entry["ops"] = ops
    return entry
