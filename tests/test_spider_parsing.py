"""Parsing in worker processes: the same parse as in the crawl process, and a worker that
dies loses only the version that killed it."""

import asyncio
import multiprocessing
import os
import time
import zlib

import pytest
from conftest import fetched_version, real_text

from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.document import parse_document
from trustwatch.spiders import parsing
from trustwatch.spiders.parsing import ParserDied, ParserPool

KILLER = b"this body stops the parser process"


def parse_or_die(body: bytes, media_type: str | None, **options):
    """parse_document, except that one body ends the process as a crash would."""
    if body == KILLER:
        os._exit(70)
    return parse_document(body, media_type, **options)


async def parse_all(pool: ParserPool, bodies: list[bytes]) -> list:
    """Each body's parse (or the exception parsing it raised); checks the packed bodies."""
    try:
        results = await asyncio.gather(
            *(pool.parse(fetched_version(body)) for body in bodies), return_exceptions=True
        )
    finally:
        pool.close()
    for body, result in zip(bodies, results, strict=True):
        if not isinstance(result, Exception):
            assert zlib.decompress(result[1]) == body
    return [result if isinstance(result, Exception) else result[0] for result in results]


def test_a_worker_parses_as_the_crawl_process_does():
    body = real_text("ca-sb54-2017-chaptered.txt").encode()
    [parsed] = asyncio.run(parse_all(ParserPool(1), [body]))
    assert parsed == parse_document(body, "text/plain", encoding="utf-8")
    assert parsed.provisions


def test_a_dead_worker_loses_only_the_version_that_killed_it():
    good = [real_text(name).encode() for name in ("ca-sb54-2017-chaptered.txt",) * 2]
    results = asyncio.run(parse_all(ParserPool(1, parse_or_die), [good[0], KILLER, good[1]]))
    assert isinstance(results[1], ParserDied)
    assert [r.text for r in (results[0], results[2])] == [
        parse_document(body, "text/plain").text for body in good
    ]


def test_parse_errors_reach_the_caller_unchanged():
    [result] = asyncio.run(parse_all(ParserPool(1), [b""]))
    assert type(result).__name__ == "NoTextError"


@pytest.mark.parametrize("workers", [0, 1])
def test_in_process_or_in_a_worker_a_real_text_has_sections(workers):
    body = real_text("chicago-mc-2-173-030-current.txt").encode()
    [parsed] = asyncio.run(parse_all(ParserPool(workers), [body]))
    assert parsed.sections


@pytest.mark.parametrize("workers", [0, 1])
def test_a_comparison_made_in_a_worker_is_the_one_the_database_keeps(workers):
    versions = []
    for name in (
        "ca-sb54-2017-amended-20170124-amgoa-chunk.partial.txt",
        "ca-sb54-2017-amended-20170301-amgoa-chunk.partial.txt",
    ):
        parsed = parse_document(real_text(name).encode(), "text/plain")
        versions.append(
            {
                "text": parsed.text,
                "sections": [section.as_dict() for section in parsed.sections],
                "provisions": [provision.as_dict() for provision in parsed.provisions],
            }
        )

    async def compare():
        pool = ParserPool(workers)
        try:
            return await pool.compare(*versions)
        finally:
            pool.close()

    comparison = asyncio.run(compare())
    whole = compare_versions(*versions)
    assert comparison == {"stats": whole["stats"], "provisions": whole["provisions"]}
    assert comparison["stats"]["words_added"] > 0


def slow_parse(body: bytes, media_type: str | None, **options):
    time.sleep(0.3)
    return parse_document(body, media_type, **options)


def made_where(old: dict, new: dict) -> int:
    return os.getpid()


def test_a_comparison_is_made_here_while_the_worker_is_behind(monkeypatch):
    monkeypatch.setattr(parsing, "stored_comparison", made_where)
    body = real_text("chicago-mc-2-173-030-current.txt").encode()

    async def compare_while(waiting: int):
        pool = ParserPool(1, slow_parse, backlog=2)
        try:
            jobs = [
                asyncio.ensure_future(pool.parse(fetched_version(body))) for _ in range(waiting)
            ]
            await asyncio.sleep(0.1)  # the jobs reach the worker
            compared = await pool.compare({}, {})
            await asyncio.gather(*jobs)
            return compared
        finally:
            pool.close()

    assert asyncio.run(compare_while(2)) == os.getpid()
    assert asyncio.run(compare_while(1)) != os.getpid()


def test_answers_reach_the_jobs_they_belong_to_and_big_bodies_cross_whole():
    texts = [
        real_text(name)
        for name in ("ca-sb54-2017-chaptered.txt", "chicago-mc-2-173-030-current.txt")
    ]
    # Megabytes each way: more than a socket buffers, so neither side may wait to write.
    bodies = [texts[0].encode() * 20, *(text.encode() for text in texts * 4)]
    results = asyncio.run(parse_all(ParserPool(2), bodies))
    assert [result.text for result in results] == [
        parse_document(body, "text/plain", encoding="utf-8").text for body in bodies
    ]
    assert len(results[0].text) > 500_000


def test_jobs_arriving_together_start_only_the_workers_asked_for():
    body = real_text("chicago-mc-2-173-030-current.txt").encode()

    async def parse_many():
        pool = ParserPool(1)
        try:
            await asyncio.gather(*(pool.parse(fetched_version(body)) for _ in range(6)))
            return len(multiprocessing.active_children())
        finally:
            pool.close()

    assert asyncio.run(parse_many()) == 1
