"""Read queries shared by the command line and the Datasette plugins."""

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
