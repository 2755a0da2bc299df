"""The Open States spider on recorded API pages and bill texts (tests/fixtures/openstates, see
its PROVENANCE.md). First the callbacks on saved responses, then whole crawls through the
real CLI: replayed, without a key, and recorded from a real local HTTP server that stands in
for the API and the legislatures' sites. None of them may store the key anywhere."""

import json
import logging
import re
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from conftest import FIXTURES, RecordedSite, everything_stored, run_cli, serving
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from trustwatch.db.migrations import open_database
from trustwatch.db.store import Jurisdiction
from trustwatch.parsers.document import parse_document
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.keyed import API_REQUEST, REDACTED, _RedactKey
from trustwatch.spiders.openstates import OpenstatesSpider, search_url
from trustwatch.spiders.replay import FolderStorage, recording_stem
from trustwatch.spiders.state_bills import (
    DEFAULT_STATES,
    DEFAULT_TERMS,
    bill_filter,
    classify,
    relevant,
    search_expression,
    state_jurisdiction,
)

RECORDING = FIXTURES / "openstates"
SITE = "https://v3.openstates.org"
ARGUMENTS = json.loads((RECORDING / "recording.json").read_text())["crawls"][0]["arguments"]
TERMS = ARGUMENTS["query"].split(",")
TLO = "https://capitol.texas.gov/tlodocs"
TEXAS = Jurisdiction("ocd-division/country:us/state:tx", "Texas", "state", "TX", "48")
FLORIDA = Jurisdiction("ocd-division/country:us/state:fl", "Florida", "state", "FL", "12")
SB4_TITLE = (
    "Relating to the enforcement by campus police departments and certain local "
    "governmental entities of state and federal laws governing immigration and to related "
    "duties and liability of certain persons in the criminal justice system; providing a "
    "civil penalty; creating a criminal offense."
)
SB4_DOCUMENT = {
    "jurisdiction": TEXAS,
    "document_id": "tx-85-sb4",
    "session": "85",
    "identifier": "SB 4",
    "title": SB4_TITLE,
    "kind": "bill",
    "status": "Effective on 9/1/17",
    "document_url": "https://openstates.org/tx/bills/85/SB4/",
}
# (note, classification, the link the spider follows, its media type) for SB 4.
SB4_VERSIONS = [
    ("Introduced", "introduced", f"{TLO}/85R/billtext/pdf/SB00004I.pdf", "application/pdf"),
    ("Senate Committee Report", "reported", f"{TLO}/85R/billtext/html/SB00004S.htm", "text/html"),
    ("Engrossed", "engrossed", f"{TLO}/85R/billtext/html/SB00004E.htm", "text/html"),
    ("House Committee Report", "reported", f"{TLO}/85R/billtext/html/SB00004H.htm", "text/html"),
    ("Enrolled", "enrolled", f"{TLO}/85R/billtext/pdf/SB00004F.pdf", "application/pdf"),
]
# Each text's own words, as the parser reads them from the recorded file.
SB4_WORDS = [
    "relating to the enforcement by certain governmental entities",
    "COMMITTEE SUBSTITUTE FOR S.B. No. 4 By: Hughes",
    None,
    "Substitute the following for S.B. No. 4:",
    "S.B.ANo.",
]
# What a replay stores: document → [(label, classification, date, source URL)], in order.
EXPECTED = {
    "fl-2019-sb168": [
        (
            "S 168 e1",
            "engrossed",
            None,
            "https://flsenate.gov/Session/Bill/2019/168/BillText/e1/HTML",
        )
    ],
    "fl-2019-sb170": [
        (
            "S 170 Filed",
            "filed",
            None,
            "https://www.flsenate.gov/Session/Bill/2019/170/BillText/Filed/HTML",
        )
    ],
    "tx-83-sb527": [
        ("Introduced", "introduced", None, f"{TLO}/83R/billtext/html/SB00527I.htm"),
    ],
    "tx-84-hb4117": [
        ("Introduced", "introduced", None, f"{TLO}/84R/billtext/html/HB04117I.htm"),
    ],
    "tx-85-sb4": [(n, c, None, url) for n, c, url, _ in SB4_VERSIONS if n != "Engrossed"],
}
DOCUMENTS = {
    "tx-85-sb4": ("85", "SB 4", SB4_TITLE, "Effective on 9/1/17", TEXAS.id),
    "tx-83-sb527": (
        "83",
        "SB 527",
        "Relating to the detention by local law enforcement agencies of certain persons "
        "subject to federal immigration detainers.",
        "Introduced",
        TEXAS.id,
    ),
    "tx-84-hb4117": (
        "84",
        "HB 4117",
        "Relating to the enforcement of state and federal laws governing immigration by "
        "certain governmental entities.",
        "Introduced",
        TEXAS.id,
    ),
    "fl-2019-sb168": ("2019", "SB 168", "Federal Immigration Enforcement", "S 168 e1", FLORIDA.id),
    "fl-2019-sb170": (
        "2019",
        "SB 170",
        "Federal Immigration Enforcement",
        "S 170 Filed",
        FLORIDA.id,
    ),
}
KEY_LINE = "OPENSTATES_API_KEY is not set: skipping the openstates source"


def recorded(request: Request, root=RECORDING):
    """The response a replay serves for ``request``, through the real folder storage."""
    storage = FolderStorage(Settings({"TRUSTWATCH_RECORDING_DIR": str(root)}))
    response = storage.retrieve_response(None, request)
    assert response is not None, f"not recorded: {request.url}"
    return response


def search_page(state: str, page: int, spider=None):
    spider = spider or OpenstatesSpider(**ARGUMENTS)
    request = spider._search(state, page)
    return spider, request, list(request.callback(recorded(request), **request.cb_kwargs))


def edited_page(state: str, page: int, edit) -> HtmlResponse:
    """A recorded search page with its JSON changed by ``edit(data)``."""
    spider = OpenstatesSpider(**ARGUMENTS)
    request = spider._search(state, page)
    data = json.loads(recorded(request).body)
    edit(data)
    return HtmlResponse(request.url, body=json.dumps(data).encode(), request=request)


def test_arguments_and_their_defaults(monkeypatch):
    monkeypatch.delenv("TRUSTWATCH_OPENSTATES_URL", raising=False)
    spider = OpenstatesSpider()
    assert (
        spider.terms
        == DEFAULT_TERMS
        == [
            "immigration detainer",
            "sanctuary",
            "287(g)",
            "immigration enforcement",
        ]
    )
    assert spider.states == DEFAULT_STATES
    assert spider.per_page == 20 and spider.site == SITE
    assert spider.crawl_arguments == {
        "query": "immigration detainer,sanctuary,287(g),immigration enforcement",
        "jurisdictions": "TX,FL,IL,MD,NY",
        "per_page": "20",
    }
    assert search_expression(DEFAULT_TERMS) == (
        '"immigration detainer" OR sanctuary OR "287(g)" OR "immigration enforcement"'
    )
    spider = OpenstatesSpider(query="detainer, ICE", jurisdictions="tx", bills="TX SB 4")
    assert (spider.terms, spider.states, spider.bills) == (
        ["detainer", "ICE"],
        ["TX"],
        {("TX", "SB4")},
    )
    assert spider.crawl_arguments["bills"] == "TX SB 4"
    assert bill_filter("tx s.b. 0004, FL SB-168") == {("TX", "SB4"), ("FL", "SB168")}
    for bad, message in [
        ({"per_page": "21"}, "per_page must be 1 to 20"),
        ({"jurisdictions": "TX,XX"}, "unknown state 'XX'"),
        ({"bills": "2017 SB 54"}, "cannot read bill '2017 SB 54'"),
        ({"query": " , "}, "no search term"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            OpenstatesSpider(**bad)
    assert state_jurisdiction("tx") == TEXAS


def test_search_url_names_the_jurisdiction_query_and_page_but_no_key():
    url = search_url(SITE, "TX", DEFAULT_TERMS, 2, 20)
    assert urlsplit(url).path == "/bills"
    assert parse_qsl(urlsplit(url).query) == [
        ("jurisdiction", "ocd-jurisdiction/country:us/state:tx/government"),
        ("q", '"immigration detainer" OR sanctuary OR "287(g)" OR "immigration enforcement"'),
        ("include", "abstracts"),
        ("include", "versions"),
        ("page", "2"),
        ("per_page", "20"),
    ]


def test_relevance_filter():
    for title in [
        "Relating to the detention of persons subject to federal immigration detainers.",
        "Federal Immigration Enforcement",
        "Prohibiting sanctuary cities",
        "Sanctuary policies; prohibition",
        "Requiring 287(g) agreements with federal authorities",
        "Relating to detainer requests",
        "Deportation defense fund",
        "Unauthorized aliens; employment",
    ]:
        assert relevant(title), title
    for title in [
        "Relating to a wildlife sanctuary",
        "Unlawful detainer actions; residential tenancies",
        "Forcible entry and detainer; justice court",
        "Relating to the sale of ice cream",
        None,
    ]:
        assert not relevant(title), title
    assert relevant("An act relating to taxation", "creates chapter 908, immigration")


def test_version_notes_in_the_open_states_vocabulary():
    assert {
        note: classify(note)
        for note in [
            "Introduced",
            "Senate Committee Report",
            "Engrossed",
            "Enrolled",
            "S 168 Filed",
            "S 168 c1",
            "S 168 e1",
            "S 168 er",
            "Amended Senate",
            "Chaptered",
            "Comm Sub",
            "Latest Version",
        ]
    } == {
        "Introduced": "introduced",
        "Senate Committee Report": "reported",
        "Engrossed": "engrossed",
        "Enrolled": "enrolled",
        "S 168 Filed": "filed",
        "S 168 c1": "substituted",
        "S 168 e1": "engrossed",
        "S 168 er": "enrolled",
        "Amended Senate": "amendment",
        "Chaptered": "became-law",
        "Comm Sub": "substituted",
        "Latest Version": "other",
    }


def test_start_asks_for_the_first_page_of_each_state_as_an_api_call(monkeypatch):
    monkeypatch.setenv("OPENSTATES_API_KEY", "test-key")
    spider = OpenstatesSpider(**ARGUMENTS)
    requests = list(spider.first_requests())
    assert [r.cb_kwargs for r in requests] == [
        {"state": "TX", "page": 1},
        {"state": "FL", "page": 1},
    ]
    for request in requests:
        assert request.meta[API_REQUEST] is True
        assert "test-key" not in request.url and b"X-API-KEY" not in request.headers
        assert request.url == search_url(SITE, request.cb_kwargs["state"], TERMS, 1, 2)


def test_first_page_asks_for_the_next_page_and_every_versions_text():
    spider, _, output = search_page("TX", 1)
    pages = [r for r in output if r.callback == spider.parse_search]
    assert [r.cb_kwargs for r in pages] == [{"state": "TX", "page": 2}]
    assert pages[0].url == search_url(SITE, "TX", TERMS, 2, 2)
    texts = [r for r in output if r.callback == spider.parse_version]
    assert len(output) == 1 + len(texts) == 1 + 6
    sb4 = [r for r in texts if r.cb_kwargs["document"]["identifier"] == "SB 4"]
    assert [r.url for r in sb4] == [url for _, _, url, _ in SB4_VERSIONS]
    for sequence, (request, expected) in enumerate(zip(sb4, SB4_VERSIONS, strict=True), 1):
        note, classification, url, media_type = expected
        assert API_REQUEST not in request.meta
        assert request.errback == spider.failed
        assert request.cb_kwargs == {
            "document": SB4_DOCUMENT,
            "version": {
                "key": url,
                "label": note,
                "classification": classification,
                "date": None,
                "media_type": media_type,
            },
            "sequence": sequence,
        }
    (sb527,) = [r for r in texts if r.cb_kwargs["document"]["identifier"] == "SB 527"]
    assert sb527.cb_kwargs["document"] == {
        "jurisdiction": TEXAS,
        "document_id": "tx-83-sb527",
        "session": "83",
        "identifier": "SB 527",
        "title": DOCUMENTS["tx-83-sb527"][2],
        "kind": "bill",
        "status": "Introduced",
        "document_url": "https://openstates.org/tx/bills/83/SB527/",
    }


def test_the_last_page_asks_for_no_further_page():
    spider, _, output = search_page("TX", 2)
    assert [r.callback for r in output] == [spider.parse_version]
    assert output[0].cb_kwargs["document"]["document_id"] == "tx-84-hb4117"
    spider, _, output = search_page("FL", 1)
    assert all(r.callback == spider.parse_version for r in output)
    assert [(r.cb_kwargs["version"]["label"], r.url) for r in output] == [
        ("S 168 Filed", "https://www.flsenate.gov/Session/Bill/2019/168/BillText/Filed/PDF"),
        ("S 168 e1", "https://flsenate.gov/Session/Bill/2019/168/BillText/e1/HTML"),
        ("S 170 Filed", "https://www.flsenate.gov/Session/Bill/2019/170/BillText/Filed/HTML"),
    ]
    assert output[0].cb_kwargs["document"]["jurisdiction"] == FLORIDA


def test_each_version_text_becomes_a_fetched_version_with_every_field():
    spider, _, output = search_page("TX", 1)
    sb4 = [r for r in output if r.cb_kwargs.get("document", {}).get("identifier") == "SB 4"]
    for request, expected, words in zip(sb4, SB4_VERSIONS, SB4_WORDS, strict=True):
        note, classification, url, media_type = expected
        response = recorded(request)
        if words is None:  # the crafted 404: the errback gets it, as a failure
            assert response.status == 404
            (failure,) = spider.failed(Failure(HttpError(response)))
            assert failure == CrawlFailure(url, "http", f"HTTP 404 from {url}")
            continue
        (item,) = request.callback(response, **request.cb_kwargs)
        assert isinstance(item, FetchedVersion)
        assert item == FetchedVersion(
            source="openstates",
            **SB4_DOCUMENT,
            version_key=url,
            label=note,
            classification=classification,
            date=None,
            sequence=request.cb_kwargs["sequence"],
            url=url,
            http_status=200,
            media_type=media_type,
            encoding="utf-8" if media_type == "text/html" else None,
            body=response.body,
            headers={
                "Content-Type": [
                    "text/html; charset=utf-8" if media_type == "text/html" else media_type
                ]
            },
            text_root=None,
        )
        assert item.body == response.body and item.headers == {
            "Content-Type": [response.headers["Content-Type"].decode()]
        }
        assert words in parse_document(item.body, item.media_type).text


def test_a_version_without_a_readable_link_is_a_failure_and_the_rest_goes_on():
    def edit(data):
        versions = data["results"][0]["versions"]
        versions[1]["links"] = []
        versions[2]["links"] = [
            {"url": "https://example.org/x.doc", "media_type": "application/msword"}
        ]

    spider = OpenstatesSpider(**ARGUMENTS)
    output = list(spider.parse_search(edited_page("TX", 1, edit), state="TX", page=1))
    failures = [o for o in output if isinstance(o, CrawlFailure)]
    assert failures == [
        CrawlFailure(
            SB4_DOCUMENT["document_url"],
            "no-text",
            "TX SB 4 Senate Committee Report: no HTML, XML, PDF or text link",
        ),
        CrawlFailure(
            SB4_DOCUMENT["document_url"],
            "no-text",
            "TX SB 4 Engrossed: no HTML, XML, PDF or text link (only application/msword)",
        ),
    ]
    texts = [o for o in output if isinstance(o, Request) and o.callback == spider.parse_version]
    assert [r.cb_kwargs["sequence"] for r in texts if "SB 4" in str(r.cb_kwargs)] == [1, 4, 5]


def test_only_relevant_and_asked_for_bills_are_followed():
    def edit(data):
        data["results"][1]["title"] = "Relating to a wildlife sanctuary"

    spider = OpenstatesSpider(**ARGUMENTS)
    output = list(spider.parse_search(edited_page("TX", 1, edit), state="TX", page=1))
    assert {r.cb_kwargs["document"]["identifier"] for r in output if "document" in r.cb_kwargs} == {
        "SB 4"
    }
    spider = OpenstatesSpider(**ARGUMENTS, bills="TX SB 527")
    _, _, output = search_page("TX", 1, spider)
    assert [r.cb_kwargs.get("document", {}).get("document_id") for r in output] == [
        None,
        "tx-83-sb527",
    ]

    # An abstract that names immigration is enough, and a version's own class is kept.
    def by_abstract(data):
        bill = data["results"][1]
        bill["title"], bill["abstracts"] = "Relating to bail", [{"abstract": "ICE detainers"}]
        bill["versions"][0]["classification"] = "filed"

    output = list(
        OpenstatesSpider(**ARGUMENTS).parse_search(edited_page("TX", 1, by_abstract), "TX", 1)
    )
    (sb527,) = [r for r in output if "SB 527" in str(r.cb_kwargs)]
    assert sb527.cb_kwargs["version"]["classification"] == "filed"


def test_the_key_goes_on_the_wire_only_to_the_api(monkeypatch):
    monkeypatch.setenv("OPENSTATES_API_KEY", "s3cret")
    spider = OpenstatesSpider(**ARGUMENTS)
    search = next(spider.first_requests())
    keyed = spider.on_the_wire(search)
    assert keyed.headers["X-API-KEY"] == b"s3cret" and keyed.url == search.url
    assert b"X-API-KEY" not in search.headers  # the request Scrapy keeps is untouched
    _, _, output = search_page("TX", 1, spider)
    assert spider.on_the_wire(output[1]) is None  # a legislature's site
    moved = search.replace(url="https://elsewhere.example/bills?page=1")
    assert spider.on_the_wire(moved) is None  # an API request redirected off the API host


def test_the_log_filter_blanks_the_key_in_messages_and_tracebacks():
    guard = _RedactKey("s3cr/t")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "got %s", ("/?key=s3cr/t",), None)
    assert guard.filter(record) and record.getMessage() == f"got /?key={REDACTED}"
    encoded = logging.LogRecord("x", logging.WARNING, __file__, 1, "/?key=s3cr%2Ft", (), None)
    assert guard.filter(encoded) and encoded.getMessage() == f"/?key={REDACTED}"
    try:
        raise ValueError("failed with s3cr/t")
    except ValueError:
        import sys

        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    guard.filter(failed)
    assert "s3cr/t" not in logging.Formatter().format(failed)


def versions_in(db_path):
    db = open_database(db_path)
    found = {}
    for row in db.query(
        "select document_id, label, classification, date, source_url from versions "
        "order by document_id, ordinal"
    ):
        found.setdefault(row["document_id"], []).append(
            (row["label"], row["classification"], row["date"], row["source_url"])
        )
    return db, found


def test_replayed_crawl_stores_every_version_and_a_rerun_adds_none(db_path):
    env = {"OPENSTATES_API_KEY": "test-key"}
    first = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    # The two crafted errors make the crawl exit 1; everything else is stored.
    assert first.returncode == 1, first.stderr
    (summary,) = json.loads(first.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"], summary["pages"]) == (8, 2, 13)
    db, found = versions_in(db_path)
    assert found == EXPECTED
    assert {
        row["id"]: (
            row["session"],
            row["identifier"],
            row["title"],
            row["status"],
            row["jurisdiction_id"],
        )
        for row in db["documents"].rows
    } == DOCUMENTS
    assert {r["id"]: (r["name"], r["state_code"], r["fips"]) for r in db["jurisdictions"].rows} == {
        TEXAS.id: ("Texas", "TX", "48"),
        FLORIDA.id: ("Florida", "FL", "12"),
    }
    assert sorted((r["kind"], r["url"], r["message"]) for r in db["crawl_errors"].rows) == [
        (
            "http",
            f"{TLO}/85R/billtext/html/SB00004E.htm",
            f"HTTP 404 from {TLO}/85R/billtext/html/SB00004E.htm",
        ),
        (
            "parse",
            "https://www.flsenate.gov/Session/Bill/2019/168/BillText/Filed/PDF",
            "SB 168 S 168 Filed (None): the PDF has no text layer (1 pages): "
            "a scanned document needs OCR",
        ),
    ]
    raw = {r["url"]: r["media_type"] for r in db["raw_responses"].rows}
    assert raw[f"{TLO}/85R/billtext/pdf/SB00004F.pdf"] == "application/pdf"
    assert raw[f"{TLO}/85R/billtext/html/SB00004H.htm"] == "text/html"
    assert "test-key" not in everything_stored(db_path)
    second = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 8)
    assert db["versions"].count == 8


def test_without_a_key_the_source_is_skipped_in_one_line(db_path):
    result = run_cli("crawl", "openstates", "--db", db_path, env={"OPENSTATES_API_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(KEY_LINE) == 1
    assert result.stderr.count("OPENSTATES_API_KEY") == 1
    db = open_database(db_path)
    for table in ("documents", "versions", "raw_responses", "crawl_errors"):
        assert db[table].count == 0, table
    assert [(r["spider"], r["status"]) for r in db["crawl_runs"].rows] == [
        ("openstates", "skipped: OPENSTATES_API_KEY is not set")
    ]
    quiet = run_cli(
        "crawl", "openstates", "--db", db_path, "--json", env={"OPENSTATES_API_KEY": ""}
    )
    (summary,) = json.loads(quiet.stdout)["crawls"]
    assert quiet.returncode == 0 and summary["skipped"] == "OPENSTATES_API_KEY is not set"
    sources = run_cli("sources", "--json", env={"OPENSTATES_API_KEY": ""})
    row = next(r for r in json.loads(sources.stdout) if r["source"] == "openstates")
    assert (row["needs_key"], row["key_set"]) == ("OPENSTATES_API_KEY", False)


# ---- a real local server standing in for the API and the legislatures' sites ----------

SECRET = "Zq9-s3cret+key/42"
DOCUMENT_HOSTS = ["capitol.texas.gov", "www.flsenate.gov", "flsenate.gov"]


class _FakeOpenStates(RecordedSite):
    """Serves the recording as the API would, to any per_page and for any state: /bills only
    with the right X-API-KEY; a document at /__site__/<host>/<path>."""

    base: str
    seen: list

    def do_GET(self):
        parts = urlsplit(self.path)
        key = self.headers.get("X-API-KEY")
        self.seen.append((parts.path, key))
        if parts.path == "/bills":
            if key != SECRET:
                return self.send_body(403, "application/json", b'{"detail": "Invalid API Key."}')
            query = dict(parse_qsl(parts.query))
            state = query["jurisdiction"].split("state:")[1][:2].upper()
            url = search_url(SITE, state, TERMS, int(query["page"]), int(ARGUMENTS["per_page"]))
        elif parts.path.startswith("/__site__/"):
            host, _, path = parts.path.removeprefix("/__site__/").partition("/")
            url = f"https://{host}/{path}"
        else:
            return self.send_body(404, "text/plain", b"not found")
        stem = recording_stem(RECORDING, "GET", url)
        meta_path = stem.with_name(stem.name + ".meta.json")
        if not meta_path.exists():
            if parts.path == "/bills":  # a state the recording has no bill of
                page = {"results": [], "pagination": {"per_page": 20, "page": 1, "max_page": 1}}
                return self.send_body(200, "application/json", json.dumps(page).encode())
            return self.send_body(404, "text/plain", b"not found")
        self.send_recorded(stem, self._through_mirror)

    def _through_mirror(self, body: bytes) -> bytes:
        """Version links point at this server, which stands in for the document hosts."""
        for host in DOCUMENT_HOSTS:
            body = body.replace(
                f"https://{host}/".encode(), f"{self.base}/__site__/{host}/".encode()
            )
        return body


@contextmanager
def fake_openstates():
    handler = type("Handler", (_FakeOpenStates,), {"seen": []})
    with serving(handler):
        yield handler


def test_recording_from_a_live_api_keeps_the_key_out_of_everything(db_path, tmp_path):
    """The key goes out in the X-API-KEY header of the API calls only; the recording,
    the database and even a DEBUG log never hold it, and the recording replays offline."""
    recording = tmp_path / "recorded"
    with fake_openstates() as server:
        live = run_cli(
            "crawl",
            "openstates",
            "--record",
            str(recording),
            "--db",
            db_path,
            env={
                "OPENSTATES_API_KEY": SECRET,
                "TRUSTWATCH_OPENSTATES_URL": server.base,
                "TRUSTWATCH_LOG_LEVEL": "DEBUG",
            },
        )
    assert live.returncode == 1, live.stderr  # the two crafted errors
    api_calls = [key for path, key in server.seen if path == "/bills"]
    assert len(api_calls) == 6 and set(api_calls) == {SECRET}  # TX 1-2, FL, IL, MD, NY
    assert {key for path, key in server.seen if path != "/bills"} == {None}
    _, found = versions_in(db_path)
    assert [len(found[d]) for d in sorted(EXPECTED)] == [len(EXPECTED[d]) for d in sorted(EXPECTED)]
    assert "Crawled (200) <GET http://127.0.0.1" in live.stderr  # DEBUG logs every URL
    for secret in (SECRET, quote(SECRET, safe="")):
        assert secret not in live.stderr
        assert secret not in everything_stored(db_path)
        for path in recording.rglob("*"):
            assert secret not in str(path.relative_to(recording))
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    manifest = json.loads((recording / "recording.json").read_text())
    assert manifest["crawls"][0]["arguments"]["jurisdictions"] == "TX,FL,IL,MD,NY"
    # The recording replays offline with any key, into the same versions.
    replayed = str(tmp_path / "replayed.db")
    replay = run_cli(
        "crawl",
        "--replay",
        str(recording),
        "--db",
        replayed,
        "--json",
        env={"OPENSTATES_API_KEY": "test-key", "TRUSTWATCH_OPENSTATES_URL": server.base},
    )
    (summary,) = json.loads(replay.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (8, 2)
    assert versions_in(replayed)[1] == versions_in(db_path)[1]
    assert urlencode({"k": SECRET}) not in live.stderr
