"""Provision changes between two versions: named in the new version's numbering, and the
same whether both versions are tagged whole or only where they differ."""

from conftest import real_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.provisions import tag_provisions
from trustwatch.parsers.sections import section_spans

SB54 = real_text("ca-sb54-2017-chaptered.txt")
# Real texts with versions or with provisions outside code sections.
OTHERS = [
    "ca-sb54-2017-amended-20170124-amgoa-chunk.partial.txt",
    "ca-sb54-2017-amended-20170301-amgoa-chunk.partial.txt",
    "chicago-mc-2-173-030-current.txt",
    "il-pa100-0463-sb31-enrolled-ilga.partial.txt",
    "tx-sb4-2017-senate-committee-substitute.partial.txt",
]


def version(text: str, tagged: bool) -> dict:
    spans = section_spans(text)
    found = {"text": text, "sections": [section.as_dict() for section in spans]}
    if tagged:
        found["provisions"] = [p.as_dict() for p in tag_provisions(text, spans)]
    return found


def both_ways(old: str, new: str) -> dict:
    """The provision changes from whole versions; asserts the partial tagging agrees."""
    whole = compare_versions(version(old, True), version(new, True))["provisions"]
    partial = compare_versions(version(old, False), version(new, False))["provisions"]
    assert partial == whole
    return whole


def test_a_renumbered_code_section_keeps_its_provisions():
    # An amendment that renumbers 7284.6 (and so every subdivision in it) changes no
    # provision: the section view pairs the old numbers with the new ones.
    new = SB54.replace("7284.6. (a)", "7284.61. (a)")
    assert new.count("7284.61.") == 1
    changes = both_ways(SB54, new)
    assert changes["summary"] == "no change to key provisions"
    # Its provisions are there, named by the new number.
    assert any(p.section.startswith("7284.61(") for p in tag_provisions(new))


def test_a_struck_item_of_a_renumbered_section_is_named_by_its_old_number():
    # Renumbered and amended at once: the hold-request item of 7284.6(a)(1) struck. The
    # item has no new number; the rest of the section, renumbered, changed nothing.
    new = SB54.replace("7284.6. (a)", "7284.61. (a)").replace(
        "(B) Detaining an individual on the basis of a hold request. ", ""
    )
    changes = both_ways(SB54, new)
    assert {(p["type"], p["section"]) for p in changes["removed"]} == {
        ("detainer_limit", "7284.6(a)(1)(B)")
    }
    assert not changes["added"]


def test_real_versions_agree_whole_and_partial():
    texts = [SB54] + [real_text(name) for name in OTHERS]
    for old in texts:
        for new in texts:
            both_ways(old, new)


EDITS = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1),
        st.sampled_from(["delete", "duplicate", "insert"]),
        st.sampled_from(["shall not", "detainer", "(b) ", "\n\n(c) ", "SEC. 9. ", "may", ". "]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS, st.sampled_from([SB54, *map(real_text, OTHERS)]))
def test_edited_texts_agree_whole_and_partial(edits, text):
    new = text
    for place, kind, words in edits:
        at = int(place * len(new))
        if kind == "delete":
            new = new[:at] + new[at + 40 :]
        elif kind == "duplicate":
            new = new[:at] + new[at : at + 300] + new[at:]
        else:
            new = new[:at] + words + new[at:]
    both_ways(text, new)
