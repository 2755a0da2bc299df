"""Read queries shared by the command line and the Datasette plugins."""

from collections.abc import Iterator

from sqlite_utils import Database

from .migrations import schema_version

TABLES = (
    "jurisdictions",
    "documents",
    "versions",
    "sections",
    "raw_responses",
    "crawl_runs",
    "crawl_errors",
)


def database_status(db: Database, recent: int = 5) -> dict:
    """Row counts, schema version and the most recent crawl runs."""
    return {
        "schema_version": schema_version(db),
        "counts": {table: db[table].count for table in TABLES},
        "recent_crawls": list(
            db.query(
                "select id, spider, started_at, finished_at, status, items_seen, "
                "versions_new, versions_unchanged, errors from crawl_runs "
                "order by id desc limit ?",
                [recent],
            )
        ),
    }


def versions_for_reparse(db: Database) -> tuple[int, Iterator[dict]]:
    """How many versions there are, and each with the raw bytes it was parsed from.

    Bodies are read one at a time, so a large database is not loaded into memory."""
    from .store import raw_body

    ids = [row[0] for row in db.execute("select id from versions order by id")]

    def rows() -> Iterator[dict]:
        for version_id in ids:
            row = next(
                db.query(
                    "select v.id as version_id, v.text_root, r.sha256, r.media_type, "
                    "r.encoding from versions v join raw_responses r on r.sha256 = v.raw_sha256 "
                    "where v.id = ?",
                    [version_id],
                )
            )
            row["body"] = raw_body(db, row.pop("sha256"))
            yield row

    return len(ids), rows()
