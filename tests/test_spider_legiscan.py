"""The LegiScan spider on recorded API answers (tests/fixtures/legiscan, see its
PROVENANCE.md). First the callbacks on saved responses, then whole crawls through the real
CLI: replayed, without a key, and recorded from a real local HTTP server that stands in for
api.legiscan.com. LegiScan wants the key in the URL, and none of these may store or log it."""

import asyncio
import base64
import json
import re
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from conftest import FIXTURES, RecordedSite, everything_stored, run_cli, serving
from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import TextResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from trustwatch.db.migrations import open_database
from trustwatch.db.store import Jurisdiction
from trustwatch.parsers.document import parse_document
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.keyed import API_REQUEST, REDACTED, ApiKeyDownloadHandler
from trustwatch.spiders.legiscan import DEFAULT_YEAR, LegiscanSpider, api_url
from trustwatch.spiders.replay import FolderStorage, recording_stem
from trustwatch.spiders.state_bills import DEFAULT_STATES, search_expression

RECORDING = FIXTURES / "legiscan"
SITE = "https://api.legiscan.com"
ARGUMENTS = json.loads((RECORDING / "recording.json").read_text())["crawls"][0]["arguments"]
QUERY = search_expression(ARGUMENTS["query"].split(","))
TEXAS = Jurisdiction("ocd-division/country:us/state:tx", "Texas", "state", "TX", "48")
SB4_TITLE = (
    "Relating to the enforcement by campus police departments and certain local "
    "governmental entities of state and federal laws governing immigration and to related "
    "duties and liability of certain persons in the criminal justice system; providing a "
    "civil penalty; creating a criminal offense."
)
SB4_DOCUMENT = {
    "jurisdiction": TEXAS,
    "document_id": "legiscan-tx-2017-sb4",
    "session": "85th Legislature",
    "identifier": "SB 4",
    "title": SB4_TITLE,
    "kind": "bill",
    "status": "passed",
    "document_url": "https://legiscan.com/TX/bill/SB4/2017",
}
# (doc_id, type, classification, date, mime, words of the text) for SB 4's texts.
SB4_TEXTS = [
    (90000401, "Introduced", "introduced", "2016-11-15", "application/pdf", "Priority"),
    (90000402, "Comm Sub", "substituted", "2017-02-03", "text/html", "campus police"),
    (90000403, "Engrossed", "engrossed", "2017-02-08", "application/pdf", None),
    (90000404, "Comm Sub", "substituted", "2017-04-20", "text/html", "(Geren, Workman)"),
    (90000405, "Enrolled", "enrolled", "2017-05-04", "application/pdf", "Lawful detention"),
]
# What a replay stores: document → [(label, classification, date, doc id)], in order.
EXPECTED = {
    "legiscan-tx-2011-sb11": [("Introduced", "introduced", "2011-01-12", "90001101")],
    "legiscan-tx-2013-sb527": [("Introduced", "introduced", "2013-02-13", "733791")],
    "legiscan-tx-2015-sb185": [("Comm Sub", "substituted", "2015-04-13", "90018502")],
    "legiscan-tx-2017-sb4": [
        (kind, classification, date, str(doc))
        for doc, kind, classification, date, _, words in SB4_TEXTS
        if words
    ],
    "legiscan-tx-2017-special90086-sb109": [("Introduced", "introduced", "2017-07-26", "1642598")],
}
DOCUMENTS = {
    "legiscan-tx-2017-sb4": ("85th Legislature", "SB 4", "passed"),
    "legiscan-tx-2017-special90086-sb109": (
        "85th Legislature 1st Special Session",
        "SB 109",
        "introduced",
    ),
    "legiscan-tx-2013-sb527": ("83rd Legislature", "SB 527", "introduced"),
    "legiscan-tx-2011-sb11": ("82nd Legislature", "SB 11", "introduced"),
    "legiscan-tx-2015-sb185": ("84th Legislature", "SB 185", "introduced"),
}
KEY_LINE = "LEGISCAN_API_KEY is not set: skipping the legiscan source"


def recorded(request: Request, root=RECORDING):
    """The response a replay serves for ``request``, through the real folder storage."""
    storage = FolderStorage(Settings({"TRUSTWATCH_RECORDING_DIR": str(root)}))
    response = storage.retrieve_response(None, request)
    assert response is not None, f"not recorded: {request.url}"
    return response


def run(request: Request):
    """The callback's output on the recorded response to ``request``."""
    return list(request.callback(recorded(request), **request.cb_kwargs))


def search(page: int, spider=None):
    spider = spider or LegiscanSpider(**ARGUMENTS)
    return spider, run(spider._search("TX", page))


def sb4_texts(spider):
    _, output = search(1, spider)
    (bill,) = [r for r in output if r.url == api_url(SITE, "getBill", id=90000004)]
    return run(bill)


def answer(request: Request, data: dict) -> TextResponse:
    return TextResponse(request.url, body=json.dumps(data).encode(), request=request)


def test_arguments_and_their_defaults(monkeypatch):
    monkeypatch.delenv("TRUSTWATCH_LEGISCAN_URL", raising=False)
    spider = LegiscanSpider()
    assert (spider.states, spider.year, spider.site) == (DEFAULT_STATES, DEFAULT_YEAR, SITE)
    assert spider.crawl_arguments == {
        "query": "immigration detainer,sanctuary,287(g),immigration enforcement",
        "states": "TX,FL,IL,MD,NY",
        "year": "2",
    }
    spider = LegiscanSpider(states="tx", year="2017", bills="TX SB 4")
    assert (spider.states, spider.year, spider.bills) == (["TX"], "2017", {("TX", "SB4")})
    for bad, message in [
        ({"year": "5"}, "year must be 1, 2, 3, 4 or a year"),
        ({"states": "ZZ"}, "unknown state 'ZZ'"),
        ({"bills": "SB 4"}, "cannot read bill 'SB 4'"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            LegiscanSpider(**bad)


def test_api_urls_carry_the_operation_but_no_key(monkeypatch):
    monkeypatch.setenv("LEGISCAN_API_KEY", "test-key")
    spider = LegiscanSpider(**ARGUMENTS)
    (first,) = spider.first_requests()
    assert first.meta[API_REQUEST] is True and first.errback == spider.failed
    assert first.cb_kwargs == {"state": "TX", "page": 1}
    assert parse_qsl(urlsplit(first.url).query) == [
        ("op", "getSearch"),
        ("state", "TX"),
        ("query", '"immigration detainer" OR sanctuary OR "287(g)" OR "immigration enforcement"'),
        ("year", "1"),
        ("page", "1"),
    ]
    assert "key" not in dict(parse_qsl(urlsplit(first.url).query))


def test_first_search_page_asks_for_the_next_page_and_each_relevant_bill():
    spider, output = search(1)
    assert [(r.callback, r.url) for r in output] == [
        (
            spider.parse_search,
            api_url(SITE, "getSearch", state="TX", query=QUERY, year="1", page=2),
        ),
        (spider.parse_bill, api_url(SITE, "getBill", id=90000004)),
        (spider.parse_bill, api_url(SITE, "getBill", id=90000109)),
        (spider.parse_bill, api_url(SITE, "getBill", id=90000527)),
    ]
    assert all(r.meta[API_REQUEST] for r in output)
    assert output[0].cb_kwargs == {"state": "TX", "page": 2}
    # The last page asks for no further page.
    spider, output = search(2)
    assert [r.url for r in output] == [
        api_url(SITE, "getBill", id=90000011),
        api_url(SITE, "getBill", id=90000185),
    ]


def test_irrelevant_and_unasked_bills_cost_no_api_call():
    spider = LegiscanSpider(**ARGUMENTS)
    request = spider._search("TX", 2)
    data = json.loads(recorded(request).body)
    data["searchresult"]["0"]["title"] = "Relating to a wildlife sanctuary"
    output = list(spider.parse_search(answer(request, data), state="TX", page=2))
    assert [r.url for r in output] == [api_url(SITE, "getBill", id=90000185)]
    spider = LegiscanSpider(**ARGUMENTS, bills="TX SB 527")
    _, output = search(1, spider)
    assert [r.url for r in output][1:] == [api_url(SITE, "getBill", id=90000527)]


def test_a_bill_asks_for_each_of_its_texts():
    spider = LegiscanSpider(**ARGUMENTS)
    output = sb4_texts(spider)
    assert [r.url for r in output] == [
        api_url(SITE, "getBillText", id=doc) for doc, *_ in SB4_TEXTS
    ]
    for sequence, (request, text) in enumerate(zip(output, SB4_TEXTS, strict=True), start=1):
        doc, kind, _, date, mime, _ = text
        assert request.callback == spider.parse_text and request.meta[API_REQUEST]
        assert request.cb_kwargs["document"] == SB4_DOCUMENT
        assert request.cb_kwargs["sequence"] == sequence
        listed = request.cb_kwargs["listed"]
        assert (listed["doc_id"], listed["type"], listed["date"], listed["mime"]) == (
            doc,
            kind,
            date,
            mime,
        )
    _, page1 = search(1)
    (sb109,) = run(page1[2])
    assert sb109.cb_kwargs["document"] == {
        "jurisdiction": TEXAS,
        "document_id": "legiscan-tx-2017-special90086-sb109",
        "session": "85th Legislature 1st Special Session",
        "identifier": "SB 109",
        "title": "Relating to the repeal of certain provisions governing state and local "
        "enforcement of immigration laws and to certain other provisions related to "
        "immigration law.",
        "kind": "bill",
        "status": "introduced",
        "document_url": "https://legiscan.com/TX/bill/SB109/2017",
    }


def test_each_text_becomes_a_fetched_version_with_every_field():
    spider = LegiscanSpider(**ARGUMENTS)
    for request, text in zip(sb4_texts(spider), SB4_TEXTS, strict=True):
        doc, kind, classification, date, mime, words = text
        url = f"{SITE}/?op=getBillText&id={doc}"
        response = recorded(request)
        if words is None:  # the crafted 404: the errback gets it, as a failure
            assert response.status == 404
            (failure,) = spider.failed(Failure(HttpError(response)))
            assert failure == CrawlFailure(url, "http", f"HTTP 404 from {url}")
            continue
        envelope = json.loads(response.body)["text"]
        (item,) = run(request)
        assert item == FetchedVersion(
            source="legiscan",
            **SB4_DOCUMENT,
            version_key=str(doc),
            label=kind,
            classification=classification,
            date=date,
            sequence=request.cb_kwargs["sequence"],
            url=url,
            http_status=200,
            media_type=mime,
            encoding=None,
            body=base64.b64decode(envelope["doc"]),
            headers={"Content-Type": ["application/json"]},
            text_root=None,
        )
        assert item.body[:5] == (b"%PDF-" if mime == "application/pdf" else b"<!DOC")
        assert len(item.body) == envelope["text_size"]
        assert words in parse_document(item.body, item.media_type).text


def test_api_errors_and_bad_documents_are_failures():
    spider = LegiscanSpider(**ARGUMENTS)
    request = sb4_texts(spider)[0]
    url = request.url
    cases = [
        (
            {"status": "ERROR", "alert": {"message": "Unknown document id"}},
            "api",
            "Unknown document id",
        ),
        ({"status": "OK", "text": {"doc": "not base64!"}}, "parse", "the doc is not base64"),
        ({"status": "OK", "text": {"doc": ""}}, "no-text", "LegiScan sent an empty doc"),
    ]
    for data, kind, message in cases:
        (failure,) = spider.parse_text(answer(request, data), **request.cb_kwargs)
        assert (failure.url, failure.kind) == (url, kind) and message in failure.message
    broken = TextResponse(url, body=b"<html>busy</html>", request=request)
    (failure,) = spider.parse_text(broken, **request.cb_kwargs)
    assert failure.kind == "parse" and "no JSON" in failure.message


def test_the_key_goes_first_in_the_query_on_the_wire_only(monkeypatch):
    monkeypatch.setenv("LEGISCAN_API_KEY", "s3cr/t")
    spider = LegiscanSpider(**ARGUMENTS)
    request = api_url(SITE, "getBill", id=90000004)
    plain = spider.api_request(request, spider.parse_bill)
    keyed = spider.on_the_wire(plain)
    assert keyed.url == f"{SITE}/?key=s3cr%2Ft&op=getBill&id=90000004"
    assert plain.url == request  # what Scrapy, the cache and the items see
    assert spider.on_the_wire(Request(request)) is None  # not marked as an API call
    elsewhere = plain.replace(url="https://legiscan.com/TX/bill/SB4/2017")
    assert spider.on_the_wire(elsewhere) is None  # redirected off the API host


def test_the_download_handler_sends_the_key_and_keeps_it_out_of_responses_and_errors(
    monkeypatch,
):
    monkeypatch.setenv("LEGISCAN_API_KEY", "s3cr/t")
    spider = LegiscanSpider(**ARGUMENTS)
    sent = []

    async def http11(self, request):  # Scrapy's own handler, standing in for the network
        sent.append(request.url)
        if "op=getBill&" in request.url:
            raise DownloadTimeoutError(f"Getting {request.url} took longer than 60.0 seconds.")
        return TextResponse(request.url, body=b'{"status": "OK"}')

    monkeypatch.setattr(HTTP11DownloadHandler, "download_request", http11)
    handler = object.__new__(ApiKeyDownloadHandler)
    handler._crawler = SimpleNamespace(spider=spider)
    search = spider._search("TX", 1)
    response = asyncio.run(handler.download_request(search))
    assert sent == [search.url.replace("/?op=", "/?key=s3cr%2Ft&op=")]
    assert response.url == search.url
    document = Request("https://capitol.texas.gov/tlodocs/85R/billtext/html/SB00004H.htm")
    assert asyncio.run(handler.download_request(document)).url == document.url
    assert sent[-1] == document.url  # not an API call: sent as it is
    bill = spider.api_request(api_url(SITE, "getBill", id=90000004), spider.parse_bill)
    with pytest.raises(DownloadTimeoutError) as caught:
        asyncio.run(handler.download_request(bill))
    assert str(caught.value) == (
        f"Getting {SITE}/?key={REDACTED}&op=getBill&id=90000004 took longer than 60.0 seconds."
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def versions_in(db_path):
    db = open_database(db_path)
    found = {}
    for row in db.query(
        "select document_id, label, classification, date, source_key from versions "
        "order by document_id, ordinal"
    ):
        found.setdefault(row["document_id"], []).append(
            (row["label"], row["classification"], row["date"], row["source_key"])
        )
    return db, found


def test_replayed_crawl_stores_every_text_and_a_rerun_adds_none(db_path):
    env = {"LEGISCAN_API_KEY": "test-key"}
    first = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    assert first.returncode == 1, first.stderr  # the two crafted errors
    (summary,) = json.loads(first.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"], summary["pages"]) == (8, 2, 17)
    db, found = versions_in(db_path)
    assert found == EXPECTED
    assert {
        r["id"]: (r["session"], r["identifier"], r["status"]) for r in db["documents"].rows
    } == DOCUMENTS
    assert {r["jurisdiction_id"] for r in db["documents"].rows} == {TEXAS.id}
    sources = {r["source_url"] for r in db["versions"].rows}
    assert sources == {f"{SITE}/?op=getBillText&id={v[3]}" for vs in EXPECTED.values() for v in vs}
    media = {r["url"]: r["media_type"] for r in db["raw_responses"].rows}
    assert media[f"{SITE}/?op=getBillText&id=90000405"] == "application/pdf"
    assert media[f"{SITE}/?op=getBillText&id=1642598"] == "text/html"
    assert sorted((r["kind"], r["url"]) for r in db["crawl_errors"].rows) == [
        ("http", f"{SITE}/?op=getBillText&id=90000403"),
        ("parse", f"{SITE}/?op=getBillText&id=90018501"),
    ]
    assert "test-key" not in everything_stored(db_path)
    second = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 8)


def test_without_a_key_the_source_is_skipped_in_one_line(db_path):
    result = run_cli(
        "crawl", "--replay", str(RECORDING), "--db", db_path, env={"LEGISCAN_API_KEY": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(KEY_LINE) == 1
    assert result.stderr.count("LEGISCAN_API_KEY") == 1
    db = open_database(db_path)
    for table in ("documents", "versions", "raw_responses", "crawl_errors"):
        assert db[table].count == 0, table


# ---- a real local server standing in for api.legiscan.com ------------------------------

SECRET = "Zq9-s3cret+key/42"


class _FakeLegiScan(RecordedSite):
    """Answers as the API would, from the recording, only when ``key`` is right; the Texas
    search is found whatever query and year are asked, other states have no result."""

    seen: list

    def do_GET(self):
        parts = urlsplit(self.path)
        params = parse_qsl(parts.query, keep_blank_values=True)
        self.seen.append((parts.path, [v for k, v in params if k == "key"]))
        if parts.path != "/":
            return self.send_body(404, "text/plain", b"not found")
        if [v for k, v in params if k == "key"] != [SECRET]:
            return self.send_body(
                200,
                "application/json",
                b'{"status": "ERROR", "alert": {"message": "Invalid API key"}}',
            )
        query = dict((k, v) for k, v in params if k != "key")
        if query["op"] == "getSearch":
            query.update(query=QUERY, year=ARGUMENTS["year"])
        op = query.pop("op")
        stem = recording_stem(RECORDING, "GET", api_url(SITE, op, **query))
        meta_path = stem.with_name(stem.name + ".meta.json")
        if not meta_path.exists():
            empty = {"summary": {"count": 0, "page_current": 1, "page_total": 0}}
            body = json.dumps({"status": "OK", "searchresult": empty}).encode()
            return self.send_body(200, "application/json", body)
        self.send_recorded(stem)


@contextmanager
def fake_legiscan():
    handler = type("Handler", (_FakeLegiScan,), {"seen": []})
    with serving(handler) as url:
        yield url, handler.seen


def test_recording_from_a_live_api_keeps_the_key_out_of_everything(db_path, tmp_path):
    """The key reaches the API in every call's URL, yet the recording (file names and
    contents), the database and a DEBUG log never hold it; the recording replays offline."""
    recording = tmp_path / "recorded"
    with fake_legiscan() as (url, seen):
        live = run_cli(
            "crawl",
            "legiscan",
            "--record",
            str(recording),
            "--db",
            db_path,
            env={
                "LEGISCAN_API_KEY": SECRET,
                "TRUSTWATCH_LEGISCAN_URL": url,
                "TRUSTWATCH_LOG_LEVEL": "DEBUG",
            },
        )
    assert live.returncode == 1, live.stderr  # the two crafted errors
    api_calls = [keys for path, keys in seen if path == "/"]
    # TX pages 1-2, FL, IL, MD, NY; 5 getBill; 10 getBillText — each with the key, once.
    assert len(api_calls) == 6 + 5 + 10 and all(keys == [SECRET] for keys in api_calls)
    assert all(keys == [] for path, keys in seen if path != "/")  # robots.txt
    _, found = versions_in(db_path)
    assert found == EXPECTED
    assert "Crawled (200) <GET http://127.0.0.1" in live.stderr  # DEBUG logs every URL
    assert "op=getBillText" in live.stderr
    for secret in (SECRET, quote(SECRET, safe=""), SECRET.replace("+", " ")):
        assert secret not in live.stderr
        assert secret not in everything_stored(db_path)
        for path in recording.rglob("*"):
            assert secret not in str(path.relative_to(recording)), path
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    assert not [p for p in recording.rglob("*") if "key=" in str(p)]
    # The recording replays offline with any key, into the same versions.
    replayed = str(tmp_path / "replayed.db")
    replay = run_cli(
        "crawl",
        "--replay",
        str(recording),
        "--db",
        replayed,
        "--json",
        env={"LEGISCAN_API_KEY": "test-key", "TRUSTWATCH_LEGISCAN_URL": url},
    )
    (summary,) = json.loads(replay.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (8, 2)
    assert versions_in(replayed)[1] == EXPECTED
