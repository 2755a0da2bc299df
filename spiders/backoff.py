"""Back off from a site that says it is overloaded.

Scrapy's retry middleware retries 429 and 5xx responses at once; this middleware, placed
before it, first doubles the delay of that site's download slot (or waits as long as a
``Retry-After`` header asks), so retries arrive slower, not faster. A good response
lets AutoThrottle bring the delay back down.
"""

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

_OVERLOADED = {429, 500, 502, 503, 504, 522, 524}


class BackoffMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("TRUSTWATCH_BACKOFF_MAX_DELAY", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffMiddleware":
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in _OVERLOADED and "cached" not in response.flags:
            self._slow_down(request, _retry_after(response))
        return response

    def _slow_down(self, request: Request, wait: float | None) -> None:
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        slot.delay = min(self.max_delay, wait if wait is not None else max(1.0, slot.delay * 2))
        self.crawler.stats.inc_value("trustwatch/backoff")


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to doubling
