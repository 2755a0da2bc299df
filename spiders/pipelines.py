"""The one pipeline: parse each fetched version and store it.

Spiders hand over raw bytes; here they become normalised text and sections
(``trustwatch.parsers``) and are stored (``trustwatch.db``). A version the parsers reject
is recorded as an error of the crawl run and dropped, never half-stored; a failure item
from a spider and an exception in a spider callback are recorded the same way, so
``crawl_errors`` holds everything that went wrong in a run.
"""

import asyncio
import time
from datetime import UTC, datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from trustwatch.db.migrations import open_database
from trustwatch.db.queries import previous_version_id, stale_version_changes, version_bundle
from trustwatch.db.runs import finish_crawl_run, record_crawl_error, start_crawl_run
from trustwatch.db.search import index_pending
from trustwatch.db.store import (
    DocumentRecord,
    RawResponse,
    VersionRecord,
    store_version,
    store_version_change,
    sync_provision_types,
)
from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.errors import ParseError
from trustwatch.parsers.provision_rules import TAXONOMY_VERSION, TYPES

from .items import CrawlFailure, FetchedVersion
from .parsing import ParserDied, ParserPool

STAT = "trustwatch/{}".format
# How many stored versions are kept at hand for comparing with the next ones.
RECENT_VERSIONS = 64
# New versions become searchable in bulk (trustwatch.db.search): once this many wait,
# or the first of them has waited this many seconds.
SEARCH_BATCH = 500
SEARCH_DELAY = 60.0


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings["TRUSTWATCH_DB"]
        self.workers = crawler.settings.getint("TRUSTWATCH_PARSE_WORKERS")
        if crawler.settings.getbool("HTTPCACHE_ENABLED"):
            self.mode = crawler.settings.get("TRUSTWATCH_RECORDING_MODE", "replay")
        else:
            self.mode = "live"
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.db = open_database(self.db_path)
        sync_provision_types(self.db, TYPES, TAXONOMY_VERSION)
        arguments = getattr(spider, "crawl_arguments", {})
        self.run_id = start_crawl_run(self.db, spider.name, arguments, self.mode, utcnow())
        self.stats.set_value(STAT("crawl_run_id"), self.run_id)
        self.parser = ParserPool(self.workers)
        self.stored = None  # the last item's turn to store: the next one waits for it
        self.comparing: set[tuple[int, int]] = set()  # (version, previous) pairs in a worker
        self.recent: dict[int, dict] = {}  # the versions stored last, as parsed, by id
        self.unsearchable = 0  # new versions not yet in the full-text index
        self.unsearchable_since = 0.0

    def close_spider(self) -> None:
        reason = self.stats.get_value("finish_reason") or "finished"
        counts = {
            key: self.stats.get_value(STAT(key), 0)
            for key in ("items_seen", "versions_new", "versions_unchanged", "errors")
        }
        status = "finished" if reason == "finished" else f"stopped: {reason}"
        if self.stats.get_value(STAT("skipped")):
            status = f"skipped: {self.stats.get_value(STAT('skipped'))}"
        finish_crawl_run(self.db, self.run_id, status, counts, utcnow())
        index_pending(self.db)
        self.db.close()
        self.parser.close()

    async def process_item(self, item):
        """Parse in a worker process while earlier items are stored; store in the
        order items arrived (so a document's versions and ids come out the same on
        every run)."""
        earlier, self.stored = self.stored, asyncio.get_running_loop().create_future()
        mine = self.stored
        try:
            parsed = packed_body = None
            if isinstance(item, FetchedVersion):
                self.stats.inc_value(STAT("items_seen"))
                try:
                    parsed, packed_body = await self.parser.parse(item)
                except (ParseError, ParserDied) as error:
                    parsed = error
            if earlier is not None:
                await earlier
            due = self._store(item, parsed, packed_body)
        finally:
            mine.set_result(None)
        await self._compare(item, due)
        return item

    async def _compare(self, item: FetchedVersion, due: list[tuple]) -> None:
        """Compare stored versions with the ones before them, in a worker, and keep the
        result unless an older version arrived in between meanwhile (that pair is due
        then, and is compared in its turn). A comparison that fails is recorded as an
        error; its summary stays missing and is computed when the document is next seen."""
        for version_id, previous_id, old, new in due:
            try:
                comparison = await self.parser.compare(old, new)
            except Exception as error:  # a dead worker, or a bug: the version stays stored
                self._error(item.url, "compare", f"version {version_id}: {error!r}")
                continue
            finally:
                self.comparing.discard((version_id, previous_id))
            if previous_version_id(self.db, version_id) == previous_id:
                store_version_change(self.db, version_id, previous_id, comparison, utcnow())

    def _store(self, item, parsed, packed_body: bytes | None) -> list[tuple]:
        """Store the item; return the comparisons it makes due (see :func:`due_comparisons`)."""
        if isinstance(item, CrawlFailure):
            self._error(item.url, item.kind, item.message)
            return []
        if not isinstance(item, FetchedVersion):
            raise DropItem(f"not a trustwatch item: {type(item).__name__}")
        if isinstance(parsed, Exception):
            message = f"{item.identifier} {item.label} ({item.date}): {parsed}"
            self._error(item.url, "parse", message)
            raise DropItem(message) from parsed
        version = VersionRecord(
            source_key=item.version_key,
            label=item.label,
            classification=item.classification,
            date=item.date,
            sequence=item.sequence,
            text=parsed.text,
            sections=[section.as_dict() for section in parsed.sections],
            source_url=item.url,
            provisions=[provision.as_dict() for provision in parsed.provisions],
            text_root=item.text_root,
        )
        result = store_version(
            self.db,
            _document(item),
            version,
            RawResponse(
                url=item.url,
                status=item.http_status,
                body=item.body,
                media_type=item.media_type,
                encoding=item.encoding,
                headers=item.headers,
                packed_body=packed_body,
            ),
            crawl_run_id=self.run_id,
            now=utcnow(),
        )
        self.stats.inc_value(STAT(f"versions_{result.status}"))
        # A new version goes to the comparisons as parsed, not read back: it was stored
        # just now (and the version before it, usually, a moment earlier). An unchanged
        # one is read back (an older parser may have stored it) and is checked too: a
        # crash between storing a version and storing its change summary leaves the
        # summary missing, and seeing the document again recomputes it (one indexed
        # query when nothing is missing).
        if result.status == "new":
            self._searchable_soon()
            self.recent[result.version_id] = {
                "text": version.text,
                "sections": version.sections,
                "provisions": version.provisions,
            }
            if len(self.recent) > RECENT_VERSIONS:
                del self.recent[next(iter(self.recent))]
        due = due_comparisons(self.db, item.document_id, self.recent, skip=self.comparing)
        self.comparing.update((version_id, previous_id) for version_id, previous_id, *_ in due)
        return due

    def _searchable_soon(self) -> None:
        """Count a new version waiting for the full-text index; index the waiting ones
        once there are enough of them or the first has waited long enough."""
        now = time.monotonic()
        if not self.unsearchable:
            self.unsearchable_since = now
        self.unsearchable += 1
        if self.unsearchable >= SEARCH_BATCH or now - self.unsearchable_since >= SEARCH_DELAY:
            index_pending(self.db)
            self.unsearchable = 0

    def spider_error(self, failure, response, spider: Spider) -> None:
        """A bug or an unexpected page in a spider callback: keep it with the run."""
        self._error(response.url, "spider", f"{type(failure.value).__name__}: {failure.value}")

    def _error(self, url: str, kind: str, message: str) -> None:
        self.stats.inc_value(STAT("errors"))
        record_crawl_error(self.db, self.run_id, url, kind, message, utcnow())
        spider = self.crawler.spider
        spider.logger.warning("%s error: %s", kind, message)


def refresh_version_changes(
    db, document_id: str | None = None, bundles: dict[int, dict] | None = None
) -> int:
    """Compare every version whose change summary is missing or stale with the version
    before it, and store the result; returns how many were computed.

    ``bundles`` holds versions as ``version_bundle`` would read them back (text,
    sections, provisions), by id: those are not read from the database again."""
    due = due_comparisons(db, document_id, bundles)
    for version_id, previous_id, old, new in due:
        comparison = compare_versions(old, new, section_ops=False)  # what is stored needs none
        store_version_change(db, version_id, previous_id, comparison, utcnow())
    return len(due)


def due_comparisons(
    db,
    document_id: str | None = None,
    bundles: dict[int, dict] | None = None,
    skip: set[tuple[int, int]] = frozenset(),
) -> list[tuple[int, int, dict, dict]]:
    """(version, previous version, the previous one's bundle, the version's bundle) for
    every version whose change summary is missing or stale (see ``refresh_version_changes``),
    but the (version, previous version) pairs in ``skip``."""
    bundles = bundles or {}
    due = []
    for version_id, previous_id in stale_version_changes(db, document_id):
        if (version_id, previous_id) in skip:
            continue
        old, new = (bundles.get(i) or version_bundle(db, i) for i in (previous_id, version_id))
        due.append((version_id, previous_id, old, new))
    return due


def _document(item: FetchedVersion) -> DocumentRecord:
    return DocumentRecord(
        id=item.document_id,
        jurisdiction=item.jurisdiction,
        source=item.source,
        session=item.session,
        identifier=item.identifier,
        title=item.title,
        kind=item.kind,
        status=item.status,
        source_url=item.document_url,
    )


def summary(stats: dict) -> dict:
    """The counts of a finished crawl, from its Scrapy stats."""
    return {
        "crawl_run_id": stats.get(STAT("crawl_run_id")),
        **{
            key: stats.get(STAT(key), 0)
            for key in ("items_seen", "versions_new", "versions_unchanged", "errors")
        },
        "finish_reason": stats.get("finish_reason"),
        "skipped": stats.get(STAT("skipped")),  # why the source did not run, if it did not
        "pages": stats.get("response_received_count", 0),
        "retries": stats.get("retry/count", 0),
        "backoffs": stats.get(STAT("backoff"), 0),
    }
