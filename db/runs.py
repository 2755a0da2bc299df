"""Crawl runs: one row per spider run, with its counts and the errors it met.

A run is written ``running`` when it starts and closed when it ends, so a crash leaves
a visible ``running`` row rather than nothing; the next run is unaffected because
versions are stored idempotently.
"""

import json

from sqlite_utils import Database

COUNTS = ("items_seen", "versions_new", "versions_unchanged", "errors")


def start_crawl_run(db: Database, spider: str, arguments: dict, mode: str, now: str) -> int:
    """Record the start of a crawl and return its id."""
    with db.atomic():
        return (
            db["crawl_runs"]
            .insert(
                {
                    "spider": spider,
                    "arguments": json.dumps(arguments, sort_keys=True),
                    "mode": mode,
                    "started_at": now,
                    "status": "running",
                    **dict.fromkeys(COUNTS, 0),
                }
            )
            .last_pk
        )


def record_crawl_error(
    db: Database, crawl_run_id: int, url: str, kind: str, message: str, now: str
) -> None:
    """Keep one error of a run (an HTTP error, a timeout, a page with no text...)."""
    with db.atomic():
        db["crawl_errors"].insert(
            {
                "crawl_run_id": crawl_run_id,
                "url": url,
                "kind": kind,
                "message": message,
                "at": now,
            }
        )


def finish_crawl_run(db: Database, crawl_run_id: int, status: str, counts: dict, now: str) -> None:
    """Close a run with its final status and counts."""
    with db.atomic():
        db["crawl_runs"].update(
            crawl_run_id,
            {
                "finished_at": now,
                "status": status,
                **{k: counts.get(k, 0) for k in COUNTS},
            },
        )
