"""The crawl pipeline's change summaries: computed from the version just parsed, equal to
what the stored versions give, recomputed when a crash left one missing, and a crawl
error (not a lost version) when computing one fails."""

import asyncio
import json

from conftest import FIXTURES, fetched_version, real_text, run_cli

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


def test_a_comparison_that_fails_is_a_crawl_error_and_both_versions_stay(db_path, monkeypatch):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from trustwatch.spiders import parsing
    from trustwatch.spiders.pipelines import StorePipeline

    def broken(old, new):
        raise ValueError("a comparison bug")

    monkeypatch.setattr(parsing, "stored_comparison", broken)
    crawler = get_crawler(Spider, {"TRUSTWATCH_DB": db_path, "TRUSTWATCH_PARSE_WORKERS": 0})
    crawler.spider = Spider("test")
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    texts = [
        real_text(f"ca-sb54-2017-amended-{day}-amgoa-chunk.partial.txt").encode()
        for day in ("20170124", "20170301")
    ]

    async def store_both():
        for sequence, body in enumerate(texts, start=1):
            await pipeline.process_item(fetched_version(body, str(sequence), sequence))

    asyncio.run(store_both())
    pipeline.close_spider()
    db = open_database(db_path)
    assert db["versions"].count == 2
    assert db["version_changes"].count == 0
    [error] = db.query("select kind, message from crawl_errors")
    assert error["kind"] == "compare" and "a comparison bug" in error["message"]
