"""The crawl pipeline's change summaries: computed from the version just parsed, equal to
what the stored versions give, and recomputed when a crash left one missing."""

import json

from conftest import FIXTURES, run_cli

from trustwatch.db.migrations import open_database

RECORDING = FIXTURES / "california"


def summaries(db) -> dict:
    """The stored change summaries by version, without when they were computed."""
    return {
        row["version_id"]: {key: value for key, value in row.items() if key != "computed_at"}
        for row in db.query("select * from version_changes")
    }


def test_a_rerun_recomputes_summaries_a_crash_left_missing_from_the_stored_versions(db_path):
    crawl = ("crawl", "--replay", str(RECORDING), "--db", db_path, "--json")
    first = run_cli(*crawl)
    assert first.returncode == 0, first.stderr
    db = open_database(db_path)
    # Computed during the crawl, comparing each new version as parsed with the stored
    # one before it: 13 versions of 3 bills make 10 pairs.
    during = summaries(db)
    assert len(during) == 10
    # A crash after a version's commit and before its summary's leaves it missing.
    with db.atomic():
        db.execute("delete from version_changes")
    second = run_cli(*crawl)
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 13)
    # Recomputed from the database alone, every value is the same.
    assert summaries(db) == during
