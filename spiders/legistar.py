"""City and county legislation through the public Legistar Web API — every version's text.

Legistar (Granicus) serves each client's matters as JSON at ``https://webapi.legistar.com``:

* ``GET /v1/{client}/matters?$filter=…&$orderby=MatterId&$top=N&$skip=K`` — the matters
  a search finds, at most 1000 a call (the API's limit), paged with OData ``$top``/``$skip``
  until a page comes back shorter than ``$top``;
* ``GET /v1/{client}/matters/{MatterId}/histories`` — its actions; each names the version
  it acted on (``MatterHistoryVersion``) and its date, which dates the versions;
* ``GET /v1/{client}/matters/{MatterId}/versions`` — ``[{"Key": text id, "Value": "1"}]``,
  one entry per version of the matter's text (NYC labels them ``*``, ``A``, ``B``…);
* ``GET /v1/{client}/matters/{MatterId}/texts/{Key}`` — ``MatterTextPlain`` (and
  ``MatterTextRtf``) of that version.

Each version becomes a ``FetchedVersion`` whose body is ``MatterTextPlain`` as UTF-8
``text/plain`` (the RTF field when it is all there is: ``application/rtf``, read by
``parsers/rtf.py``, or ``text/html`` when the field holds HTML). A version with no text
at all, or whose text request fails (a 404), is a ``CrawlFailure``; the other versions
are still fetched.

Arguments: ``clients`` — comma-separated Legistar client names (default
``chicago,cookcounty,seattle,sfgov``; known: see ``JURISDICTIONS``); ``search`` —
comma-separated words looked for in ``MatterTitle``, each becoming
``substringof('word',MatterTitle)`` joined with ``or`` (default ``DEFAULT_SEARCH``:
"immigra" [immigrant, immigration], "Welcoming City", "sanctuary", "detain" [detainer,
detained], "deport"); ``page_size`` — matters per page (default and at most 1000; tests
use 2 to page).

Relevance. The spider keeps every matter the title search returns. Legistar's
``substringof`` ignores case, and the words have other senses: "detain" also finds
"unlawful detainer" and the Interstate Agreement on Detainers, "sanctuary" bird and marine
sanctuaries and "Second Amendment Sanctuary County", "deport" the 1944 deportation of the
Chechen people. bench/relevance.py measures the default words on 160 real labelled titles
(tests/fixtures/relevance): recall 0.73, precision 0.52 (0.65 and 0.46 on the 59 titles
held out). Filtering the matters again with openstates'
:func:`~trustwatch.spiders.openstates.relevant` would raise the precision to 0.71 but lower
the recall to 0.65 (0.41 held out), because it misses what "Welcoming City" and "detain" are
there for: Chicago's Welcoming City ordinances and New York City's "persons not to be
detained" laws, such as O2017-1018, Int 0982-2012 and Int 1558-2017 of the recordings. So
there is no such filter.

New York City (client ``nyc``) answers only with an API token, given as ``?token=``: set
``LEGISTAR_NYC_TOKEN``; without it nyc is skipped with a warning. The token is handled as
openstates.py handles its key: the requests, and so the HTTP cache and its recordings,
logs, items, ``raw_responses.url`` and crawl errors, carry the URL without it;
:class:`~trustwatch.spiders.keyed.ApiKeyDownloadHandler` adds it to the copy it sends
(``on_the_wire``), only for nyc's URLs on the API host.

``TRUSTWATCH_LEGISTAR_URL`` points the spider at a mirror (tests use a local server)
instead of https://webapi.legistar.com.
"""

import os
import re
from urllib.parse import urlencode, urlsplit, urlunsplit

from scrapy import Request, Spider
from scrapy.http import Response

from .items import CrawlFailure, FetchedVersion
from .keyed import HANDLER, redact
from .legistar_api import (
    API,
    DEFAULT_CLIENTS,
    DEFAULT_SEARCH,
    JURISDICTIONS,
    MAX_PAGE_SIZE,
    PASSED,
    TOKEN_CLIENT,
    TOKEN_VARIABLE,
    json_list,
    json_object,
    matter_date,
    matter_kind,
    matter_url,
    matters_url,
    text_body,
    title_filter,
)


def _words(value: str | list[str] | tuple[str, ...] | None, default: tuple[str, ...]):
    if value is None:
        return list(default)
    if isinstance(value, str):
        value = value.split(",")
    return [word.strip() for word in value if word.strip()]


class LegistarSpider(Spider):
    name = "legistar"
    # Only New York City needs it; the other clients are crawled without.
    needs_key = TOKEN_VARIABLE
    custom_settings = {"DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER}}

    def __init__(self, clients=None, search=None, page_size=MAX_PAGE_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.api = os.environ.get("TRUSTWATCH_LEGISTAR_URL", API).rstrip("/")
        self.allowed_domains = [urlsplit(self.api).hostname]
        self.clients = list(dict.fromkeys(c.lower() for c in _words(clients, DEFAULT_CLIENTS)))
        unknown = [client for client in self.clients if client not in JURISDICTIONS]
        if unknown:
            raise ValueError(
                f"unknown Legistar client {unknown[0]!r}; known: {', '.join(JURISDICTIONS)}"
            )
        self.search = _words(search, DEFAULT_SEARCH)
        if not self.search:
            raise ValueError("search needs at least one word to look for in matter titles")
        try:
            self.page_size = int(page_size)
        except (TypeError, ValueError):
            raise ValueError(f"page_size must be a number, not {page_size!r}") from None
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.odata_filter = title_filter(self.search)
        # The secret stays here, out of crawl_arguments (stored with the crawl run).
        self.api_key = os.environ.get(TOKEN_VARIABLE, "").strip()
        self.crawl_arguments = {
            "clients": ",".join(self.clients),
            "search": ",".join(self.search),
            "page_size": self.page_size,
        }

    async def start(self):
        for client in self.clients:
            if client == TOKEN_CLIENT and not self.api_key:
                self.logger.warning(
                    "skipping Legistar client %s: its Web API needs a token; set %s",
                    client,
                    TOKEN_VARIABLE,
                )
                continue
            yield self._page(client, 0)

    def on_the_wire(self, request: Request) -> Request | None:
        """The request as sent: nyc's with ``token=`` added (see the module docstring)."""
        if not self.api_key or not request.url.startswith(f"{self.api}/v1/{TOKEN_CLIENT}/"):
            return None
        parts = urlsplit(request.url)
        query = "&".join(filter(None, [parts.query, urlencode([("token", self.api_key)])]))
        return request.replace(url=urlunsplit(parts._replace(query=query)))

    def _page(self, client: str, skip: int) -> Request:
        return Request(
            matters_url(self.api, client, self.odata_filter, self.page_size, skip),
            callback=self.parse_matters,
            errback=self.failed,
            cb_kwargs={"client": client, "skip": skip},
        )

    def parse_matters(self, response: Response, client: str, skip: int):
        """One page of matters: each matter's histories, and the next page if this one
        was full (a short or empty page is the last)."""
        matters = yield from json_list(response, "matters")
        for matter in matters:
            yield Request(
                matter_url(self.api, client, matter["MatterId"], "histories"),
                callback=self.parse_histories,
                errback=self.histories_failed,
                cb_kwargs={"client": client, "matter": matter},
            )
        if len(matters) == self.page_size:
            yield self._page(client, skip + self.page_size)

    def parse_histories(self, response: Response, client: str, matter: dict):
        """A matter's actions: the first date each version was acted on."""
        histories = yield from json_list(response, "histories")
        dates = {}
        for row in histories:
            version = row.get("MatterHistoryVersion")
            date = matter_date(row.get("MatterHistoryActionDate"))
            if version and date and (version not in dates or date < dates[version]):
                dates[version] = date
        yield self._versions(client, matter, dates)

    def histories_failed(self, failure):
        """No dates from the histories: record it, and still fetch the versions."""
        yield from self.failed(failure)
        kwargs = failure.request.cb_kwargs
        yield self._versions(kwargs["client"], kwargs["matter"], {})

    def _versions(self, client: str, matter: dict, dates: dict) -> Request:
        return Request(
            matter_url(self.api, client, matter["MatterId"], "versions"),
            callback=self.parse_versions,
            errback=self.failed,
            cb_kwargs={"client": client, "matter": matter, "dates": dates},
        )

    def parse_versions(self, response: Response, client: str, matter: dict, dates: dict):
        """The matter's versions, in the API's order (oldest first): a text request each."""
        versions = yield from json_list(response, "versions")
        document = self._document(client, matter)
        if not versions:
            yield CrawlFailure(response.url, "parse", f"{document['identifier']}: no versions")
            return
        passed = bool(matter.get("MatterPassedDate") or matter.get("MatterEnactmentDate"))
        passed = passed or bool(PASSED.search(matter.get("MatterStatusName") or ""))
        for sequence, entry in enumerate(versions, start=1):
            value = str(entry.get("Value") or "")
            first, last = sequence == 1, sequence == len(versions)
            if passed and last:
                classification = "became-law"
            else:
                classification = "introduced" if first else "amendment"
            date = (
                dates.get(value)
                or (first and matter_date(matter.get("MatterIntroDate")))
                or (passed and last and matter_date(matter.get("MatterPassedDate")))
                or None
            )
            version = {
                "key": str(entry["Key"]),
                "label": f"Version {value}".strip(),
                "classification": classification,
                "date": date,
                "sequence": sequence,
            }
            yield Request(
                matter_url(self.api, client, matter["MatterId"], f"texts/{entry['Key']}"),
                callback=self.parse_text,
                errback=self.failed,
                cb_kwargs={"client": client, "document": document, "version": version},
            )

    def parse_text(self, response: Response, client: str, document: dict, version: dict):
        """One version's text: a FetchedVersion, or a failure when it has none."""
        data = yield from json_object(response, "text")
        if data is None:
            return
        body, media_type = text_body(data)
        if not body.strip():
            yield CrawlFailure(
                response.url,
                "parse",
                f"{document['identifier']} {version['label']}: version without text",
            )
            return
        yield FetchedVersion(
            source=self.name,
            jurisdiction=JURISDICTIONS[client],
            **document,
            version_key=version["key"],
            label=version["label"],
            classification=version["classification"],
            date=version["date"],
            sequence=version["sequence"],
            url=response.url,
            http_status=response.status,
            media_type=media_type,
            encoding="utf-8",
            body=body,
            headers={
                k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()
            },
        )

    def failed(self, failure):
        item = CrawlFailure.from_failure(failure)
        if self.api_key:
            item.url, item.message = (redact(t, self.api_key) for t in (item.url, item.message))
        yield item

    def _document(self, client: str, matter: dict) -> dict:
        identifier = matter.get("MatterFile") or str(matter["MatterId"])
        # Legistar has no sessions: the year the matter was introduced (or passed) stands in.
        year = matter_date(matter.get("MatterIntroDate")) or matter_date(
            matter.get("MatterPassedDate")
        )
        return {
            "document_id": client + "-" + re.sub(r"\s+", "-", identifier.strip()),
            "session": year[:4] if year else "",
            "identifier": identifier,
            "title": matter.get("MatterTitle") or matter.get("MatterName") or identifier,
            "kind": matter_kind(matter.get("MatterTypeName")),
            "status": matter.get("MatterStatusName") or "",
            "document_url": matter_url(self.api, client, matter["MatterId"]),
        }
