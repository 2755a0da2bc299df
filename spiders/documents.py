"""Watched documents that are not bills — code sections, ordinances, policies — as they stand.

``documents.yml`` (package data of ``trustwatch.spiders``) lists one entry per document: its
URL, jurisdiction, kind, title and, for an HTML page full of navigation, ``text_root`` (the
id of the element holding the text). Each crawl fetches every URL once; each response
becomes one :class:`FetchedVersion`.

**One version key, "current".** A watched URL shows one text at a time and has no version
ids of its own. The store keys versions by (document, version key, sha256 of the normalised
text), so every fetch carries the same key, ``"current"``: a re-crawl of an unchanged page
only moves the stored version's ``last_seen``, and a changed text adds exactly one version.
(The fetch date as the key would add a version per crawl day; ``Last-Modified`` changes
whenever a server re-renders a page.) A text that goes back to an earlier wording is a
new version too: the store compares a fetch with the latest text under its key, and keys
the returning text "current@<when>". The label is "as fetched
YYYY-MM-DD" (the response's ``Date`` header, else today in UTC); the date is the page's
``Last-Modified`` when the server sends one, else that fetch date. The classification, in
Open States' vocabulary: ``became-law`` for codes and ordinances (the text in force),
``filed`` for policies and directives (issued by an office, not enacted).

**Formats.** HTML (read from ``text_root`` when given, else the whole page) and PDFs with a
text layer are parsed by the pipeline (``trustwatch.parsers``). A scanned PDF — pictures of
pages, no text layer — cannot be read without OCR, which trustwatch does not do: the
pipeline's parser refuses it ("the PDF has no text layer (N pages): a scanned document
needs OCR"), records that in ``crawl_errors`` and stores no version, so the crawl exits
non-zero until someone watches a text version of that document instead.

**Failures.** An HTTP error or a network failure is a :class:`CrawlFailure` naming the
document; the other documents are still fetched and stored.

Arguments: ``ids`` — comma-separated entry ids; without it, every entry. The environment
variable ``TRUSTWATCH_DOCUMENTS_URL`` (a mirror such as ``http://127.0.0.1:8000``) replaces
the scheme and host of every watched URL, keeping path and query (tests use a local server).
"""

import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import resources
from urllib.parse import urlsplit, urlunsplit

import yaml
from scrapy import Request, Spider
from scrapy.http import Response

from trustwatch.db.store import Jurisdiction

from .items import CrawlFailure, FetchedVersion

VERSION_KEY = "current"
REQUIRED = ("id", "url", "jurisdiction", "jurisdiction_name", "level", "state_code", "kind")
LEVELS = frozenset({"state", "county", "place"})
_CLASSIFICATION = {
    "code": "became-law",
    "ordinance": "became-law",
    "policy": "filed",
    "directive": "filed",
}


class DocumentArgumentError(ValueError):
    """The watched list or a spider argument names something this spider cannot crawl."""


def watched_documents() -> list[dict]:
    """The entries of ``documents.yml``, checked (see the module docstring)."""
    try:
        text = resources.files("trustwatch.spiders").joinpath("documents.yml").read_text("utf-8")
    except FileNotFoundError as error:
        raise DocumentArgumentError(
            "documents.yml is not installed with trustwatch.spiders (package data)"
        ) from error
    entries = yaml.safe_load(text) or []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        missing = [key for key in (*REQUIRED, "title") if not entry.get(key)]
        if missing:
            raise DocumentArgumentError(
                f"documents.yml entry {number} ({entry.get('id', 'no id')}) lacks "
                + ", ".join(missing)
            )
        if entry["id"] in seen:
            raise DocumentArgumentError(f"documents.yml lists {entry['id']!r} twice")
        if entry["level"] not in LEVELS:
            raise DocumentArgumentError(
                f"{entry['id']}: level {entry['level']!r} is not one of {', '.join(sorted(LEVELS))}"
            )
        if entry["kind"] not in _CLASSIFICATION:
            raise DocumentArgumentError(
                f"{entry['id']}: kind {entry['kind']!r} is not one of {', '.join(_CLASSIFICATION)}"
            )
        seen.add(entry["id"])
    return entries


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with its scheme and host replaced by the mirror's (path and query kept)."""
    if not mirror:
        return url
    site, parts = urlsplit(mirror), urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, ""))


class DocumentsSpider(Spider):
    name = "documents"
    needs_key = None

    def __init__(self, ids: str | list[str] | None = None, bills=None, **kwargs):
        super().__init__(**kwargs)
        if bills:
            raise DocumentArgumentError(
                "watched documents have no bills: choose entries of documents.yml with ids"
            )
        entries = watched_documents()
        if isinstance(ids, str):
            ids = [i.strip() for i in ids.split(",") if i.strip()]
        if ids:
            known = {entry["id"]: entry for entry in entries}
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise DocumentArgumentError(
                    f"not in the watched list: {', '.join(unknown)}; "
                    f"known documents: {', '.join(known)}"
                )
            entries = [known[i] for i in dict.fromkeys(ids)]
        self.entries = entries
        self.mirror = os.environ.get("TRUSTWATCH_DOCUMENTS_URL", "").rstrip("/") or None
        self.crawl_arguments = {"ids": ",".join(entry["id"] for entry in entries)}

    async def start(self):
        for entry in self.entries:
            yield Request(
                mirrored(entry["url"], self.mirror),
                callback=self.parse_document,
                errback=self.failed,
                cb_kwargs={"entry": entry},
            )

    def parse_document(self, response: Response, entry: dict):
        """One watched page or file: its current text, as one version."""
        fetched = _header_date(response, b"Date") or datetime.now(UTC).date().isoformat()
        media_type = _media_type(response)
        yield FetchedVersion(
            source=self.name,
            jurisdiction=Jurisdiction(
                entry["jurisdiction"],
                entry["jurisdiction_name"],
                entry["level"],
                state_code=entry["state_code"],
                fips=entry.get("fips"),
                seat=entry.get("seat"),
            ),
            document_id=entry["id"],
            session="",
            identifier=entry.get("identifier") or entry["id"],
            title=entry["title"],
            kind=entry["kind"],
            status="current",
            document_url=entry["url"],
            version_key=VERSION_KEY,
            label=f"as fetched {fetched}",
            classification=_CLASSIFICATION[entry["kind"]],
            date=_header_date(response, b"Last-Modified") or fetched,
            sequence=1,
            url=response.url,
            http_status=response.status,
            media_type=media_type,
            # Scrapy may guess a text encoding even for a PDF; only text has one.
            encoding=getattr(response, "encoding", None) if _is_text(media_type) else None,
            body=response.body,
            headers={
                k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()
            },
            text_root=entry.get("text_root") if "html" in media_type else None,
        )

    def failed(self, failure):
        found = CrawlFailure.from_failure(failure)
        entry = failure.request.cb_kwargs.get("entry", {}) if hasattr(failure, "request") else {}
        if entry:
            found.message = f"{entry['id']}: {found.message}"
        yield found


def _header_date(response: Response, name: bytes) -> str | None:
    """An HTTP date header (``Sun, 29 Nov 2026 12:00:00 GMT``) as an ISO date, in UTC."""
    value = response.headers.get(name)
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def _is_text(media_type: str) -> bool:
    return media_type.startswith("text/") or "html" in media_type or "xml" in media_type


def _media_type(response: Response) -> str:
    content_type = response.headers.get(b"Content-Type")
    if content_type:
        return content_type.decode("latin-1").split(";")[0].strip().lower()
    if response.body.startswith(b"%PDF-"):
        return "application/pdf"
    return "text/html" if response.body.lstrip()[:1] == b"<" else "text/plain"
