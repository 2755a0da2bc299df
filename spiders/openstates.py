"""State bills from the Open States API v3, v3.openstates.org — every version of every bill found.

The API. ``GET /bills?jurisdiction=<ocd-jurisdiction id>&q=<search>&include=abstracts&include=
versions&page=N&per_page=P`` answers ``{"results": [...], "pagination": {"page", "max_page",
"per_page", "total_items"}}``. The spider asks for page 1 of each state, then pages 2 to
``max_page``. A bill has ``id``, ``identifier`` ("SB 4"), ``title``, ``session`` ("85"),
``jurisdiction`` {id, name, classification}, ``classification`` (["bill"]),
``openstates_url``, ``latest_action_description``, ``abstracts`` and ``versions``: [{note,
date, links: [{url, media_type}]}], in the order the legislature published them. Each
version becomes one FetchedVersion. The spider fetches one link per version from the
legislature's own site, choosing HTML first, then XML, then PDF, then plain text. The
media type is the one the API gives for that link. A version with none of these links, or
whose fetch fails (a 404, say), becomes a CrawlFailure, and the other versions are still
fetched. Open States' Texas and Florida scrapers give versions no date: ``date`` is then
None, and ``sequence`` keeps the API's order.

Search and relevance. The search is one full-text query per state, and a bill is kept only
when its title or one of its abstracts passes the relevance filter: both are explained
and measured in :mod:`~trustwatch.spiders.state_bills`, which the legiscan spider shares.

What is stored. ``document_id`` is ``<state>-<session>-<identifier>``, lower case: the
API's session identifier, with every run of other characters than letters and digits made
``-``, and the identifier without spaces or punctuation, so ``tx-85-sb4`` or
``fl-2019-sb168``. ``jurisdiction`` is the state's OCD division, with its name and FIPS code
from openstates-metadata. ``classification`` is the version's own ``classification`` when
the API gives one; otherwise it is read from the version's note (Texas "Senate Committee
Report", Florida "S 168 e1"...). It uses Open States' version vocabulary, plus "reported"
and "engrossed" as in govinfo.py, and "other" when the note says nothing known. ``status``
is the bill's latest action, else its last version's note.

The key. It is read from ``OPENSTATES_API_KEY``. No Request object ever carries it. The
spider's requests name the API without the key, so Scrapy, the HTTP cache, the recordings
(which spiders/replay.py keys by request URL), the logs and the database only ever see URLs
and headers without it. :class:`~trustwatch.spiders.keyed.ApiKeyDownloadHandler` is
installed as this spider's HTTP(S) download handler. It adds the key to a copy of the
request at the moment the request is sent, and it does so only for requests that the spider
marks as API calls and that go to the
API's own host; here the key goes in the ``X-API-KEY`` header. The handler returns the
response under the request's own URL and removes the key from a download error's message. A
logging filter also blanks the key in any log line. A replay never reaches the handler, so
it runs with any non-empty key; the tests use "test-key". With no key set, the spider logs
one line, yields nothing, and the crawl still ends normally.

Arguments: ``query``, the search terms separated by commas (default :data:`DEFAULT_TERMS`);
``jurisdictions``, two-letter state codes separated by commas (default
:data:`DEFAULT_STATES`); ``per_page``, 1 to 20 (default 20, the API's maximum for /bills);
``bills``, which keeps only these bills among those found, such as "TX SB 4,FL SB 168". The
environment variable ``TRUSTWATCH_OPENSTATES_URL`` points the spider at a mirror (tests
use a local server) instead of https://v3.openstates.org.
"""

import json
import os
import re
from urllib.parse import urlencode

import openstates_metadata
from scrapy import Request
from scrapy.http import Response

from .items import CrawlFailure, FetchedVersion
from .keyed import KeyedApiSpider
from .state_bills import (
    VERSION_CLASSES,
    bill_filter,
    bill_key,
    classify,
    iso_date,
    relevant,
    response_headers,
    search_expression,
    search_terms,
    state_codes,
    state_jurisdiction,
)

API = "https://v3.openstates.org"
MAX_PER_PAGE = 20

# Media types the parsers read, best first.
_PREFERRED = ["html", "xml", "pdf", "text/plain"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def search_url(site: str, state: str, terms: list[str], page: int, per_page: int) -> str:
    """The API URL of one page of a state's search (no key in it)."""
    params = [
        ("jurisdiction", openstates_metadata.lookup(abbr=state.lower()).jurisdiction_id),
        ("q", search_expression(terms)),
        ("include", "abstracts"),
        ("include", "versions"),
        ("page", page),
        ("per_page", per_page),
    ]
    return f"{site}/bills?{urlencode(params)}"


class OpenstatesSpider(KeyedApiSpider):
    name = "openstates"
    needs_key = "OPENSTATES_API_KEY"
    # The API allows 10 requests a minute on its default tier: one every 6 s to its host.
    custom_settings = {
        **KeyedApiSpider.custom_settings,
        "DOWNLOAD_SLOTS": {"v3.openstates.org": {"concurrency": 1, "delay": 6.0}},
    }

    def __init__(self, query=None, jurisdictions=None, per_page=None, bills=None, **kwargs):
        super().__init__(**kwargs)
        self.site = os.environ.get("TRUSTWATCH_OPENSTATES_URL", API).rstrip("/")
        self.terms = search_terms(query)
        self.states = state_codes(jurisdictions)
        self.per_page = int(per_page or MAX_PER_PAGE)
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1 to {MAX_PER_PAGE}, not {per_page!r}")
        self.bills = bill_filter(bills)
        self.crawl_arguments = {
            "query": ",".join(self.terms),
            "jurisdictions": ",".join(self.states),
            "per_page": str(self.per_page),
        }
        if bills:
            self.crawl_arguments["bills"] = bills if isinstance(bills, str) else ",".join(bills)
        self._seen: set[str] = set()

    def first_requests(self):
        for state in self.states:
            yield self._search(state, 1)

    def _search(self, state: str, page: int) -> Request:
        url = search_url(self.site, state, self.terms, page, self.per_page)
        return self.api_request(url, self.parse_search, state=state, page=page)

    def on_the_wire(self, request: Request) -> Request | None:
        if not self.is_api_call(request):
            return None
        keyed = request.copy()
        keyed.headers["X-API-KEY"] = self.api_key
        return keyed

    def parse_search(self, response: Response, state: str, page: int):
        """One page of a state's search: the next pages, and each relevant bill's versions."""
        try:
            data = json.loads(response.body)
            bills = data["results"]
        except (ValueError, KeyError, TypeError) as error:
            yield CrawlFailure(response.url, "parse", f"{state} search page {page}: {error!r}")
            return
        if page == 1:
            last = int((data.get("pagination") or {}).get("max_page") or 1)
            for number in range(2, last + 1):
                yield self._search(state, number)
        for bill in bills:
            yield from self._versions(bill, state)

    def _versions(self, bill: dict, state: str):
        identifier = bill.get("identifier") or ""
        abstracts = [a.get("abstract") for a in bill.get("abstracts") or []]
        if not relevant(bill.get("title"), *abstracts):
            self.logger.debug("not about immigration enforcement: %s %s", state, identifier)
            return
        jurisdiction_id = (bill.get("jurisdiction") or {}).get("id", "")
        match = re.search(r"/state:([a-z]{2})/", jurisdiction_id)
        code = match[1].upper() if match else state
        if bill.get("id") in self._seen or (
            self.bills and (code, bill_key(identifier)) not in self.bills
        ):
            return
        self._seen.add(bill.get("id"))
        versions = bill.get("versions") or []
        document = {
            "jurisdiction": state_jurisdiction(code),
            "document_id": f"{code}-{slug(bill.get('session', ''))}-{bill_key(identifier)}".lower(),
            "session": bill.get("session", ""),
            "identifier": identifier,
            "title": bill.get("title") or identifier,
            "kind": _kind(bill.get("classification")),
            "status": bill.get("latest_action_description")
            or (versions[-1].get("note", "") if versions else ""),
            "document_url": bill.get("openstates_url") or "",
        }
        for sequence, version in enumerate(versions, start=1):
            label = (version.get("note") or "").strip() or f"Version {sequence}"
            link = _text_link(version.get("links") or [])
            if link is None:
                listed = ", ".join(lk.get("media_type") or "?" for lk in version.get("links") or [])
                yield CrawlFailure(
                    document["document_url"],
                    "no-text",
                    f"{code} {identifier} {label}: no HTML, XML, PDF or text link"
                    + (f" (only {listed})" if listed else ""),
                )
                continue
            given = version.get("classification")
            yield Request(
                link["url"],
                callback=self.parse_version,
                errback=self.failed,
                cb_kwargs={
                    "document": document,
                    "version": {
                        "key": link["url"],
                        "label": label,
                        "classification": given if given in VERSION_CLASSES else classify(label),
                        "date": iso_date(version.get("date")),
                        "media_type": link["media_type"],
                    },
                    "sequence": sequence,
                },
            )

    def parse_version(self, response: Response, document: dict, version: dict, sequence: int):
        """A version's text, on the legislature's site, as it is: the pipeline parses it."""
        yield FetchedVersion(
            source=self.name,
            **document,
            version_key=version["key"],
            label=version["label"],
            classification=version["classification"],
            date=version["date"],
            sequence=sequence,
            url=response.url,
            http_status=response.status,
            media_type=version["media_type"],
            # A PDF is bytes: Scrapy may still guess a text encoding for it.
            encoding=None
            if "pdf" in version["media_type"]
            else getattr(response, "encoding", None),
            body=response.body,
            headers=response_headers(response),
            text_root=None,
        )


def _text_link(links: list[dict]) -> dict | None:
    """The version's link the parsers read best (see _PREFERRED), with its media type."""
    for wanted in _PREFERRED:
        for link in links:
            media_type = (link.get("media_type") or "").split(";")[0].strip().lower()
            if link.get("url") and wanted in media_type:
                return {"url": link["url"], "media_type": media_type}
    return None


def _kind(classification: list[str] | None) -> str:
    first = (classification or ["bill"])[0]
    return "resolution" if "resolution" in first else "bill"
