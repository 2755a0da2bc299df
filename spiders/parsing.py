"""Parsing beside the crawl: worker processes parse fetched versions, and compare them
with the versions before them, while the crawl process downloads and stores.

Parsing a version (text, sections, provision tagging) and comparing two are pure CPU
work in Python, and together they cost more than downloading a replayed page and
storing the result (bench/crawl.py). In the crawl process they stall the downloads; in
another process they run on another core meanwhile. ``TRUSTWATCH_PARSE_WORKERS`` sets
how many processes (default: one less than the machine's cores; 0 parses in the crawl
process, as a machine with one core does).

Workers are spawned, not forked: the crawl process runs Twisted and threads, which a
fork would copy half-way. A worker that dies (a parser crashing the interpreter on a
hostile PDF, say) loses only the version it held: :class:`ParserDied` is raised for it,
and a new pool takes the next ones.
"""

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.document import ParsedDocument, parse_document

from .items import FetchedVersion


class ParserDied(Exception):
    """The worker process parsing a version stopped without an answer."""


class ParserPool:
    """Parse fetched versions in ``workers`` processes (in this one when 0)."""

    def __init__(self, workers: int, parse=parse_document):
        self.workers, self.function = workers, parse
        self.executor = self._start() if workers else None
        self.retrying = asyncio.Lock()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    async def parse(self, item: FetchedVersion) -> ParsedDocument:
        """The parse of a version's bytes (raises what :func:`parse_document` raises)."""
        options = {"encoding": item.encoding, "text_root": item.text_root}
        return await self._run(self.function, item.body, item.media_type, **options)

    async def compare(self, old: dict, new: dict) -> dict:
        """What is stored of :func:`compare_versions`: its stats and provision changes."""
        return await self._run(stored_comparison, old, new)

    async def _run(self, function, *arguments, **options):
        """``function(*arguments, **options)``, in a worker when there are workers.

        When the pool breaks, every call it held fails: each is tried again, one at a
        time, so only the call that breaks the pool a second time is lost."""
        if self.executor is None:
            return function(*arguments, **options)
        try:
            return await self._submit(function, arguments, options)
        except BrokenProcessPool:
            pass
        async with self.retrying:
            try:
                return await self._submit(function, arguments, options)
            except BrokenProcessPool as error:
                raise ParserDied("the parser process stopped while working on this") from error

    async def _submit(self, function, arguments: tuple, options: dict):
        executor = self.executor
        try:
            return await asyncio.wrap_future(executor.submit(function, *arguments, **options))
        except BrokenProcessPool:
            if self.executor is executor:  # the first of its versions to hear of it
                executor.shutdown(wait=False, cancel_futures=True)
                self.executor = self._start()
            raise

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def stored_comparison(old: dict, new: dict) -> dict:
    """The parts of a comparison the database keeps (the redline's ops, as long as the
    text, would only cross back between processes to be dropped)."""
    comparison = compare_versions(old, new)
    return {"stats": comparison["stats"], "provisions": comparison["provisions"]}
