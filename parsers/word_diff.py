"""The word diff of two texts: ops that rebuild both exactly, found coarse first.

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
wrong copy. Only the segments left unaligned are split into word units (a word or
other character with the whitespace after it) and aligned by their words: a region of
up to 4 million unit pairs directly by a longest common subsequence (rapidfuzz's
bit-parallel C++), a larger one patience-style first. Whitespace both sides of a change
end with moves after it, so "shall not" is struck for "may" with the space left alone.

Nothing goes quadratic: each alignment has a work budget of a few passes over its input,
after which the gaps left are diffed directly if small; a gap with no anchor that is too
big for that (texts with no word in common, or a few words repeated over and over) is
reported deleted-then-inserted — correct, but not minimal.

Measured with bench/redline.py on a 2-core machine, on bill-like text built from the real
fixtures (5% of words changed, sections inserted, deleted and moved), against ``git diff
--no-index --word-diff=porcelain`` on the same files: 1 MB in 33 ms (git 15 ms, 2.2x),
5 MB in 180 ms (git 67 ms, 2.7x; 5.4x the 1 MB time, about as much as
``str.splitlines`` alone grows), marking no more words changed than git (8,654 against
8,658 at 1 MB, 43,270 against 52,986 at 5 MB), with 9 MB / 45 MB peak of Python
allocations. The 1 MB pair flattened onto one line each: 41 ms (git 58 ms); reduced
to words and spaces: 157 ms (git 77 ms); two texts with nothing in common: 0.36 s (git
47 ms). On the crawl benchmark's small bill versions (2 to 32 KB, reflowed between PDF
and HTML renderings) the longest common subsequence halved the time, from ~0.96 to
~0.5 ms a pair, against difflib and patience anchors down to every word.
"""

import gc
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from itertools import accumulate
from zlib import crc32

from rapidfuzz.distance import LCSseq

# A unit is a word or one other character with the whitespace after it; whitespace
# starting a text is a unit alone. Units align by their key, the unit without that
# whitespace, so only words and punctuation pair up: with runs of whitespace as tokens
# of their own, a longest common subsequence paired the spaces of a rewritten phrase
# with spaces elsewhere rather than keep "a local law" equal beside it.
_UNIT = re.compile(r"^\s+|(?:\w+|[^\w\s])\s*")
WORD = re.compile(r"\w+")  # what the word counts count
# Lines longer than this are cut into sentences, and sentences longer into word runs.
_LONG = 1000
# A sentence runs to ".;:!?" before whitespace (not "7284.2", not "(a).") and takes the
# whitespace after it. Its first 16 characters never end it, so markers ("SEC. 12.",
# "7284.2.") stay with their text: alone they would be short unique segments, anchors in
# the wrong place once a bill renumbers its sections.
_SENTENCE = re.compile(r"[^\n]{0,16}(?:[^\n.;:!?]+|[.;:!?]+(?=\S))*(?:[.;:!?]+|\n)?\s*")
_WORD_AND_SPACE = re.compile(r"\S*\s*")
# Regions of up to this many unit pairs are aligned exactly, by a longest common
# subsequence (rapidfuzz's bit-parallel C++: a bit of traceback per pair, 0.5 MB at most);
# larger ones are cut at anchors first, and if they have none are replaced whole.
_LCS_PAIRS = 4_000_000
# Occurrences up to which a repeated element may still pair in order as an anchor.
_REPEATS = 4
Block = tuple[int, int, int]


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector, if it runs. The word diff and the section view
    keep tens of thousands of objects alive and make no reference cycles, so the
    collector's passes over them are pure cost, and grow with the text: over a tenth of
    ``redline``'s time at 5 MB, 7% of ``word_diff``'s."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@collector_paused()
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
    old_units, new_units = _UNIT.findall(old), _UNIT.findall(new)
    # Keys as numbers, one per distinct word: rapidfuzz compares strings by a hash (the
    # empty string and "\x00" were equal to it), numbers as they are.
    codes: dict[str, int] = {}
    old_keys = [codes.setdefault(unit.rstrip(), len(codes)) for unit in old_units]
    new_keys = [codes.setdefault(unit.rstrip(), len(codes)) for unit in new_units]
    i = j = 0
    blocks = _align(old_keys, new_keys, _common_subsequence, _LCS_PAIRS)
    for a, b, size in [*blocks, (len(old_units), len(new_units), 0)]:
        if a > i:
            ops.append(("delete", "".join(old_units[i:a])))
        if b > j:
            ops.append(("insert", "".join(new_units[j:b])))
        if size:
            _same_keys(old_units[a : a + size], new_units[b : b + size], ops)
        i, j = a + size, b + size


def _same_keys(old_units: list[str], new_units: list[str], ops: list[tuple[str, str]]) -> None:
    """Ops for units with the same keys: equal, but where the whitespace after a unit
    differs (a line wrapped elsewhere), which is replaced."""
    differ = [k for k, (o, n) in enumerate(zip(old_units, new_units, strict=True)) if o != n]
    done = 0
    for k in differ:
        o, n = old_units[k], new_units[k]
        word = o.rstrip()
        if k > done or word:
            ops.append(("equal", "".join(old_units[done:k]) + word))
        if len(o) > len(word):
            ops.append(("delete", o[len(word) :]))
        if len(n) > len(word):
            ops.append(("insert", n[len(word) :]))
        done = k + 1
    if done < len(old_units):
        ops.append(("equal", "".join(old_units[done:])))


def _align(
    a: Sequence, b: Sequence, gap: Callable[..., list[Block]], direct: int = 0
) -> list[Block]:
    """Matching blocks ``(i, j, size)`` of ``a`` and ``b``, in order, patience-style.

    A region loses its common prefix and suffix, then is split at the elements unique in
    both halves of it (or repeated equally often, up to ``_REPEATS`` times) that keep
    their order (a longest increasing subsequence); the pieces between go back on a stack.
    A region with no such anchor, or any region once the work budget is spent, goes to
    ``gap`` — unless its sides have no element in common, as most gaps inside a sentence
    ("shall not" for "may"): then nothing can align, and neither anchors nor ``gap`` are
    tried. A region of at most ``direct`` element pairs goes to ``gap`` at once. Blocks
    come out in order because the stack always holds the leftmost region.
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
        if (ahi - alo) * (bhi - blo) <= direct:
            blocks.extend(gap(a, alo, ahi, b, blo, bhi))
            continue
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
    far less than the counts anchors take."""
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
    return increasing(pairs)


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


def increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


def _common_subsequence(a, alo, ahi, b, blo, bhi) -> list[Block]:
    if (ahi - alo) * (bhi - blo) > _LCS_PAIRS:
        return []
    blocks = LCSseq.opcodes(a[alo:ahi], b[blo:bhi]).as_matching_blocks()
    return [(alo + i, blo + j, n) for i, j, n in blocks if n]


def _tidy(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbours into runs, each change as one deletion then one insertion.

    A whitespace-only equality between two changes that together delete and insert is
    folded into them, so a replaced phrase reads as one struck and one inserted phrase
    rather than alternating word by word. Whitespace that both sides of a change end
    with moves into the equality after it: "shall not" struck for "may", not "shall not "
    for "may ".
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
    space = ""  # the whitespace a change gave up, for the equality after it
    for run in folded:
        if run[0] == "=":
            out.append(("equal", space + "".join(run[1])))
            space = ""
            continue
        deleted, inserted = "".join(run[1]), "".join(run[2])
        if deleted and inserted:
            space = _common_space(deleted, inserted)
            deleted, inserted = (
                deleted[: len(deleted) - len(space)],
                inserted[: len(inserted) - len(space)],
            )
        out += [(op, text) for op, text in (("delete", deleted), ("insert", inserted)) if text]
    if space:
        out.append(("equal", space))
    return out


def _common_space(a: str, b: str) -> str:
    """The whitespace both ``a`` and ``b`` end with."""
    k = 0
    while k < len(a) and k < len(b) and a[-1 - k] == b[-1 - k] and a[-1 - k].isspace():
        k += 1
    return a[len(a) - k :]


def _blank(run: list) -> bool:
    return run[0] == "=" and all(text.isspace() for text in run[1])
