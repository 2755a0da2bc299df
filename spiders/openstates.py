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

Search and relevance. The search is one full-text query per state: the terms of the
``query`` argument joined by OR. A term that is not a single word is put in double quotes:
``"immigration detainer" OR sanctuary OR "287(g)" OR "immigration enforcement"``. The
quotes matter: without them Open States reads a query that starts like a bill number
("287…") as a bill identifier, not as text. A full-text match is not enough, because
"sanctuary" also finds wildlife sanctuaries. So :func:`relevant` keeps a bill only when its
title or one of its abstracts names immigration enforcement: "immigra…" (immigration,
immigrant), "287(g)", "ICE" in capitals ("ice" is not it), "deport…", a civil or
administrative detainer or a detainer request (a bare "detainer" is as often the criminal
one of the Interstate Agreement on Detainers, or the eviction suit "unlawful/forcible
detainer"), "sanctuary" followed by city, jurisdiction, policy, county or state but not
after "Second Amendment", or an "illegal/unlawful(ly present)/unauthorized/undocumented
alien/person/individual". bench/relevance.py measures it on 160 real labelled titles
(tests/fixtures/relevance): precision 0.80 and recall 0.84 on the 101 it was tuned on, 0.56
and 0.59 on the 59 held out (0.72 and 0.76 on all). What it keeps wrongly is about
immigrants or deportation but not enforcement: an office of immigrant affairs, Immigrant
Heritage Month, tuition, refugee resettlement, the 1944 deportation of the Chechen people.
What it misses names no immigration word: "AN ACT concerning government.", "Law
enforcement: sharing data.", a "Welcoming City Ordinance", "persons not to be detained".
The legiscan spider uses the same filter.

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

from trustwatch.db.store import Jurisdiction

from .items import CrawlFailure, FetchedVersion
from .keyed import KeyedApiSpider

API = "https://v3.openstates.org"
DEFAULT_TERMS = ["immigration detainer", "sanctuary", "287(g)", "immigration enforcement"]
# States with both kinds of law in the project's corpus: mandates (TX SB 4, FL SB 168) and
# limits (IL TRUST Act, MD Values Act, NY bills).
DEFAULT_STATES = ["TX", "FL", "IL", "MD", "NY"]
MAX_PER_PAGE = 20

# See "Search and relevance" above; tests/test_relevance.py holds it to its measured scores.
_RELEVANT = re.compile(
    r"immigra"
    r"|\b287\s*\(\s*g\s*\)"
    r"|(?-i:\bICE\b)"
    r"|\bdeport"
    r"|\b(?:civil|administrative)\s+detainers?\b|\bdetainer\s+requests?\b"
    r"|(?<!amendment )\bsanctuary\s+(?:cit|jurisdiction|polic|count|state)"
    r"|\b(?:illegal|unlawful(?:ly\s+present)?|unauthorized|undocumented)"
    r"\s+(?:aliens?|persons?|individuals?)\b",
    re.IGNORECASE,
)
VERSION_CLASSES = frozenset(
    "filed introduced reported substituted amendment engrossed enrolled became-law".split()
)
# A version's note → its class; the first pattern that matches wins.
_NOTE_CLASSES = [
    (r"chapter|became law|public act|session law|signed", "became-law"),
    (r"enroll|\ber\b", "enrolled"),
    (r"engross|\be\d+\b", "engrossed"),
    (r"substitut|\bcomm(?:ittee)?\.? sub\b|\bconf(?:erence)? sub\b|\bc\d+\b", "substituted"),
    (r"committee report|\breported\b", "reported"),
    (r"amend", "amendment"),
    (r"introduc|first reading", "introduced"),
    (r"pre-?fil|\bfiled\b|draft", "filed"),
]
# Media types the parsers read, best first.
_PREFERRED = ["html", "xml", "pdf", "text/plain"]
_BILL = re.compile(r"^\s*(?P<state>[A-Za-z]{2})[\s-]+(?P<bill>[A-Za-z][A-Za-z.\s]*\s*-?\s*\d+)\s*$")


def relevant(*texts: str | None) -> bool:
    """Does any of these texts (a title, a description) name immigration enforcement?"""
    return any(text and _RELEVANT.search(text) for text in texts)


def classify(note: str) -> str:
    """A version's note or type ("Senate Committee Report", "S 168 e1") → its class."""
    for pattern, name in _NOTE_CLASSES:
        if re.search(pattern, note or "", re.IGNORECASE):
            return name
    return "other"


def search_terms(query: str | list[str] | None) -> list[str]:
    if isinstance(query, str):
        query = query.split(",")
    terms = [term.strip() for term in (query or DEFAULT_TERMS) if term.strip()]
    if not terms:
        raise ValueError("the query names no search term")
    return terms


def search_expression(terms: list[str]) -> str:
    """Terms joined by OR; a term that is not one plain word is quoted as a phrase."""
    return " OR ".join(t if re.fullmatch(r"[A-Za-z]+", t) else f'"{t}"' for t in terms)


def state_codes(states: str | list[str] | None) -> list[str]:
    if isinstance(states, str):
        states = states.split(",")
    codes = [code.strip().upper() for code in (states or DEFAULT_STATES) if code.strip()]
    for code in codes:
        state_jurisdiction(code)
    return codes


def state_jurisdiction(code: str) -> Jurisdiction:
    """A two-letter state code → the state's jurisdiction (OCD division, name, FIPS)."""
    try:
        state = openstates_metadata.lookup(abbr=code.lower())
    except KeyError:
        state = None
    if state is None or "/" not in state.division_id.removeprefix("ocd-division/"):
        raise ValueError(f"unknown state {code!r}: use two-letter codes such as TX or FL")
    level = state.division_id.rsplit("/", 1)[1].split(":")[0]
    return Jurisdiction(state.division_id, state.name, level, state.abbr, state.fips)


def bill_key(identifier: str) -> str:
    """ "SB 4", "S.B. 0004", "sb4" → "SB4"."""
    compact = re.sub(r"[^A-Z0-9]", "", identifier.upper())
    return re.sub(r"^([A-Z]+)0+(?=\d)", r"\1", compact)


def bill_filter(bills: str | list[str] | None) -> set[tuple[str, str]]:
    """ "TX SB 4,FL SB 168" → {("TX", "SB4"), ("FL", "SB168")}."""
    if isinstance(bills, str):
        bills = bills.split(",")
    wanted = set()
    for text in [bill for bill in bills or [] if bill.strip()]:
        match = _BILL.match(text)
        if not match:
            raise ValueError(
                f"cannot read bill {text!r}: use a state and a bill, such as 'TX SB 4'"
            )
        state_jurisdiction(match["state"])
        wanted.add((match["state"].upper(), bill_key(match["bill"])))
    return wanted


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def iso_date(text: str | None) -> str | None:
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text or "")
    return match[1] if match and not match[1].startswith("0000") else None


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


def response_headers(response: Response) -> dict[str, list[str]]:
    return {k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}


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
