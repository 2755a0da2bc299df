"""What the spiders of keyed APIs share: the key sent on the wire and nowhere else.

An API key must never be logged, recorded or stored. No Scrapy request carries it: the
download handler below adds it only to the copy of a request it sends, for requests the
spider marks as API calls to the API's own host, and returns the response under the
keyless URL. So the HTTP cache and its recordings, items, the database and crawl errors
see keyless URLs only, a replay works with any dummy key, and a log filter blanks the key
in the few warnings where Scrapy logs a raw URL. Without a key the spider logs one line
and yields nothing.
"""

import logging
import os
from urllib.parse import quote, urlsplit

from scrapy import Request, Spider
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DownloadFailedError
from scrapy.http import Response

from .items import CrawlFailure
from .pipelines import STAT

API_REQUEST = "trustwatch_api_request"
REDACTED = "[API key]"
HANDLER = "trustwatch.spiders.keyed.ApiKeyDownloadHandler"


class ApiKeyDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, adding the running spider's API key on the wire.

    The spider's ``on_the_wire(request)`` gives the request as it must be sent (with the
    key), or None to send it as it is. Middlewares, the HTTP cache and its recordings,
    callbacks, items and logs only see the keyless request: the response comes back under
    its URL, and an error mentioning the key is replaced by one that does not."""

    async def download_request(self, request: Request) -> Response:
        spider = self._crawler.spider
        keyed = spider.on_the_wire(request) if hasattr(spider, "on_the_wire") else None
        if keyed is None:
            return await super().download_request(request)
        try:
            response = await super().download_request(keyed)
        except Exception as error:
            if not _mentions(error, spider.api_key):
                raise
            message = redact(str(error), spider.api_key)
            try:
                scrubbed = type(error)(message)
            except Exception:
                scrubbed = DownloadFailedError(message)
            raise scrubbed from None
        return response.replace(url=request.url)


def redact(text: str, secret: str) -> str:
    """``text`` without ``secret``, as it is or percent-encoded as in a URL."""
    for form in {secret, quote(secret, safe="")}:
        text = text.replace(form, REDACTED)
    return text


def _mentions(error: BaseException | None, secret: str) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if any(redact(text, secret) != text for text in (str(error), repr(error.args))):
            return True
        error = error.__cause__ or error.__context__
    return False


class _RedactKey(logging.Filter):
    """Blanks an API key in log records (Scrapy logs a request's URL in a few warnings)."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        if redact(message, self.secret) != message:
            record.msg, record.args = redact(message, self.secret), ()
        if record.exc_info and not record.exc_text:
            trace = logging.Formatter().formatException(record.exc_info)
            if redact(trace, self.secret) != trace:
                record.exc_text = redact(trace, self.secret)
        return True


class KeyedApiSpider(Spider):
    """What the keyed API spiders share: the key from ``needs_key``, the download handler
    that sends it, and the one-line skip when it is not set."""

    needs_key: str = ""
    custom_settings = {"DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER}}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.api_key = os.environ.get(self.needs_key, "").strip()

    async def start(self):
        if not self.api_key:
            self.logger.warning("%s is not set: skipping the %s source", self.needs_key, self.name)
            # Also in the crawl's summary (--json) and its crawl_runs row: under -q or
            # --json the warning above is not shown.
            self.crawler.stats.set_value(STAT("skipped"), f"{self.needs_key} is not set")
            return
        guard = _RedactKey(self.api_key)
        for handler in logging.getLogger().handlers:
            handler.addFilter(guard)
        for request in self.first_requests():
            yield request

    def first_requests(self):
        raise NotImplementedError

    def api_request(self, url: str, callback, **cb_kwargs) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.failed,
            cb_kwargs=cb_kwargs,
            meta={API_REQUEST: True, "autothrottle_dont_adjust_delay": True},
        )

    def is_api_call(self, request: Request) -> bool:
        return bool(request.meta.get(API_REQUEST)) and (
            urlsplit(request.url).netloc == urlsplit(self.site).netloc
        )

    def failed(self, failure):
        yield CrawlFailure.from_failure(failure)
