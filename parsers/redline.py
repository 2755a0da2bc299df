"""Redlines between two versions of a text: word by word, and section by section.

Whole bills are too big to diff word by word directly: ``difflib`` over every word token
took 30 s on a 1 MB bill (quadratic, ~1,300x ``git diff --word-diff``). So this works as
git does, coarse first. Each text is cut into segments — its lines, and where a line runs
over 1,000 characters (a page flattened onto one line) its sentences, ending at ".;:!?"
before a space; a sentence still too long is cut after words picked by a checksum of the
word, so the same text cuts the same way in both versions. The two segment lists are
aligned patience-style: segments unique in both (or repeated equally often, up to four
times) that keep their order anchor the alignment, and the gaps between anchors are
aligned again — from a stack, never by recursion. An aligned segment no longer than the
changes on both sides of it goes back into the gap: patience may have paired it with the
wrong copy. Only the segments left unaligned are split into word tokens and aligned the
same way; difflib handles only the small gaps between word anchors.

Nothing goes quadratic: each alignment has a work budget of a few passes over its input,
after which the gaps left are diffed directly if small; a gap with no anchor that is too
big for difflib (over 200,000 token pairs: texts with no word in common, or a few words
repeated over and over) is reported deleted-then-inserted — correct, but not minimal.

The section view pairs sections level by level. Most have a section of the same number,
heading and parent on the other side with the same span text, and pair at once without
hashing; only the others are hashed, their words sampled and scored, and only the own
texts of changed sections are diffed.

Measured with bench/redline.py on a 2-core machine, on bill-like text built from the real
fixtures (5% of words changed, sections inserted, deleted and moved), against ``git diff
--no-index --word-diff=porcelain`` on the same files: 1 MB in 35 ms (git 16 ms, 2.2x),
5 MB in 188 ms (git 65 ms, 2.9x; 5.4x the 1 MB time, as even ``str.splitlines`` costs),
marking no more words changed than git (8,656 against 8,658 at 1 MB, 43,280 against
52,986 at 5 MB), with 9 MB / 45 MB peak of Python allocations. The 1 MB pair flattened
onto one line each: 48 ms (git 74 ms); reduced to words and spaces: 165 ms (git 58 ms);
two texts with nothing in common: 0.48 s (git 46 ms). ``redline``, the word diff with
the section view of ~4,000 sections a side per MB: 115 ms at 1 MB (7x git), 624 ms at
5 MB (5.4x the 1 MB time), 11 MB / 53 MB peak. Of its ~80 ms of section view at 1 MB,
~25 ms is bookkeeping for every section (a bill against itself), the rest pairing and
diffing the ~800 that changed (bench/README.md).
"""

import gc
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from difflib import SequenceMatcher
from itertools import accumulate
from zlib import crc32

# A token is a word, a run of whitespace or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
# Lines longer than this are cut into sentences, and sentences longer into word runs.
_LONG = 1000
# A sentence runs to ".;:!?" before whitespace (not "7284.2", not "(a).") and takes the
# whitespace after it. Its first 16 characters never end it, so markers ("SEC. 12.",
# "7284.2.") stay with their text: alone they would be short unique segments, anchors in
# the wrong place once a bill renumbers its sections.
_SENTENCE = re.compile(r"[^\n]{0,16}(?:[^\n.;:!?]+|[.;:!?]+(?=\S))*(?:[.;:!?]+|\n)?\s*")
_WORD_AND_SPACE = re.compile(r"\S*\s*")
# What follows a section's label before its text: "7284.2. " (like str.isspace, \s).
_LABEL_END = re.compile(r"[.\s]*")
# Gaps (in token pairs) that difflib aligns exactly; larger anchorless gaps are replaced.
_SMALL_GAP = 200_000
# Occurrences up to which a repeated element may still pair in order as an anchor.
_REPEATS = 4
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

Block = tuple[int, int, int]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Ops ``("equal"|"delete"|"insert", text)`` turning ``old`` into ``new``.

    Equal and deleted texts concatenate to ``old``, equal and inserted ones to ``new``,
    exactly. No op is empty and no two neighbours have the same kind; within a change the
    deletion comes before the insertion.
    """
    if old == new:
        return [("equal", old)] if old else []
    old_segments, new_segments = _segments(old), _segments(new)
    old_at = [0, *accumulate(map(len, old_segments))]
    new_at = [0, *accumulate(map(len, new_segments))]
    ops: list[tuple[str, str]] = []
    i = j = 0
    blocks = _align(old_segments, new_segments, _leave_gap)
    blocks = _drop_weak_blocks(blocks, old_at, new_at)
    for a, b, size in blocks:
        if a > i or b > j:
            _word_ops(old[old_at[i] : old_at[a]], new[new_at[j] : new_at[b]], ops)
        if size:
            ops.append(("equal", old[old_at[a] : old_at[a + size]]))
        i, j = a + size, b + size
    return _tidy(ops)


def _drop_weak_blocks(blocks: list[Block], old_at: list[int], new_at: list[int]) -> list[Block]:
    """Drop each equal block no longer than the changes on either side of it, and end
    with an empty block at the ends of both texts.

    Patience anchors on a segment because it is unique, not because it is where the
    text was; a short one between two changes ("(a) The agency shall report." struck
    here, kept there) is often matched with the wrong copy. Merged into one gap, the
    changes and it are aligned again word by word, as diff-match-patch's semantic
    cleanup does.
    """
    ends = (len(old_at) - 1, len(new_at) - 1, 0)
    kept: list[Block] = []
    i = j = 0  # where the last kept block ends, in segments
    for k, (a, b, size) in enumerate(blocks):
        x, y, _ = blocks[k + 1] if k + 1 < len(blocks) else ends
        before = old_at[a] - old_at[i] + new_at[b] - new_at[j]
        after = old_at[x] - old_at[a + size] + new_at[y] - new_at[b + size]
        if old_at[a + size] - old_at[a] <= min(before, after):
            continue
        kept.append((a, b, size))
        i, j = a + size, b + size
    return [*kept, ends]


def _segments(text: str) -> list[str]:
    """Lines, as git diffs them; a long line — a page flattened onto one line — is cut
    into sentences, and a long run without a sentence end into runs of words."""
    lines = text.splitlines(keepends=True)
    if max(map(len, lines), default=0) <= _LONG:
        return lines
    segments: list[str] = []
    done = 0
    for k in [k for k, line in enumerate(lines) if len(line) > _LONG]:
        segments += lines[done:k]
        segments += _sentences(lines[k])
        done = k + 1
    return segments + lines[done:]


def _sentences(line: str) -> list[str]:
    pieces = []
    for sentence in _SENTENCE.findall(line):
        if len(sentence) > _LONG:
            pieces.extend(_word_runs(sentence))
        elif sentence:
            pieces.append(sentence)
    return pieces


def _word_runs(run: str) -> list[str]:
    """Cut after words chosen by their own content (a checksum), not by position, so an
    edit early in the run does not shift the later cuts."""
    pieces, start = [], 0
    for match in _WORD_AND_SPACE.finditer(run):
        word = match.group()
        if word and crc32(word.encode()) % 24 == 0:
            pieces.append(run[start : match.end()])
            start = match.end()
    if start < len(run):
        pieces.append(run[start:])
    return pieces


def _word_ops(old: str, new: str, ops: list[tuple[str, str]]) -> None:
    if not old or not new:
        ops.append(("insert", new) if new else ("delete", old))
        return
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    i = j = 0
    blocks = _align(old_tokens, new_tokens, _small_gap)
    for a, b, size in [*blocks, (len(old_tokens), len(new_tokens), 0)]:
        if a > i:
            ops.append(("delete", "".join(old_tokens[i:a])))
        if b > j:
            ops.append(("insert", "".join(new_tokens[j:b])))
        if size:
            ops.append(("equal", "".join(old_tokens[a : a + size])))
        i, j = a + size, b + size


def _align(a: Sequence, b: Sequence, gap: Callable[..., list[Block]]) -> list[Block]:
    """Matching blocks ``(i, j, size)`` of ``a`` and ``b``, in order, patience-style.

    A region loses its common prefix and suffix, then is split at the elements unique in
    both halves of it (or repeated equally often, up to ``_REPEATS`` times) that keep
    their order (a longest increasing subsequence); the pieces between go back on a stack.
    A region with no such anchor, or any region once the work budget is spent, goes to
    ``gap`` — unless its sides have no element in common, as most gaps inside a sentence
    ("shall not" for "may"): then nothing can align, and neither anchors nor ``gap`` are
    tried. Blocks come out in order because the stack always holds the leftmost region.
    """
    blocks: list[Block] = []
    budget = 6 * (len(a) + len(b)) + 4096
    stack: list = [(0, len(a), 0, len(b))]
    while stack:
        item = stack.pop()
        if len(item) == 3:
            blocks.append(item)
            continue
        alo, ahi, blo, bhi = item
        start = alo
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo, blo = alo + 1, blo + 1
        if alo > start:
            blocks.append((start, blo - (alo - start), alo - start))
        end = ahi
        while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
        suffix = (ahi, bhi, end - ahi) if end > ahi else None
        shared = alo < ahi and blo < bhi and _share(a, alo, ahi, b, blo, bhi)
        anchors: list[tuple[int, int]] = []
        if alo < ahi and blo < bhi and budget > 0:
            budget -= (ahi - alo) + (bhi - blo)
            anchors = _anchors(a, alo, ahi, b, blo, bhi) if shared else []
        if anchors:
            if suffix:
                stack.append(suffix)
            stack.extend(reversed(_pieces(a, b, anchors, alo, ahi, blo, bhi)))
            continue
        if shared:
            blocks.extend(gap(a, alo, ahi, b, blo, bhi))
        if suffix:
            blocks.append(suffix)
    return blocks


def _share(a: Sequence, alo: int, ahi: int, b: Sequence, blo: int, bhi: int) -> bool:
    """Whether the two sides have an element in common: a set of the smaller side costs
    far less than the counts anchors take, or difflib's setup."""
    if ahi - alo > bhi - blo:
        a, alo, ahi, b, blo, bhi = b, blo, bhi, a, alo, ahi
    return not set(a[alo:ahi]).isdisjoint(b[blo:bhi])


def _pieces(a: Sequence, b: Sequence, anchors: list, alo: int, ahi: int, blo: int, bhi: int):
    """The region cut at its anchors: blocks for runs of anchors with equal elements
    between them (paragraphs unique in both, with the same blank lines between), and the
    regions between blocks that have elements on both sides (the rest is plain change)."""
    pieces: list = []
    i, j = alo, blo
    x0, y0, run = anchors[0][0], anchors[0][1], 0
    for x, y in anchors:
        end_x, end_y = x0 + run, y0 + run
        if x - end_x == y - end_y and a[end_x:x] == b[end_y:y]:
            run = x + 1 - x0
            continue
        i, j = _flush(pieces, i, j, x0, y0, run)
        x0, y0, run = x, y, 1
    i, j = _flush(pieces, i, j, x0, y0, run)
    if ahi > i and bhi > j:
        pieces.append((i, ahi, j, bhi))
    return pieces


def _flush(pieces: list, i: int, j: int, x: int, y: int, run: int) -> tuple[int, int]:
    if x > i and y > j:
        pieces.append((i, x, j, y))
    pieces.append((x, y, run))
    return x + run, y + run


def _anchors(a: Sequence, alo: int, ahi: int, b: Sequence, blo: int, bhi: int) -> list:
    counts_a, counts_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    pairs = _pairs(a, alo, ahi, b, blo, bhi, counts_a, counts_b, 1)
    if not pairs:
        pairs = _pairs(a, alo, ahi, b, blo, bhi, counts_a, counts_b, _REPEATS)
    return _increasing(pairs)


def _pairs(a, alo, ahi, b, blo, bhi, counts_a, counts_b, most: int) -> list[tuple[int, int]]:
    """Positions ``(i, j)`` pairing the k-th occurrence of an element in ``a`` with its
    k-th in ``b``, for elements occurring equally often in both, at most ``most`` times."""
    chosen = {x for x, n in counts_a.items() if n <= most and counts_b.get(x) == n}
    if not chosen:
        return []
    if most == 1:
        at = {x: j for j, x in enumerate(b[blo:bhi], blo) if x in chosen}
        return [(i, at[x]) for i, x in enumerate(a[alo:ahi], alo) if x in at]
    where: dict = defaultdict(list)
    for j in range(bhi - 1, blo - 1, -1):
        if b[j] in chosen:
            where[b[j]].append(j)
    return [(i, where[a[i]].pop()) for i in range(alo, ahi) if a[i] in chosen]


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by i) whose j also increase."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        if not tails or j > tails[-1]:  # the usual case: text in the same order
            previous[index] = tail_at[-1] if tail_at else -1
            tails.append(j)
            tail_at.append(index)
            continue
        k = bisect_left(tails, j)
        tails[k], tail_at[k] = j, index
        previous[index] = tail_at[k - 1] if k else -1
    chain = []
    index = tail_at[-1] if tail_at else -1
    while index != -1:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _leave_gap(a, alo, ahi, b, blo, bhi) -> list[Block]:
    """Segments that do not align are left to the word diff."""
    return []


def _small_gap(a, alo, ahi, b, blo, bhi) -> list[Block]:
    if (ahi - alo) * (bhi - blo) > _SMALL_GAP:
        return []
    matcher = SequenceMatcher(str.isspace, a[alo:ahi], b[blo:bhi], autojunk=False)
    return [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n]


def _tidy(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbours into runs, each change as one deletion then one insertion.

    A whitespace-only equality between two changes that together delete and insert is
    folded into them, so a replaced phrase reads as one struck and one inserted phrase
    rather than alternating word by word.
    """
    runs: list[list] = []  # ["=", texts] or ["~", deleted texts, inserted texts]
    for op, text in ops:
        kind = "=" if op == "equal" else "~"
        if not runs or runs[-1][0] != kind:
            runs.append(["=", []] if kind == "=" else ["~", [], []])
        runs[-1][2 if op == "insert" else 1].append(text)
    folded: list[list] = []
    for run in runs:
        if run[0] == "~" and len(folded) >= 2 and _blank(folded[-1]):
            left = folded[-2]
            if (left[1] or run[1]) and (left[2] or run[2]):
                space = "".join(folded.pop()[1])
                left[1] += [space, *run[1]]
                left[2] += [space, *run[2]]
                continue
        folded.append(run)
    out: list[tuple[str, str]] = []
    for run in folded:
        texts = [("equal", run[1])] if run[0] == "=" else [("delete", run[1]), ("insert", run[2])]
        out += [(op, "".join(parts)) for op, parts in texts if parts]
    return out


def _blank(run: list) -> bool:
    return run[0] == "=" and all(text.isspace() for text in run[1])


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector, if it runs. The section view keeps tens of
    thousands of objects alive and makes no reference cycles, so the collector's passes
    over them are pure cost: over a tenth of ``redline``'s time at 5 MB."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_collector_paused()
def section_diff(
    old_text: str, old_sections: list[dict], new_text: str, new_sections: list[dict]
) -> list[dict]:
    """One entry per section of either version, in the new version's order (a removed
    section after the last unmoved one before it in the old version).

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
            removed[after].append(_entry(unit, None, "removed"))
    entries = removed.pop(-1, [])
    for n, unit in enumerate(new):
        o = new_to_old.get(n)
        state = "changed" if status[n] == "unchanged" and n in dirty else status[n]
        entries.append(_entry(old[o] if o is not None else None, unit, state))
        entries += removed.get(n, ())
    return entries


@_collector_paused()
def redline(
    old_text: str, old_sections: list[dict], new_text: str, new_sections: list[dict]
) -> dict:
    """The word ops of the whole text, the section view and counts, as plain JSON data."""
    ops = word_diff(old_text, new_text)
    sections = section_diff(old_text, old_sections, new_text, new_sections)
    counts = Counter(entry["status"] for entry in sections)
    return {
        "ops": [[op, text] for op, text in ops],
        "sections": sections,
        "stats": {
            "words_added": sum(len(_WORD.findall(t)) for op, t in ops if op == "insert"),
            "words_removed": sum(len(_WORD.findall(t)) for op, t in ops if op == "delete"),
            "sections_changed": counts["changed"],
            "sections_added": counts["added"],
            "sections_removed": counts["removed"],
            "sections_moved": counts["moved"],
        },
    }


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
            self.words = frozenset(_WORD.findall(self.sample().lower()))
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
        rare = sorted(words, key=lambda w: len(holders[w]))[:_RARE_WORDS]
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
        stay = {n for n, _ in _increasing(members)}
        moved.update(n for n, _ in members if n not in stay)
    return moved


def _mark(units: list[_Unit], parent: int | None, marked: set[int]) -> None:
    while parent is not None and parent not in marked:
        marked.add(parent)
        parent = units[parent].parent


def _entry(old: _Unit | None, new: _Unit | None, status: str) -> dict:
    ops: list = []
    if old and new and status in ("changed", "moved"):
        ops = [[op, text] for op, text in word_diff(old.own(), new.own())]
    either = new or old
    return {
        "number_old": old.number if old else None,
        "number_new": new.number if new else None,
        "heading": either.heading,
        "status": status,
        "ops": ops,
        "old_start": old.start if old else None,
        "old_end": old.end if old else None,
        "new_start": new.start if new else None,
        "new_end": new.end if new else None,
    }
