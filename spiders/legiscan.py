"""State bills from the LegiScan API, api.legiscan.com — every text of every bill found.

The API. Every call is ``GET /?key=<key>&op=<operation>&...``. It answers JSON with
``"status": "OK"``, or with ``"ERROR"`` and an ``alert`` message. The spider makes three
kinds of call:

- ``op=getSearch&state=TX&query=<search>&year=<year>&page=N`` answers ``{"searchresult":
  {"summary": {"page", "range", "relevancy", "count", "page_current", "page_total"}, "0":
  {bill_id, bill_number, state, title, url, last_action_date, last_action, change_hash...},
  "1": ...}}``, 50 results a page. The spider asks for page 1 of each state, then pages 2
  to ``page_total``.
- ``op=getBill&id=<bill_id>`` for each relevant result answers ``{"bill": {bill_id, state,
  bill_number, bill_type, title, description, status, url, session: {session_id,
  session_name, year_start, year_end, special}, texts: [{doc_id, date, type, mime, url,
  state_link, text_size}], ...}}``.
- ``op=getBillText&id=<doc_id>`` for each text answers ``{"text": {doc_id, bill_id, date,
  type, mime, text_size, doc}}``, where ``doc`` is the document in base64. Its bytes (HTML,
  PDF...) become the FetchedVersion's body, with ``mime`` as the media type.

A text that cannot be had becomes a CrawlFailure: a 404, an "ERROR" status, or a ``doc``
that does not decode. The bill's other texts are still fetched.

Search and relevance. The search is the one described in state_bills.py: the ``query``
terms joined by OR, with each phrase in double quotes. LegiScan supports both. A search
result goes on to getBill only when its title (and its description, when it has one)
passes :func:`trustwatch.spiders.state_bills.relevant`. The check comes first because
LegiScan counts every call: 30,000 a month on its free tier.

What is stored. ``document_id`` is ``legiscan-<state>-<year_start>-<bill_number>`` in lower
case, such as ``legiscan-tx-2017-sb4``. A bill of a special session also gets
``special<session_id>``, as in ``legiscan-tx-2017-special1234-sb109``, because two special
sessions in one year have different LegiScan session ids. ``session`` is the session's
name ("85th Legislature"), ``identifier`` is "SB 4", and ``kind`` comes from ``bill_type``
(B is a bill; R, CR and JR are resolutions). ``status`` is LegiScan's progress status
(introduced, engrossed, enrolled, passed, vetoed, failed). ``document_url`` is the bill's
page on legiscan.com. For each text, ``version_key`` is its doc_id and ``label`` its type
("Introduced", "Comm Sub"...). ``classification`` puts that type in Open States' version
vocabulary (plus "reported" and "engrossed", as in govinfo.py). ``date`` is the text's
date, and ``url`` is the getBillText URL without the key. The raw response keeps the
decoded document, with the headers of the JSON response that carried it.

The key. It is read from ``LEGISCAN_API_KEY``. LegiScan wants it in the URL, the worst
place for a secret. The spider handles it as openstates.py does. Its requests, and
everything that is stored or logged, use the URL without the key: the recordings, which are
keyed by URL (so a recording made with one key replays with any other),
raw_responses.url, versions.source_url, crawl errors and logs.
:class:`~trustwatch.spiders.keyed.ApiKeyDownloadHandler` puts ``key=<key>`` first in
the query of the copy it sends, only to the API host, and it returns the response under the
URL without the key.

Arguments: ``query`` and ``bills`` work as in openstates.py. ``states`` is a list of
two-letter codes separated by commas (default the openstates spider's). ``year`` is
LegiScan's filter: 1 for all years, 2 for the current sessions (the default, because a
nightly crawl of every year would spend the free tier's monthly calls in about two weeks),
3 for recent, 4 for prior, or a year. The environment variable ``TRUSTWATCH_LEGISCAN_URL``
points the spider at a mirror (tests use a local server) instead of
https://api.legiscan.com.
"""

import base64
import binascii
import json
import os
import re
from urllib.parse import urlencode, urlsplit, urlunsplit

from scrapy import Request
from scrapy.http import Response

from .items import CrawlFailure, FetchedVersion
from .keyed import KeyedApiSpider
from .state_bills import (
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

API = "https://api.legiscan.com"
DEFAULT_YEAR = "2"
# LegiScan's text types, in Open States' version vocabulary; others go through classify().
_TEXT_TYPES = {
    "Introduced": "introduced",
    "Prefiled": "filed",
    "Comm Sub": "substituted",
    "Amended": "amendment",
    "Engrossed": "engrossed",
    "Enrolled": "enrolled",
    "Chaptered": "became-law",
}
_STATUS = {1: "introduced", 2: "engrossed", 3: "enrolled", 4: "passed", 5: "vetoed", 6: "failed"}


def api_url(site: str, op: str, **params) -> str:
    """A LegiScan API URL, without the key."""
    return f"{site}/?{urlencode([('op', op), *params.items()])}"


class LegiscanSpider(KeyedApiSpider):
    name = "legiscan"
    needs_key = "LEGISCAN_API_KEY"

    def __init__(self, query=None, states=None, year=None, bills=None, **kwargs):
        super().__init__(**kwargs)
        self.site = os.environ.get("TRUSTWATCH_LEGISCAN_URL", API).rstrip("/")
        self.terms = search_terms(query)
        self.states = state_codes(states)
        self.year = str(year or DEFAULT_YEAR).strip()
        if not re.fullmatch(r"[1-4]|(19|20)\d\d", self.year):
            raise ValueError(f"year must be 1, 2, 3, 4 or a year such as 2017, not {year!r}")
        self.bills = bill_filter(bills)
        self.crawl_arguments = {
            "query": ",".join(self.terms),
            "states": ",".join(self.states),
            "year": self.year,
        }
        if bills:
            self.crawl_arguments["bills"] = bills if isinstance(bills, str) else ",".join(bills)
        self._seen: set[int] = set()

    def first_requests(self):
        for state in self.states:
            yield self._search(state, 1)

    def _search(self, state: str, page: int) -> Request:
        url = api_url(
            self.site,
            "getSearch",
            state=state,
            query=search_expression(self.terms),
            year=self.year,
            page=page,
        )
        return self.api_request(url, self.parse_search, state=state, page=page)

    def on_the_wire(self, request: Request) -> Request | None:
        if not self.is_api_call(request):
            return None
        parts = urlsplit(request.url)
        query = urlencode([("key", self.api_key)]) + (f"&{parts.query}" if parts.query else "")
        return request.replace(url=urlunsplit(parts._replace(query=query)))

    def parse_search(self, response: Response, state: str, page: int):
        """One page of a state's search: the next pages, and getBill for relevant bills."""
        data = _answer(response, "searchresult")
        if isinstance(data, CrawlFailure):
            yield data
            return
        summary = data.get("summary") or {}
        if page == 1:
            for number in range(2, int(summary.get("page_total") or 1) + 1):
                yield self._search(state, number)
        results = [data[k] for k in sorted((k for k in data if k.isdigit()), key=int)]
        for result in results:
            number = result.get("bill_number") or ""
            if not relevant(result.get("title"), result.get("description")):
                self.logger.debug("not about immigration enforcement: %s %s", state, number)
                continue
            wanted = (result.get("state") or state, bill_key(number))
            if result.get("bill_id") in self._seen or (self.bills and wanted not in self.bills):
                continue
            self._seen.add(result.get("bill_id"))
            url = api_url(self.site, "getBill", id=result["bill_id"])
            yield self.api_request(url, self.parse_bill)

    def parse_bill(self, response: Response):
        """A bill: what is stored about it, and getBillText for each of its texts."""
        bill = _answer(response, "bill")
        if isinstance(bill, CrawlFailure):
            yield bill
            return
        session = bill.get("session") or {}
        number = bill.get("bill_number") or ""
        year = str(session.get("year_start") or "")
        if session.get("special"):
            year += f"-special{session.get('session_id')}"
        texts = bill.get("texts") or []
        document = {
            "jurisdiction": state_jurisdiction(bill.get("state") or ""),
            "document_id": f"legiscan-{bill.get('state')}-{year}-{bill_key(number)}".lower(),
            "session": session.get("session_name") or year,
            "identifier": re.sub(r"^([A-Za-z]+)(?=\d)", r"\1 ", number),
            "title": bill.get("title") or bill.get("description") or number,
            "kind": "resolution" if bill.get("bill_type") in ("R", "CR", "JR", "JRCA") else "bill",
            "status": _STATUS.get(bill.get("status"))
            or (texts[-1].get("type", "").lower() if texts else ""),
            "document_url": bill.get("url") or "",
        }
        if not texts:
            self.logger.info("%s %s: LegiScan has no text yet", bill.get("state"), number)
        for sequence, text in enumerate(texts, start=1):
            yield self.api_request(
                api_url(self.site, "getBillText", id=text["doc_id"]),
                self.parse_text,
                document=document,
                listed=text,
                sequence=sequence,
            )

    def parse_text(self, response: Response, document: dict, listed: dict, sequence: int):
        """One text: its document, base64 in the JSON, becomes a version."""
        text = _answer(response, "text")
        if isinstance(text, CrawlFailure):
            yield text
            return
        name = f"{document['identifier']} {listed.get('type')} (doc {listed.get('doc_id')})"
        try:
            body = base64.b64decode(text.get("doc") or "", validate=True)
        except (binascii.Error, ValueError) as error:
            yield CrawlFailure(response.url, "parse", f"{name}: the doc is not base64: {error}")
            return
        if not body:
            yield CrawlFailure(response.url, "no-text", f"{name}: LegiScan sent an empty doc")
            return
        kind = text.get("type") or listed.get("type") or ""
        yield FetchedVersion(
            source=self.name,
            **document,
            version_key=str(text.get("doc_id") or listed.get("doc_id")),
            label=kind,
            classification=_TEXT_TYPES.get(kind) or classify(kind),
            date=iso_date(text.get("date") or listed.get("date")),
            sequence=sequence,
            url=response.url,
            http_status=response.status,
            media_type=(text.get("mime") or listed.get("mime") or "").lower(),
            encoding=None,
            body=body,
            headers=response_headers(response),
            text_root=None,
        )


def _answer(response: Response, field: str):
    """The ``field`` of an API answer, or a CrawlFailure saying why there is none."""
    try:
        data = json.loads(response.body)
    except ValueError as error:
        return CrawlFailure(response.url, "parse", f"LegiScan answered no JSON: {error}")
    if not isinstance(data, dict) or data.get("status") != "OK" or field not in data:
        alert = (data.get("alert") or {}).get("message") if isinstance(data, dict) else None
        return CrawlFailure(
            response.url, "api", f"LegiScan answered no {field}: {alert or 'status not OK'}"
        )
    return data[field]
