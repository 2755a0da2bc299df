"""The full-text index written in bulk: new versions become searchable when
``index_pending`` runs, reparsing keeps the index exact, a database from before the
change keeps its index, and a crawl that stopped short is caught up by the next open.

"Exact" is checked term by term: every term instance (term, row, column, offset) in each
stored index equals those of a fresh FTS5 index of the rows it should hold."""

import asyncio

from conftest import fetched_version, real_text
from sqlite_utils import Database
from test_db_store import SB54

from trustwatch.db.migrations import migrations, open_database
from trustwatch.db.search import INDEXED, index_pending
from trustwatch.db.store import (
    RawResponse,
    VersionRecord,
    replace_parsed,
    store_version,
    sync_provision_types,
)
from trustwatch.parsers.document import parse_document
from trustwatch.parsers.provision_rules import TAXONOMY_VERSION, TYPES

TEXTS = [
    "ca-sb54-2017-amended-20170124-amgoa-chunk.partial.txt",
    "ca-sb54-2017-amended-20170301-amgoa-chunk.partial.txt",
    "ca-sb54-2017-chaptered.txt",
]


def store(db, name: str, sequence: int) -> int:
    sync_provision_types(db, TYPES, TAXONOMY_VERSION)
    parsed = parse_document(real_text(name).encode(), "text/plain")
    record = VersionRecord(
        source_key=name,
        label=name,
        classification="",
        date=None,
        sequence=sequence,
        text=parsed.text,
        sections=[s.as_dict() for s in parsed.sections],
        source_url=SB54.source_url,
        provisions=[p.as_dict() for p in parsed.provisions],
    )
    raw = RawResponse(SB54.source_url, 200, name.encode(), "text/plain", "utf-8", {})
    return store_version(db, SB54, record, raw, crawl_run_id=None, now="t").version_id


def terms(db, schema: str, fts: str) -> list[tuple]:
    db.execute(f"create virtual table temp.terms using fts5vocab({schema}, {fts}, 'instance')")
    try:
        return sorted(db.execute("select term, doc, col, offset from temp.terms").fetchall())
    finally:
        db.execute("drop table temp.terms")


def assert_index_exact(db, through: int) -> None:
    """Each index holds exactly the rows of versions up to ``through``."""
    assert db.execute("select versions_through from search_progress").fetchone()[0] == through
    for table, key, columns in INDEXED:
        listed = ", ".join(columns)
        db.execute(f"create virtual table temp.fresh using fts5({listed})")
        try:
            db.execute(
                f"insert into temp.fresh (rowid, {listed}) "
                f"select rowid, {listed} from {table} where {key} <= ?",
                [through],
            )
            expected = terms(db, "temp", "fresh")
        finally:
            db.execute("drop table temp.fresh")
        assert terms(db, "main", f"{table}_fts") == expected, table


def found(db, table: str, phrase: str) -> set[int]:
    query = f"select rowid from {table}_fts where {table}_fts match ?"
    return {row[0] for row in db.execute(query, [f'"{phrase}"'])}


def test_new_versions_become_searchable_when_the_pending_ones_are_indexed(db_path):
    db = open_database(db_path)
    ids = [store(db, name, sequence) for sequence, name in enumerate(TEXTS, start=1)]
    assert found(db, "versions", "hold request") == set()
    assert_index_exact(db, 0)
    assert index_pending(db) == 3
    assert found(db, "versions", "hold request") == {ids[2]}
    assert found(db, "provisions", "transfer") and found(db, "sections", "judicial warrant")
    assert_index_exact(db, ids[2])
    # Nothing waits now: a second call indexes nothing twice.
    assert index_pending(db) == 0
    assert_index_exact(db, ids[2])


def test_reparsing_keeps_the_index_exact_whether_a_version_is_indexed_or_waiting(db_path):
    db = open_database(db_path)
    first = store(db, TEXTS[0], 1)
    index_pending(db)
    second = store(db, TEXTS[2], 2)
    for version_id, name in ((first, TEXTS[2]), (second, TEXTS[1])):
        parsed = parse_document(real_text(name).encode(), "text/plain")
        assert replace_parsed(
            db,
            version_id,
            parsed.text,
            [s.as_dict() for s in parsed.sections],
            [p.as_dict() for p in parsed.provisions],
        )
        assert_index_exact(db, first)
    # The indexed version reads as the chaptered text now, not as its old one.
    assert found(db, "versions", "hold request") == {first}
    index_pending(db)
    assert_index_exact(db, second)


def test_a_database_indexed_row_by_row_keeps_its_index_and_indexes_new_versions_in_bulk(
    db_path,
):
    before = Database(db_path)
    migrations.apply(before, stop_before="m004_search_in_bulk")
    old = store(before, TEXTS[0], 1)  # indexed by the old triggers, as it is stored
    assert found(before, "versions", "California Values Act") == {old}
    before.close()
    db = open_database(db_path)
    assert_index_exact(db, old)
    new = store(db, TEXTS[2], 2)
    assert_index_exact(db, old)
    index_pending(db)
    assert_index_exact(db, new)


def test_versions_a_crawl_left_waiting_are_indexed_when_the_database_is_next_opened(db_path):
    db = open_database(db_path)
    ids = [store(db, name, sequence) for sequence, name in enumerate(TEXTS, start=1)]
    db.close()  # as if the crawl had stopped here
    db = open_database(db_path)
    assert_index_exact(db, ids[-1])
    assert found(db, "versions", "hold request") == {ids[-1]}


def test_the_crawl_indexes_waiting_versions_in_batches_and_when_it_closes(db_path, monkeypatch):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from trustwatch.spiders import pipelines

    monkeypatch.setattr(pipelines, "SEARCH_BATCH", 2)
    crawler = get_crawler(Spider, {"TRUSTWATCH_DB": db_path, "TRUSTWATCH_PARSE_WORKERS": 0})
    crawler.spider = Spider("test")
    pipeline = pipelines.StorePipeline.from_crawler(crawler)
    pipeline.open_spider()

    async def store_all():
        for sequence, name in enumerate(TEXTS, start=1):
            body = real_text(name).encode()
            await pipeline.process_item(fetched_version(body, str(sequence), sequence))

    asyncio.run(store_all())
    reader = open_database(db_path, migrate=False)
    ids = [row[0] for row in reader.execute("select id from versions order by id")]
    assert_index_exact(reader, ids[1])  # the first two, as a batch; the third waits
    pipeline.close_spider()
    assert_index_exact(reader, ids[2])
