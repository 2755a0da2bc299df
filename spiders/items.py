"""What spiders yield: fetched versions with their raw bytes, and failures.

Items carry no parsed text: parsing belongs to the pipeline, so that the same code
re-parses stored bytes later. A failure is an item too, so that a spider reports an
HTTP error or a missing version without touching the database itself.
"""

from dataclasses import dataclass, field

from trustwatch.db.store import Jurisdiction


@dataclass
class FetchedVersion:
    """One version of one document, as fetched."""

    source: str
    jurisdiction: Jurisdiction
    document_id: str
    session: str
    identifier: str
    title: str
    kind: str
    status: str
    document_url: str
    version_key: str
    label: str
    classification: str
    date: str | None
    sequence: int
    url: str
    http_status: int
    media_type: str
    encoding: str | None
    body: bytes = field(repr=False)
    headers: dict = field(default_factory=dict, repr=False)
    # The id of the element holding the document text on an HTML page.
    text_root: str | None = None


@dataclass
class CrawlFailure:
    """Something a spider could not fetch or read; recorded, never fatal to the crawl."""

    url: str
    kind: str
    message: str

    @classmethod
    def from_failure(cls, failure) -> "CrawlFailure":
        """Describe a failed request (a Twisted ``Failure`` from an errback)."""
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError
        from twisted.internet.error import TimeoutError as TwistedTimeout

        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            return cls(response.url, "http", f"HTTP {response.status} from {response.url}")
        if isinstance(error, IgnoreRequest):
            return cls(url, "ignored", str(error) or f"request ignored: {url}")
        if isinstance(error, TwistedTimeout) or "timeout" in type(error).__name__.lower():
            return cls(url, "timeout", f"timed out fetching {url}")
        return cls(url, "network", f"{type(error).__name__}: {error}")
