"""Redlines between two versions of a text: the word ops of the whole text
(:mod:`.word_diff`), the section view (:mod:`.section_view`) and their counts."""

from collections import Counter

from .section_view import section_diff
from .word_diff import WORD, collector_paused, word_diff


@collector_paused()
def redline(
    old_text: str,
    old_sections: list[dict],
    new_text: str,
    new_sections: list[dict],
    *,
    section_ops: bool = True,
) -> dict:
    """The word ops of the whole text, the section view (with each section's own ops
    unless ``section_ops`` is false) and counts, as plain JSON data."""
    ops = word_diff(old_text, new_text)
    sections = section_diff(old_text, old_sections, new_text, new_sections, section_ops=section_ops)
    counts = Counter(entry["status"] for entry in sections)
    return {
        "ops": [[op, text] for op, text in ops],
        "sections": sections,
        "stats": {
            "words_added": sum(len(WORD.findall(t)) for op, t in ops if op == "insert"),
            "words_removed": sum(len(WORD.findall(t)) for op, t in ops if op == "delete"),
            "sections_changed": counts["changed"],
            "sections_added": counts["added"],
            "sections_removed": counts["removed"],
            "sections_moved": counts["moved"],
        },
    }


__all__ = ["redline", "section_diff", "word_diff"]
