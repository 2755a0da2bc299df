"""Redlines: exact word ops for any two texts, and a section view that names what an
amendment did to a real bill (tests/fixtures/texts, see PROVENANCE.md there)."""

import gc
import json
import re
import sys
import time

import pytest
from conftest import REPO, real_text, run_cli
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trustwatch.parsers.redline import redline, section_diff, word_diff
from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text

SB54 = "ca-sb54-2017-chaptered.txt"


def assert_exact(old: str, new: str, ops: list) -> None:
    assert "".join(text for op, text in ops if op != "insert") == old
    assert "".join(text for op, text in ops if op != "delete") == new
    assert all(op in ("equal", "delete", "insert") and text for op, text in ops)
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False))


def changed_words(ops: list) -> list[str]:
    return [w for op, text in ops if op != "equal" for w in re.findall(r"\w+", text)]


def sections(text: str) -> list[dict]:
    return [s.as_dict() for s in section_spans(text)]


def edit(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits, all in old offsets."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def by_status(view: list[dict]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entry in view:
        number = entry["number_new"] or entry["number_old"]
        found.setdefault(entry["status"], set()).add(number)
    return found


# Texts with shared material: words, punctuation, line breaks and paragraph breaks.
pieces = st.sampled_from(
    ["shall", "not", "may", "agency", "(a)", "7284.6.", "SEC. 2.", "é", "法", " ", " ", ", "]
    + [". ", ": ", "; ", "\n", "\n\n", "\t", "—", "“", "”", "\r\n", "\u2028"]
)
bill_like = st.lists(pieces, max_size=200).map("".join)
spaced = st.lists(pieces, max_size=200).map(" ".join)
any_text = st.text(max_size=300)
newlines = st.text(alphabet="\n\n\n\r .a", max_size=600)
# One line of several thousand characters, with sentence ends: a flattened page.
flattened = st.lists(
    st.sampled_from(["The agency shall report.", "It may not detain;", "(a)", "7284.6.", "law"]),
    min_size=150,
    max_size=400,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(old=bill_like, new=bill_like)
def test_ops_rebuild_both_texts_exactly(old, new):
    assert_exact(old, new, word_diff(old, new))


@settings(max_examples=300, deadline=None)
@given(old=any_text, new=any_text)
@example(old="\x00", new="\r")  # a NUL and the empty word were one to rapidfuzz's hash
def test_ops_rebuild_any_unicode_texts(old, new):
    assert_exact(old, new, word_diff(old, new))


@settings(max_examples=100, deadline=None)
@given(old=newlines, new=newlines)
def test_ops_rebuild_texts_of_many_newlines(old, new):
    assert_exact(old, new, word_diff(old, new))


@settings(max_examples=50, deadline=None)
@given(old=flattened, new=flattened)
def test_ops_rebuild_long_flattened_lines(old, new):
    assert_exact(old, new, word_diff(old, new))


@settings(max_examples=100, deadline=None)
@given(text=st.one_of(spaced, flattened), data=st.data())
def test_an_edited_copy_rebuilds_and_keeps_what_was_not_touched(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    inserted = data.draw(spaced)
    new = text[:start] + inserted + text[end:]
    ops = word_diff(text, new)
    assert_exact(text, new, ops)
    unchanged = len(text) - (end - start)
    assert sum(len(t) for op, t in ops if op == "equal") >= unchanged - 40


@settings(max_examples=50, deadline=None)
@given(words=st.lists(st.sampled_from(["law", "agency", "shall", "may", "ICE"]), min_size=400))
def test_long_lines_without_newlines_or_sentence_ends(words):
    old = " ".join(words)
    new = " ".join(words[: len(words) // 2] + ["inserted"] + words[len(words) // 2 :])
    ops = word_diff(old, new)
    assert_exact(old, new, ops)
    assert changed_words(ops) == ["inserted"]


@given(text=any_text)
def test_identical_texts_are_one_equal(text):
    assert word_diff(text, text) == ([("equal", text)] if text else [])


@given(
    old=st.lists(st.sampled_from(["alpha", "beta", "gamma"]), max_size=30).map(" ".join),
    new=st.lists(st.sampled_from(["delta", "epsilon"]), max_size=30).map(" ".join),
)
def test_texts_without_a_word_in_common_share_no_word(old, new):
    ops = word_diff(old, new)
    assert_exact(old, new, ops)
    assert not any(re.search(r"\w", text) for op, text in ops if op == "equal")


def test_empty_texts():
    assert word_diff("", "") == []
    assert word_diff("", "SEC. 1.") == [("insert", "SEC. 1.")]
    assert word_diff("SEC. 1.", "") == [("delete", "SEC. 1.")]


def test_a_struck_phrase_reads_as_one_deletion_and_one_insertion():
    old = "California law enforcement agencies shall not: (1) Use agency moneys."
    new = "California law enforcement agencies may: (1) Use agency moneys."
    assert word_diff(old, new) == [
        ("equal", "California law enforcement agencies "),
        ("delete", "shall not"),
        ("insert", "may"),
        ("equal", ": (1) Use agency moneys."),
    ]


def test_a_replaced_phrase_is_not_interleaved_word_by_word():
    assert word_diff("agencies shall not detain", "agencies may also detain") == [
        ("equal", "agencies "),
        ("delete", "shall not"),
        ("insert", "may also"),
        ("equal", " detain"),
    ]


def test_an_edit_deep_in_a_flattened_page_stays_local():
    # SB 54 is one 32,000-character line: the diff must cut it at sentence ends.
    text = normalize_text(real_text(SB54))
    assert "\n" not in text
    old = " ".join([text] * 4)
    at = old.rindex("shall not affect")
    new = old[:at] + "does not affect" + old[at + len("shall not affect") :]
    ops = word_diff(old, new)
    assert_exact(old, new, ops)
    assert [op for op in ops if op[0] != "equal"] == [("delete", "shall"), ("insert", "does")]


def test_a_short_unique_sentence_is_not_paired_with_the_wrong_copy():
    # Found by hypothesis on a flattened page: a patience alignment pairs the unique
    # "(a) The agency shall report." with the copy the edit brought up, far from where it
    # was; the whole passage between must then count as struck and reinserted.
    report = "The agency shall report. "
    detain = "It may not detain; "
    old = (
        f"(a) {report}{report}(a) {detain}{report * 10}{detain * 3}{'(a) ' * 15}{detain}"
        f"(a) (a) 7284.6. (a) {report * 40}"
    )
    cut = old.index(f"(a) {detain}(a) (a) 7284.6.") + len("(a) It m")
    new = old[:13] + "SEC. 2." + old[cut:]
    ops = word_diff(old, new)
    assert_exact(old, new, ops)
    unchanged = len(old) - (cut - 13)
    assert sum(len(text) for op, text in ops if op == "equal") >= unchanged - 10


def test_no_recursion_however_many_regions():
    lines = [f"{n}. The agency shall report item {n} to the Legislature.\n" for n in range(20000)]
    new_lines = [
        line.replace("shall", "may") if n % 3 == 0 else line for n, line in enumerate(lines)
    ]
    old, new = "".join(lines), "".join(reversed(new_lines[:100])) + "".join(new_lines[100:])
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_frames()) + 60)  # a split recursing per anchor needs thousands
    try:
        ops = word_diff(old, new)
    finally:
        sys.setrecursionlimit(limit)
    assert_exact(old, new, ops)


def _frames() -> list:
    frame, frames = sys._getframe(), []
    while frame:
        frames.append(frame)
        frame = frame.f_back
    return frames


def test_worst_cases_stay_correct_and_far_from_quadratic():
    text = normalize_text(real_text(SB54))
    words = re.findall(r"\w+", text) * 6  # ~170 kB with no sentence end and no newline
    old = " ".join(words)
    reversed_words = " ".join(w[::-1] for w in words)  # no word in common
    start = time.perf_counter()
    for a, b in [(old, reversed_words), ("a b " * 40000, "b a " * 40000), (text, "x" * 100000)]:
        assert_exact(a, b, word_diff(a, b))
    # Seconds, not the minutes that difflib over all tokens takes on inputs this size.
    assert time.perf_counter() - start < 30


def amended_sb54() -> tuple[str, str]:
    """SB 54 as chaptered, and a version amended the way amendments read: a duty
    weakened in two places, a subdivision added, a code section struck, one moved."""
    old = normalize_text(real_text(SB54))
    spans = {s.number: s for s in section_spans(old)}

    def phrase(number: str, words: str, replacement: str) -> tuple[int, int, str]:
        unit = spans[number]
        at = old.index(words, unit.start, unit.end)
        return at, at + len(words), replacement

    moved = old[spans["7284.2"].start : spans["7284.4"].start]
    new_subdivision = (
        " (c) This section does not authorize a law enforcement official to detain an "
        "individual on the basis of a hold request."
    )
    new = edit(
        old,
        [
            phrase("7282.5(a)", "shall have discretion to", "may"),
            (spans["7282.5(b)"].end, spans["7282.5(b)"].end, new_subdivision),
            (spans["7284.2"].start, spans["7284.4"].start, ""),
            phrase("7284.6(c)(3)", "shall not", "may"),
            (spans["7284.8"].start, spans["7284.10"].start, ""),
            (spans["7284.12"].start, spans["7284.12"].start, moved),
        ],
    )
    return old, new


def test_the_section_view_names_exactly_what_the_amendment_did():
    old, new = amended_sb54()
    view = section_diff(old, sections(old), new, sections(new))
    found = by_status(view)
    assert found["changed"] == {
        "SEC. 2",
        "7282.5",
        "7282.5(a)",
        "SEC. 3",
        "7284.6",
        "7284.6(c)",
        "7284.6(c)(3)",
    }
    assert found["added"] == {"7282.5(c)"}
    assert found["removed"] == {"7284.8", "7284.8(a)", "7284.8(b)", "7284.8(c)"}
    assert found["moved"] == {"7284.2"}
    every = {s["number"] for s in sections(old)} | {s["number"] for s in sections(new)}
    assert found["unchanged"] == every - set().union(*(found[k] for k in found if k != "unchanged"))
    assert "7284.2(a)" in found["unchanged"] and "DIGEST" in found["unchanged"]

    entry = {e["number_new"] or e["number_old"]: e for e in view}
    assert [op for op in entry["7282.5(a)"]["ops"] if op[0] != "equal"] == [
        ["delete", "shall have discretion to"],
        ["insert", "may"],
    ]
    assert [op for op in entry["7284.6(c)(3)"]["ops"] if op[0] != "equal"] == [
        ["delete", "shall not"],
        ["insert", "may"],
    ]
    # A parent changed only inside a child shows its own (unchanged) lead-in as equal.
    assert entry["7284.6(c)"]["ops"] == [["equal", old[slice(*_own(old, "7284.6(c)"))]]]
    assert entry["7284.2"]["ops"] == [
        ["equal", "7284.2. The Legislature finds and declares the following:"]
    ]
    for e in view:
        assert (e["ops"] != []) == (e["status"] in ("changed", "moved"))
    removed = entry["7284.8"]
    assert old[removed["old_start"] :].startswith("7284.8. (a) The Attorney General")
    assert removed["new_start"] is None and removed["number_new"] is None
    assert new[entry["7282.5(c)"]["new_start"] :].startswith("(c) This section does not authorize")


def _own(text: str, number: str) -> tuple[int, int]:
    spans = section_spans(text)
    index = next(k for k, s in enumerate(spans) if s.number == number)
    end = spans[index + 1].start
    while text[end - 1].isspace():
        end -= 1
    return spans[index].start, end


def test_removed_sections_sit_where_they_were():
    old, new = amended_sb54()
    order = [
        e["number_new"] or e["number_old"]
        for e in section_diff(old, sections(old), new, sections(new))
    ]
    assert order.index("7284.6(f)") < order.index("7284.8") < order.index("7284.8(c)")
    assert order.index("7284.8(c)") < order.index("7284.10")
    assert order.index("7284.10(b)(2)") < order.index("7284.2") < order.index("7284.12")


def test_relettered_subdivisions_pair_with_their_old_selves():
    old = normalize_text(real_text(SB54))
    at = old.index("(a) The Department of Corrections and Rehabilitation shall:")
    section = old[at : old.index(" 7284.12.")]
    relettered = section.replace(
        "(b) The Department of Corrections and Rehabilitation shall not:",
        "(c) The Department of Corrections and Rehabilitation shall not:",
    ).replace(
        "(a) The Department of Corrections and Rehabilitation shall:",
        "(a) The Department shall publish its policies. "
        "(b) The Department of Corrections and Rehabilitation shall:",
    )
    new = old.replace(section, relettered)
    view = section_diff(old, sections(old), new, sections(new))
    pairs = {(e["number_old"], e["number_new"]): e for e in view}
    assert pairs[("7284.10(a)", "7284.10(b)")]["status"] == "changed"
    assert pairs[("7284.10(a)", "7284.10(b)")]["ops"] == [
        ["equal", "("],
        ["delete", "a"],
        ["insert", "b"],
        ["equal", ") The Department of Corrections and Rehabilitation shall:"],
    ]
    assert pairs[("7284.10(a)(1)", "7284.10(b)(1)")]["status"] == "unchanged"
    assert pairs[("7284.10(b)", "7284.10(c)")]["status"] == "changed"
    assert pairs[("7284.10(b)(2)", "7284.10(c)(2)")]["status"] == "unchanged"
    assert pairs[(None, "7284.10(a)")]["status"] == "added"
    assert by_status(view)["changed"] == {"SEC. 3", "7284.10", "7284.10(b)", "7284.10(c)"}


def test_a_moved_and_edited_section_is_moved_with_its_edit():
    old = normalize_text(real_text(SB54))
    spans = {s.number: s for s in section_spans(old)}
    piece = old[spans["7284.12"].start : spans["SEC. 4"].start]
    edited = piece.replace("shall not affect", "does not affect")
    new = edit(
        old,
        [
            (spans["7284"].start, spans["7284"].start, edited),
            (spans["7284.12"].start, spans["SEC. 4"].start, ""),
        ],
    )
    view = section_diff(old, sections(old), new, sections(new))
    found = by_status(view)
    assert found["moved"] == {"7284.12"}
    assert found["changed"] == {"SEC. 3"}
    moved = next(e for e in view if e["status"] == "moved")
    assert [op for op in moved["ops"] if op[0] != "equal"] == [
        ["delete", "shall"],
        ["insert", "does"],
    ]


def test_two_real_versions_of_one_passage():
    # SB 54 amended 2017-01-24 and 2017-03-01, as one site renders them: the older page
    # runs struck and inserted text together ("885.2.7284.2.", "crimes. crimes,", "(d)\n(f)").
    old = normalize_text(real_text("ca-sb54-2017-amended-20170124-amgoa-chunk.partial.txt"))
    new = normalize_text(real_text("ca-sb54-2017-amended-20170301-amgoa-chunk.partial.txt"))
    result = redline(old, sections(old), new, sections(new))
    assert_exact(old, new, [tuple(op) for op in result["ops"]])
    entries = {(e["number_old"], e["number_new"]): e for e in result["sections"]}
    definition = entries[("885.4.7284.4(a)", "7284.4(a)")]
    assert definition["status"] == "changed"
    assert ["delete", "Civil immigration warrant"] in definition["ops"]
    assert ["insert", "California law enforcement agency"] in definition["ops"]
    # "law enforcement" struck from the findings: trust in "state and local agencies".
    trust = entries[("885.2.7284.2(b)", "7284.2(b)")]
    assert trust["status"] == "changed"
    assert ["delete", "law enforcement "] in trust["ops"]
    # A line wrapped elsewhere is no change; the struck "(d)" left a removed unit.
    assert entries[("885.2.7284.2(e)", "7284.2(e)")]["status"] == "unchanged"
    assert entries[("885.2.7284.2(a)", "7284.2(a)")]["status"] == "unchanged"
    assert [e["number_old"] for e in result["sections"] if e["status"] == "removed"] == [
        "885.2.7284.2(d)"
    ]
    assert ["insert", "with "] in result["ops"]  # "Cooperation With with Federal"


def test_redline_is_plain_json_with_counts():
    old, new = amended_sb54()
    result = redline(old, sections(old), new, sections(new))
    assert json.loads(json.dumps(result)) == result
    assert result["stats"] == {
        "words_added": len(changed_words([op for op in result["ops"] if op[0] == "insert"])),
        "words_removed": len(changed_words([op for op in result["ops"] if op[0] == "delete"])),
        "sections_changed": 7,
        "sections_added": 1,
        "sections_removed": 4,
        "sections_moved": 1,
    }
    moved = normalize_text(real_text(SB54))
    moved_words = len(re.findall(r"\w+", moved[moved.index("7284.2.") : moved.index("7284.4.")]))
    # The move is a deletion and an insertion in the word ops; the rest is a few words.
    assert result["stats"]["words_added"] < moved_words + 40


def test_without_section_ops_the_redline_is_the_same_less_those_ops():
    # Text and HTML output, and stored summaries, ask for no section ops.
    passages = [
        real_text("ca-sb54-2017-amended-20170124-amgoa-chunk.partial.txt"),
        real_text("ca-sb54-2017-amended-20170301-amgoa-chunk.partial.txt"),
    ]
    for old, new in [amended_sb54(), [normalize_text(text) for text in passages]]:
        full = redline(old, sections(old), new, sections(new))
        brief = redline(old, sections(old), new, sections(new), section_ops=False)
        assert any(entry["ops"] for entry in full["sections"])
        without = [{k: v for k, v in entry.items() if k != "ops"} for entry in full["sections"]]
        assert brief == {**full, "sections": without}


def test_every_real_text_against_itself_is_unchanged():
    for name in [
        SB54,
        "chicago-mc-2-173-030-current.txt",
        "il-pa100-0463-sb31-enrolled-ilga.partial.txt",
    ]:
        text = normalize_text(real_text(name))
        result = redline(text, sections(text), text, sections(text))
        assert result["ops"] == [["equal", text]]
        assert {e["status"] for e in result["sections"]} == {"unchanged"}
        assert len(result["sections"]) == len(section_spans(text))


def test_without_sections_there_is_no_section_view():
    assert section_diff("a", [], "b", []) == []
    assert redline("a", [], "b", [])["stats"]["sections_changed"] == 0


def span(number: str, start: int, end: int, level: int = 0) -> dict:
    return {"number": number, "heading": "", "start": start, "end": end, "level": level}


def test_a_section_pairs_by_its_text_after_its_label():
    # Spaced otherwise after "7284.": the same section, unchanged.
    old, new = "7284.  The agency shall report.", "7284. The agency shall report."
    view = section_diff(old, [span("7284", 0, len(old))], new, [span("7284", 0, len(new))])
    assert [(e["number_old"], e["number_new"], e["status"]) for e in view] == [
        ("7284", "7284", "unchanged")
    ]
    # The same text, with a child found in one version only: the section still pairs with
    # itself; its own text grew by what was the child.
    text = "7284. The agency shall: (a) report."
    child = text.index("(a)")
    view = section_diff(
        text,
        [span("7284", 0, len(text)), span("7284(a)", child, len(text), 1)],
        text,
        [span("7284", 0, len(text))],
    )
    assert [(e["number_old"], e["number_new"], e["status"]) for e in view] == [
        ("7284", "7284", "changed"),
        ("7284(a)", None, "removed"),
    ]
    assert view[0]["ops"] == [["equal", "7284. The agency shall:"], ["insert", " (a) report."]]


def test_twin_subdivisions_pair_in_place():
    # Two subdivisions of one number and text under one parent: no single match for
    # either, so they pair by place.
    text = "7284. (a) Report. (a) Report."
    first, second = text.index("(a)"), text.rindex("(a)")
    sections = [
        span("7284", 0, len(text)),
        span("7284(a)", first, second - 1, 1),
        span("7284(a)", second, len(text), 1),
    ]
    view = section_diff(text, sections, text, [dict(s) for s in sections])
    assert [(e["old_start"], e["new_start"], e["status"]) for e in view] == [
        (0, 0, "unchanged"),
        (first, first, "unchanged"),
        (second, second, "unchanged"),
    ]


def test_the_garbage_collector_is_left_as_it_was():
    # The diff pauses the cyclic collector while it runs (it makes no cycles).
    assert gc.isenabled()
    redline("a", [], "b", [])
    assert gc.isenabled()
    with pytest.raises(KeyError):
        section_diff("a", [{"number": "1", "start": 0}], "b", [])
    assert gc.isenabled()
    gc.disable()
    try:
        redline("a", [], "b", [])
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_section_of_both_versions_appears_once(data):
    """Sections deleted, copied elsewhere and reworded: each section of either version is
    one entry, and each paired section's ops rebuild both its own texts."""
    old = normalize_text(real_text(SB54))
    spans = section_spans(old)
    new = old
    for _ in range(data.draw(st.integers(1, 5))):
        unit = data.draw(st.sampled_from(spans))
        piece = old[unit.start : unit.end]
        action = data.draw(st.sampled_from(["delete", "copy", "reword"]))
        if piece not in new:
            continue
        if action == "delete":
            new = new.replace(piece, "", 1)
        elif action == "copy":
            at = data.draw(st.integers(0, len(new)))
            new = new[:at] + piece + " " + new[at:]
        else:
            new = new.replace(piece, piece.replace("shall", "may"), 1)
    view = section_diff(old, sections(old), new, sections(new))
    for text, side in ((old, "old"), (new, "new")):
        starts = sorted(e[f"{side}_start"] for e in view if e[f"number_{side}"] is not None)
        assert starts == sorted(s.start for s in section_spans(text))
    own_old, own_new = own_texts(old), own_texts(new)
    for e in view:
        paired = e["number_old"] is not None and e["number_new"] is not None
        assert paired == (e["status"] not in ("added", "removed"))
        if e["status"] in ("changed", "moved"):
            assert_exact(own_old[e["old_start"]], own_new[e["new_start"]], e["ops"])
        elif e["status"] == "unchanged":
            assert own_old[e["old_start"]].split() == own_new[e["new_start"]].split()


def own_texts(text: str) -> dict[int, str]:
    """Each section's own text (up to its first child) by its start."""
    spans = section_spans(text)
    found = {}
    for k, unit in enumerate(spans):
        following = spans[k + 1].start if k + 1 < len(spans) else unit.end
        end = following if unit.start <= following < unit.end else unit.end
        found[unit.start] = text[unit.start : end].rstrip()
    return found


def test_the_section_view_is_the_same_in_every_process(tmp_path, monkeypatch):
    # Which sections pair once a bill renumbers its sections must not depend on the order
    # Python happens to hash words in (it did: 703 or 704 sections changed on this pair).
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    from redline import bill_pair  # the benchmark's 1 MB bill and its amended version

    for name, text in zip(("old.txt", "new.txt"), bill_pair(1), strict=True):
        (tmp_path / name).write_text(text, encoding="utf-8")
    views = set()
    for seed in ("1", "2", "3"):
        result = run_cli(
            "diff",
            str(tmp_path / "old.txt"),
            str(tmp_path / "new.txt"),
            "--format",
            "json",
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode in (0, 1), result.stderr
        views.add(json.dumps(json.loads(result.stdout)["sections"]))
    assert len(views) == 1
