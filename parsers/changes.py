"""What changed between two versions: the redline, plus what it did to the provisions.

Researchers ask "what did the amendment change?" in the taxonomy's terms ("detainer
limit added in 7284.6(a)(1)(B)"), so provisions are compared by type and section: a
provision is added or removed when its (type, section) appears or disappears, and changed
when its evidence reads differently. The word-level redline itself is
:mod:`trustwatch.parsers.redline`.
"""

from .redline import redline


def provision_changes(old: list[dict], new: list[dict]) -> dict:
    """Compare two versions' provisions (``Provision.as_dict()`` shapes)."""
    before = _by_key(old)
    after = _by_key(new)
    changed = [
        {
            "type": key[0],
            "section": key[1],
            "old_text": before[key]["text"],
            "new_text": after[key]["text"],
        }
        for key in sorted(before.keys() & after.keys())
        if _words(before[key]["text"]) != _words(after[key]["text"])
    ]
    old_types = {p["type"] for p in old}
    new_types = {p["type"] for p in new}
    return {
        "added": [_brief(after[key]) for key in sorted(after.keys() - before.keys())],
        "removed": [_brief(before[key]) for key in sorted(before.keys() - after.keys())],
        "changed": changed,
        "types_added": sorted(new_types - old_types),
        "types_removed": sorted(old_types - new_types),
    }


def summary(changes: dict) -> str:
    """One line a reader can scan: "detainer_limit added in 7284.6(a)(1)(B); ..."."""
    parts = [f"{p['type']} added in {p['section'] or 'the text'}" for p in changes["added"]]
    parts += [f"{p['type']} removed from {p['section'] or 'the text'}" for p in changes["removed"]]
    parts += [f"{p['type']} changed in {p['section'] or 'the text'}" for p in changes["changed"]]
    return "; ".join(parts) if parts else "no change to key provisions"


def compare_versions(old: dict, new: dict) -> dict:
    """The full comparison of two versions given as ``{"text", "sections", "provisions"}``:
    the JSON shape of ``trustwatch diff`` and of the redline pages."""
    result = redline(old["text"], old["sections"], new["text"], new["sections"])
    changes = provision_changes(old["provisions"], new["provisions"])
    return {
        "ops": result["ops"],
        "sections": result["sections"],
        "provisions": {**changes, "summary": summary(changes)},
        "stats": result["stats"],
    }


def _by_key(provisions: list[dict]) -> dict:
    keyed: dict[tuple[str, str], dict] = {}
    for provision in provisions:
        keyed.setdefault((provision["type"], provision["section"]), provision)
    return keyed


def _brief(provision: dict) -> dict:
    return {"type": provision["type"], "section": provision["section"], "text": provision["text"]}


def _words(text: str) -> list[str]:
    return text.split()
