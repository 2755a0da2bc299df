"""Parsing beside the crawl: worker processes parse fetched versions, and compare them
with the versions before them, while the crawl process downloads and stores.

Parsing a version (text, sections, provision tagging) and comparing two are pure CPU
work in Python, and together they cost more than downloading a replayed page and
storing the result (bench/crawl.py). In the crawl process they stall the downloads; in
another process they run on another core meanwhile. ``TRUSTWATCH_PARSE_WORKERS`` sets
how many processes (default: one less than the machine's cores; 0 parses in the crawl
process, as a machine with one core does).

Workers are spawned, not forked: the crawl process runs Twisted and threads, which a
fork would copy half-way. Jobs and answers go over a socket each worker shares with the
crawl process, read and written by the crawl's own event loop: a process pool's feeder
and manager threads took the GIL from the reactor at every job (about a second of a
2,080-version crawl). A worker that dies (a parser crashing the interpreter on a
hostile PDF, say) loses only the version it held: :class:`ParserDied` is raised for it,
and a new worker takes the next ones.
"""

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import pickle
import socket
import struct

from trustwatch.db.store import packed
from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.document import ParsedDocument, parse_document

from .items import FetchedVersion

logger = logging.getLogger(__name__)
# Each message is its length, then a pickle.
_LENGTH = struct.Struct("!Q")


class ParserDied(Exception):
    """The worker process parsing a version stopped without an answer."""


class _WorkerStopped(Exception):
    """The worker holding a job stopped before answering it."""


class ParserPool:
    """Parse fetched versions in ``workers`` processes (in this one when 0).

    A comparison due while every worker has ``backlog`` jobs or more waiting is made in
    this process: the workers are behind, so this process has time to spare, and
    comparisons need nothing a worker holds. Both processes stay busy to the end of a
    crawl instead of the crawl process waiting for a worker's queue of comparisons: on
    the 2,080-page benchmark (bench/crawl.py) with one worker, 7.4-8.3 s instead of
    7.7-9.4 s in the same rounds; at 4 jobs the crawl process took too many and was the
    slower one (8.5-9.3 s).
    """

    def __init__(self, workers: int, parse=parse_document, backlog: int = 16):
        self.workers, self.function, self.backlog = workers, parse, backlog
        self._context = multiprocessing.get_context("spawn")
        self._running: list[_Worker] = []
        self._jobs = itertools.count()
        self._starting = asyncio.Lock()  # the first jobs arrive together: start workers once
        self.retrying = asyncio.Lock()

    async def parse(self, item: FetchedVersion) -> tuple[ParsedDocument, bytes]:
        """The parse of a version's bytes (raises what :func:`parse_document` raises),
        and the bytes as the database keeps them (compressing is work done here too)."""
        options = {"encoding": item.encoding, "text_root": item.text_root}
        return await self._run(
            parsed_and_packed, self.function, item.body, item.media_type, **options
        )

    async def compare(self, old: dict, new: dict) -> dict:
        """What is stored of :func:`compare_versions`: its stats and provision changes."""
        if self._running and min(len(w.waiting) for w in self._running) >= self.backlog:
            return stored_comparison(old, new)
        return await self._run(stored_comparison, old, new)

    async def _run(self, function, *arguments, **options):
        """``function(*arguments, **options)``, in a worker when there are workers.

        When a worker dies, every call it held fails: each is tried again, one at a
        time, so only the call that kills a worker a second time is lost."""
        if not self.workers:
            return function(*arguments, **options)
        try:
            return await self._submit(function, arguments, options)
        except _WorkerStopped:
            pass
        async with self.retrying:
            try:
                return await self._submit(function, arguments, options)
            except _WorkerStopped as error:
                raise ParserDied("the parser process stopped while working on this") from error

    async def _submit(self, function, arguments: tuple, options: dict):
        async with self._starting:
            for worker in [worker for worker in self._running if worker.stopped]:
                worker.close()
                self._running.remove(worker)
            while len(self._running) < self.workers:
                self._running.append(await _Worker.start(self._context))
        worker = min(self._running, key=lambda running: len(running.waiting))
        return await worker.run(next(self._jobs), function, arguments, options)

    def close(self) -> None:
        for worker in self._running:
            worker.close()
        self._running = []


class _Worker:
    """One worker process and the crawl process's end of its socket."""

    def __init__(self, process, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.process, self.reader, self.writer = process, reader, writer
        self.waiting: dict[int, asyncio.Future] = {}
        self.stopped = False
        self.listening = asyncio.get_running_loop().create_task(self._listen())

    @classmethod
    async def start(cls, context) -> "_Worker":
        ours, theirs = socket.socketpair()
        process = context.Process(target=serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        return cls(process, reader, writer)

    async def run(self, job: int, function, arguments: tuple, options: dict):
        answer = asyncio.get_running_loop().create_future()
        self.waiting[job] = answer
        message = pickle.dumps((job, function, arguments, options), pickle.HIGHEST_PROTOCOL)
        self.writer.write(_LENGTH.pack(len(message)) + message)
        return await answer

    async def _listen(self) -> None:
        """Hand each answer to its job. When the worker stops (or sends what cannot be
        read, which no worker of this module does), every job it held fails."""
        try:
            while True:
                (length,) = _LENGTH.unpack(await self.reader.readexactly(_LENGTH.size))
                job, succeeded, value = pickle.loads(await self.reader.readexactly(length))
                answer = self.waiting.pop(job)
                if answer.cancelled():  # its crawl is shutting down
                    continue
                if succeeded:
                    answer.set_result(value)
                else:
                    answer.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:  # not one job's failure: the channel's, so the worker's
            logger.exception("unreadable answer from parser process %s", self.process.pid)
        self.stopped = True
        for answer in self.waiting.values():
            if not answer.cancelled():
                answer.set_exception(_WorkerStopped())
        self.waiting.clear()

    def close(self) -> None:
        # The end of the jobs, at once (closing the transport waits for the event loop):
        # the worker reads it and returns.
        with contextlib.suppress(OSError):  # closed already: the worker stopped first
            self.writer.get_extra_info("socket").shutdown(socket.SHUT_WR)
        self.writer.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
        self.listening.cancel()


def serve(connection: socket.socket) -> None:
    """A worker process: run each job the crawl process sends, and send back its result
    or the exception it raised, until the crawl process closes the socket."""
    with connection:
        while header := _receive(connection, _LENGTH.size):
            (length,) = _LENGTH.unpack(header)
            job, function, arguments, options = pickle.loads(_receive(connection, length))
            try:
                answer = (job, True, function(*arguments, **options))
            except Exception as error:  # the caller's to handle, as if raised there
                answer = (job, False, error)
            try:
                message = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # an answer that cannot cross: say so instead
                failure = RuntimeError(f"{type(error).__name__}: {error}")
                message = pickle.dumps((job, False, failure), pickle.HIGHEST_PROTOCOL)
            connection.sendall(_LENGTH.pack(len(message)) + message)


def _receive(connection: socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes, or nothing when the socket closed before the first."""
    data = bytearray()
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            if data:
                raise ConnectionError("the crawl process closed the socket mid-message")
            return b""
        data += chunk
    return bytes(data)


def parsed_and_packed(parse, body: bytes, media_type: str | None, **options):
    """A body's parse, and the body as the database keeps it: compressing it here keeps
    that work off the crawl process too."""
    return parse(body, media_type, **options), packed(body)


def stored_comparison(old: dict, new: dict) -> dict:
    """The parts of a comparison the database keeps (the redline's ops, as long as the
    text, would only cross back between processes to be dropped)."""
    comparison = compare_versions(old, new, section_ops=False)
    return {"stats": comparison["stats"], "provisions": comparison["provisions"]}
