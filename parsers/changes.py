"""What changed between two versions: the redline, plus what it did to the provisions.

Researchers ask "what did the amendment change?" in the taxonomy's terms ("detainer
limit added in 7284.6(a)(1)(B)"), so provisions are compared by type and section: a
provision is added or removed when its (type, section) appears or disappears, and changed
when its evidence reads differently. Sections are named as in the new version: an
amendment that inserts "SEC. 3." renumbers every bill section after it, and the section
view pairs old "SEC. 5." with new "SEC. 6.", so their provisions are compared with each
other rather than reported as removed from one and added in the other. A section the new
version dropped keeps its old number. The word-level redline itself is
:mod:`trustwatch.parsers.redline`.
"""

from .redline import redline


def provision_changes(
    old: list[dict], new: list[dict], types: tuple[set[str], set[str]] | None = None
) -> dict:
    """Compare two versions' provisions (``Provision.as_dict()`` shapes). ``types`` are
    the types of each whole version when ``old`` and ``new`` hold only the provisions
    where the versions differ (see :func:`compare_versions`)."""
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
    old_types, new_types = types or ({p["type"] for p in old}, {p["type"] for p in new})
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


def compare_versions(old: dict, new: dict, *, section_ops: bool = True) -> dict:
    """The full comparison of two versions given as ``{"text", "sections", "provisions"}``:
    the JSON shape of ``trustwatch diff`` and of the redline pages. Without
    ``section_ops`` the section view's entries leave out their own word ops (see
    :func:`~trustwatch.parsers.section_view.section_diff`).

    Without ``"provisions"`` (files given to ``trustwatch diff``), only the parts where
    the versions differ are tagged: the same result as tagging both whole, for a fraction
    of the cost on a long bill with a few amendments."""
    result = redline(
        old["text"], old["sections"], new["text"], new["sections"], section_ops=section_ops
    )
    renames = _renames(result["sections"])
    if "provisions" in old and "provisions" in new:
        changes = provision_changes(_renamed(old["provisions"], renames), new["provisions"])
    else:
        # Imported here: the tagger compiles its patterns when imported (~30 ms of the
        # command's start-up), and comparing two stored versions needs none of them.
        from .provisions import tag_differences
        from .sections import Section

        old_found, new_found, *types = tag_differences(
            old["text"],
            [Section(**section) for section in old["sections"]],
            new["text"],
            [Section(**section) for section in new["sections"]],
            renames,
        )
        changes = provision_changes(
            _renamed([p.as_dict() for p in old_found], renames),
            [p.as_dict() for p in new_found],
            tuple(types),
        )
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


def _renames(sections: list[dict]) -> dict[str, str]:
    """Old section number → its number in the new version, for every number the section
    view pairs one way only (a number used twice in a text may pair two ways: kept)."""
    targets: dict[str, set[str]] = {}
    for entry in sections:
        if entry["number_old"] is not None and entry["number_new"] is not None:
            targets.setdefault(entry["number_old"], set()).add(entry["number_new"])
    return {
        old: next(iter(new))
        for old, new in targets.items()
        if len(new) == 1 and next(iter(new)) != old
    }


def _renamed(provisions: list[dict], renames: dict[str, str]) -> list[dict]:
    return [{**p, "section": renames.get(p["section"], p["section"])} for p in provisions]
