"""Re-parse stored versions from their raw bytes: a rule fix is a re-parse, not a re-crawl."""

from collections.abc import Callable

from trustwatch.db.queries import versions_for_reparse
from trustwatch.db.store import forget_version_changes, replace_parsed, sync_provision_types
from trustwatch.parsers.document import parse_document
from trustwatch.parsers.errors import ParseError
from trustwatch.parsers.provision_rules import TAXONOMY_VERSION, TYPES
from trustwatch.spiders.pipelines import refresh_version_changes


def reparse_all(db, progress: Callable[[int, int], None] = lambda done, total: None) -> dict:
    """Parse every version again; return counts of changed, unchanged and failed ones."""
    sync_provision_types(db, TYPES, TAXONOMY_VERSION)
    counts = {"changed": 0, "unchanged": 0, "errors": 0, "failures": []}
    total, rows = versions_for_reparse(db)
    for done, row in enumerate(rows, start=1):
        try:
            parsed = parse_document(
                row["body"], row["media_type"], encoding=row["encoding"], text_root=row["text_root"]
            )
        except ParseError as error:
            counts["errors"] += 1
            counts["failures"].append({"version_id": row["version_id"], "message": str(error)})
            continue
        changed = replace_parsed(
            db,
            row["version_id"],
            parsed.text,
            [section.as_dict() for section in parsed.sections],
            [provision.as_dict() for provision in parsed.provisions],
        )
        counts["changed" if changed else "unchanged"] += 1
        progress(done, total)
    # The comparison is parser code too (how provisions pair across renumbering, say):
    # every stored change summary is computed again, not only those whose versions moved.
    forget_version_changes(db)
    counts["comparisons"] = refresh_version_changes(db)
    return counts
