"""A comparison (``compare_versions`` output) as an HTML redline fragment.

Both the ``trustwatch diff --format html`` page and the Datasette redline page show it,
so it is rendered once, here, as pure data-to-string. Bill text is untrusted input: every
piece of it is escaped, and the only markup is the one this module writes.
"""

from bisect import bisect_left
from html import escape


def redline_fragment(comparison: dict, old_label: str, new_label: str) -> str:
    """Section navigation, provision changes and the word-level redline."""
    parts = [
        '<div class="redline-summary">',
        f"<p>From <strong>{escape(old_label)}</strong> to <strong>{escape(new_label)}</strong>: ",
        _stats(comparison["stats"]),
        "</p>",
        _provisions(comparison["provisions"]),
        _sections(comparison["sections"]),
        "</div>",
        '<div class="redline-text">',
        _ops(comparison["ops"], comparison["sections"]),
        "</div>",
    ]
    return "".join(parts)


def _stats(stats: dict) -> str:
    return escape(
        f"{stats.get('words_added', 0)} words added, {stats.get('words_removed', 0)} removed, "
        f"{stats.get('sections_changed', 0)} sections changed, "
        f"{stats.get('sections_added', 0)} added, {stats.get('sections_removed', 0)} removed, "
        f"{stats.get('sections_moved', 0)} moved."
    )


def _provisions(changes: dict) -> str:
    items = []
    for kind in ("added", "removed", "changed"):
        for provision in changes.get(kind, []):
            section = provision["section"] or "the text"
            items.append(
                f'<li class="provision-{kind}">{escape(provision["type"])} {kind} in '
                f"{escape(section)}</li>"
            )
    if not items:
        return "<p>No change to key provisions.</p>"
    return '<h3>Key provisions</h3><ul class="provision-changes">' + "".join(items) + "</ul>"


def _sections(sections: list[dict]) -> str:
    items = []
    for section in sections:
        if section["status"] == "unchanged":
            continue
        number = section.get("number_new") or section.get("number_old") or ""
        anchor = _anchor(number)
        items.append(
            f'<li class="section-{escape(section["status"])}"><a href="#{anchor}">'
            f"{escape(number)}</a> {escape(section['status'])}</li>"
        )
    if not items:
        return ""
    return '<h3>Sections</h3><ul class="section-changes">' + "".join(items) + "</ul>"


def _ops(ops: list, sections: list[dict]) -> str:
    """Ops as <del>/<ins>, with an anchor where each changed section starts in the new
    text (or, for a removed section, in the old one) so the navigation can jump there."""
    new_starts = sorted(
        (s["new_start"], s.get("number_new") or "")
        for s in sections
        if s["status"] != "unchanged" and s.get("new_start") is not None
    )
    old_starts = sorted(
        (s["old_start"], s.get("number_old") or "")
        for s in sections
        if s["status"] == "removed" and s.get("old_start") is not None
    )
    out = []
    old_at = new_at = 0
    for op, text in ops:
        marks = []
        if op != "delete":
            marks += _within(new_starts, new_at, new_at + len(text))
            new_at += len(text)
        if op != "insert":
            marks += _within(old_starts, old_at, old_at + len(text))
            old_at += len(text)
        tag = {"equal": None, "delete": "del", "insert": "ins"}[op]
        anchors = "".join(f'<a id="{_anchor(number)}"></a>' for number in marks if number)
        body = escape(text)
        out.append(anchors + (f"<{tag}>{body}</{tag}>" if tag else body))
    return "".join(out)


def _within(starts: list[tuple[int, str]], low: int, high: int) -> list[str]:
    """Section numbers whose start offset is in [low, high)."""
    first = bisect_left(starts, (low, ""))
    last = bisect_left(starts, (high, ""))
    return [number for _, number in starts[first:last]]


def _anchor(number: str) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in number or "")
