"""Progress of a long crawl on stderr: items seen, new versions, errors.

An operator watching a nightly run (or its log) sees one line a second while counts
change and a last line when the spider closes. Off unless ``TRUSTWATCH_PROGRESS``.
"""

import sys
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .pipelines import STAT


class Progress:
    def __init__(self, crawler: Crawler, interval: float = 1.0):
        self.stats = crawler.stats
        self.interval = interval
        self.last_line = ""
        self.last_time = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Progress":
        if not crawler.settings.getbool("TRUSTWATCH_PROGRESS"):
            raise NotConfigured
        progress = cls(crawler)
        for signal in (
            signals.item_scraped,
            signals.item_dropped,
            signals.response_received,
        ):
            crawler.signals.connect(progress.tick, signal=signal)
        crawler.signals.connect(progress.closed, signal=signals.spider_closed)
        return progress

    def line(self, spider: Spider) -> str:
        get = self.stats.get_value
        return (
            f"{spider.name}: {get('response_received_count', 0)} pages, "
            f"{get(STAT('items_seen'), 0)} versions seen, "
            f"{get(STAT('versions_new'), 0)} new, "
            f"{get(STAT('versions_unchanged'), 0)} unchanged, "
            f"{get(STAT('errors'), 0)} errors"
        )

    def tick(self, spider: Spider, **_) -> None:
        now = time.monotonic()
        if now - self.last_time >= self.interval:
            self._print(self.line(spider))
            self.last_time = now

    def closed(self, spider: Spider, reason: str) -> None:
        self._print(self.line(spider) + f" ({reason})", force=True)

    def _print(self, line: str, force: bool = False) -> None:
        if line != self.last_line or force:
            print(line, file=sys.stderr, flush=True)
            self.last_line = line
