"""Redlines between two versions of a text: word by word, and section by section.

A word diff of whole bills is too slow done naively: ``difflib`` over every word token
took 30 s on a 1 MB bill (quadratic, ~1,300x ``git diff --word-diff``). So this diffs
the way git does, coarse first: each text is cut into *segments* — sentences and lines,
ending at ``.;:!?`` before a space or at a newline, so a page flattened onto one line
still splits — and the two segment lists are aligned patience-style (segments unique in
both anchor the alignment, the gaps between anchors are aligned again, iteratively, never
by recursion). Only the segments that do not align are split into word tokens and aligned
the same way, with ``difflib`` kept for the small gaps between word anchors.

Worst cases stay near-linear: a segment over 2,000 characters with no sentence end is cut
at content-chosen words, so equal text cuts equally in both versions; every alignment has
a work budget (a few passes over its input) after which the gaps left are diffed directly
if small and else reported as deleted-then-inserted, which is correct but not minimal. A
gap with no anchoring word that is too large for ``difflib`` (over 200,000 token pairs:
texts with no word in common, or a few words repeated) is reported the same way.

Measured with ``bench/redline.py`` (bill-like text built from the real fixtures, about 3%
of words changed, sections inserted, deleted and moved), against ``git diff --no-index
--word-diff=porcelain`` on the same files: see that script and bench/README.md.
"""

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from itertools import accumulate
from zlib import crc32

# A token is a word, a run of whitespace or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
# A segment runs to the end of a sentence or clause (".;:!?" before whitespace) or to a
# newline, and takes the whitespace after it; "7284.2" and "(a)." do not end one. Its
# first 16 characters never end it, so markers ("SEC. 12.", "7284.2.") stay with their
# text: alone they would be short unique segments, anchors in the wrong place once a bill
# renumbers its sections.
_SEGMENT = re.compile(r"[^\n]{0,16}(?:[^\n.;:!?]+|[.;:!?]+(?=\S))*(?:[.;:!?]+|\n)?\s*")
_LONG_SEGMENT = 2000
_WORD_AND_SPACE = re.compile(r"\S*\s*")
# Gaps (in token pairs) that difflib aligns exactly; larger anchorless gaps are replaced.
_SMALL_GAP = 200_000
# Occurrences up to which a repeated element may still pair in order as an anchor.
_REPEATS = 4

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
    for a, b, size in [*blocks, (len(old_segments), len(new_segments), 0)]:
        if a > i or b > j:
            _word_ops(old[old_at[i] : old_at[a]], new[new_at[j] : new_at[b]], ops)
        if size:
            ops.append(("equal", old[old_at[a] : old_at[a + size]]))
        i, j = a + size, b + size
    return _tidy(ops)


def _segments(text: str) -> list[str]:
    segments = [s for s in _SEGMENT.findall(text) if s]
    if any(len(s) > _LONG_SEGMENT for s in segments):
        segments = [piece for s in segments for piece in _cut_long(s)]
    return segments


def _cut_long(segment: str) -> list[str]:
    """Cut a long run without sentence ends after words chosen by their own content (a
    checksum), not by position, so an edit early in the run does not shift later cuts."""
    if len(segment) <= _LONG_SEGMENT:
        return [segment]
    pieces, start = [], 0
    for match in _WORD_AND_SPACE.finditer(segment):
        word = match.group()
        if word and crc32(word.encode()) % 24 == 0:
            pieces.append(segment[start : match.end()])
            start = match.end()
    if start < len(segment):
        pieces.append(segment[start:])
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
    ``gap``. Blocks come out in order because the stack always holds the leftmost region.
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
        anchors: list[tuple[int, int]] = []
        if alo < ahi and blo < bhi and budget > 0:
            budget -= (ahi - alo) + (bhi - blo)
            anchors = _anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            if suffix:
                stack.append(suffix)
            pieces: list = []
            i, j = alo, blo
            for x, y in anchors:
                pieces += [(i, x, j, y), (x, y, 1)]
                i, j = x + 1, y + 1
            pieces.append((i, ahi, j, bhi))
            stack.extend(reversed(pieces))
            continue
        if alo < ahi and blo < bhi:
            blocks.extend(gap(a, alo, ahi, b, blo, bhi))
        if suffix:
            blocks.append(suffix)
    return blocks


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
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
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
    matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    return [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n]


def _tidy(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbours into runs, each change as one deletion then one insertion.

    A whitespace-only equality between two changes that together delete and insert is
    folded into them, so a replaced phrase reads as one struck and one inserted phrase
    rather than alternating word by word.
    """
    runs: list = []  # an equal run is a str; a change run is ([deleted], [inserted])
    for op, text in ops:
        if op == "equal":
            if runs and isinstance(runs[-1], str):
                runs[-1] += text
            else:
                runs.append(text)
            continue
        if not runs or isinstance(runs[-1], str):
            runs.append(([], []))
        runs[-1][op == "insert"].append(text)
    folded: list = []
    for run in runs:
        if (
            not isinstance(run, str)
            and len(folded) >= 2
            and folded[-1].isspace()
            and _deletes_and_inserts(folded[-2], run)
        ):
            space, left = folded.pop(), folded[-1]
            left[0].extend([space, *run[0]])
            left[1].extend([space, *run[1]])
        else:
            folded.append(run)
    out: list[tuple[str, str]] = []
    for run in folded:
        if isinstance(run, str):
            out.append(("equal", run))
            continue
        deleted, inserted = "".join(run[0]), "".join(run[1])
        if deleted:
            out.append(("delete", deleted))
        if inserted:
            out.append(("insert", inserted))
    return out


def _deletes_and_inserts(left: tuple, right: tuple) -> bool:
    return bool(left[0] or right[0]) and bool(left[1] or right[1])
