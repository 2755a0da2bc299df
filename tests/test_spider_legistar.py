"""The Legistar spider on recorded Web API responses (tests/fixtures/legistar, see its
PROVENANCE.md): callbacks on saved responses, whole replayed crawls through the real
CLI, and a crawl of a local mirror that demands the NYC token, which must reach the
mirror and nothing else: not the recording, the database or the log."""

import asyncio
import json
import logging
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from conftest import FIXTURES, RecordedSite, run_cli, serving
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.settings import Settings
from twisted.internet.error import TimeoutError as TwistedTimeout
from twisted.python.failure import Failure

from trustwatch.db.migrations import open_database
from trustwatch.db.store import Jurisdiction
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.legistar import LegistarSpider
from trustwatch.spiders.legistar_api import DEFAULT_SEARCH, matter_url, matters_url, title_filter
from trustwatch.spiders.replay import FolderStorage, recording_stem

RECORDING = FIXTURES / "legistar"
# Byte-for-byte copies of the shared corpus (see tests/fixtures/provisions/PROVENANCE.md).
CORPUS = FIXTURES / "provisions" / "texts"
API = "https://webapi.legistar.com"
ARGUMENTS = json.loads((RECORDING / "recording.json").read_text())["crawls"][0]["arguments"]
FILTER = title_filter(ARGUMENTS["search"].split(","))
TOKEN = "tw-test-token-7f3a9c0d"
JSON_HEADERS = {"Content-Type": ["application/json; charset=utf-8"]}

CHICAGO = Jurisdiction(
    "ocd-division/country:us/state:il/place:chicago", "Chicago", "place", "IL", "17"
)
COOK = Jurisdiction(
    "ocd-division/country:us/state:il/county:cook", "Cook County", "county", "IL", "17", "Chicago"
)
NYC = Jurisdiction(
    "ocd-division/country:us/state:ny/place:new_york", "New York City", "place", "NY", "36"
)
# document id -> [(label, date, classification)], as the replayed crawl stores them
EXPECTED = {
    "chicago-O2017-1018": [("Version 1", "2017-02-22", "introduced")],
    "chicago-O2021-117": [("Version 1", "2021-01-27", "became-law")],
    "cookcounty-11-O-73": [("Version 1", "2011-09-07", "introduced")],
    "nyc-Int-0982-2012": [("Version A", None, "became-law")],
    "nyc-Int-1558-2017": [("Version A", None, "became-law")],
}


@pytest.fixture(autouse=True)
def nyc_token_set(monkeypatch):
    """Every test has the NYC token set (to a test value) unless it takes it away."""
    monkeypatch.setenv("LEGISTAR_NYC_TOKEN", TOKEN)
    monkeypatch.delenv("TRUSTWATCH_LEGISTAR_URL", raising=False)


def spider(**arguments) -> LegistarSpider:
    return LegistarSpider(**{**ARGUMENTS, **arguments})


def start_requests(legistar: LegistarSpider) -> list[Request]:
    async def collect():
        return [request async for request in legistar.start()]

    return asyncio.run(collect())


def recorded(request: Request):
    """The response a replay serves for ``request``, read by the replay storage itself."""
    storage = FolderStorage(Settings({"TRUSTWATCH_RECORDING_DIR": str(RECORDING)}))
    response = storage.retrieve_response(None, request)
    assert response is not None, f"not recorded: {request.url}"
    return response


def follow(request: Request) -> list:
    return list(request.callback(recorded(request), **request.cb_kwargs))


def text_request(client: str, matter_id: int, text_id: int) -> Request:
    """The text request the spider makes for one version, found by walking from the first
    page of matters through the matter's histories and versions."""
    page = next(r for r in start_requests(spider()) if f"/v1/{client}/" in r.url)
    histories = next(r for r in follow(page) if f"/matters/{matter_id}/histories" in r.url)
    (versions,) = follow(histories)
    return next(r for r in follow(versions) if r.url.endswith(f"/texts/{text_id}"))


def test_arguments_defaults_and_errors():
    legistar = LegistarSpider()
    assert legistar.api == API and legistar.allowed_domains == ["webapi.legistar.com"]
    assert legistar.clients == ["chicago", "cookcounty", "seattle", "sfgov"]
    assert legistar.search == list(DEFAULT_SEARCH) and legistar.page_size == 1000
    assert legistar.odata_filter == (
        "substringof('immigra',MatterTitle) or substringof('Welcoming City',MatterTitle) "
        "or substringof('sanctuary',MatterTitle) or substringof('detain',MatterTitle) "
        "or substringof('deport',MatterTitle)"
    )
    assert legistar.crawl_arguments == {
        "clients": "chicago,cookcounty,seattle,sfgov",
        "search": "immigra,Welcoming City,sanctuary,detain,deport",
        "page_size": 1000,
    }
    custom = LegistarSpider(clients=" Chicago ,nyc,chicago", search="O'Hare", page_size="2")
    assert custom.clients == ["chicago", "nyc"] and custom.page_size == 2
    assert custom.odata_filter == "substringof('O''Hare',MatterTitle)"
    for arguments, message in [
        ({"clients": "atlantis"}, "unknown Legistar client 'atlantis'"),
        ({"page_size": 0}, "between 1 and 1000"),
        ({"page_size": 1001}, "between 1 and 1000"),
        ({"page_size": "many"}, "must be a number"),
        ({"search": " , "}, "at least one word"),
    ]:
        with pytest.raises(ValueError, match=message):
            LegistarSpider(**arguments)


def test_the_matter_search_is_paged_with_top_and_skip():
    # The URL is built as Scrapy would escape it, so it is the one requested and logged.
    assert matters_url(API, "chicago", "substringof('a b',MatterTitle)", 2, 4) == (
        f"{API}/v1/chicago/matters?$filter=substringof(%27a%20b%27,MatterTitle)"
        "&$orderby=MatterId&$top=2&$skip=4"
    )
    assert matter_url(API, "nyc", 7, "texts/9") == f"{API}/v1/nyc/matters/7/texts/9"


def test_nyc_is_skipped_without_a_token(monkeypatch, caplog):
    monkeypatch.delenv("LEGISTAR_NYC_TOKEN")
    with caplog.at_level(logging.WARNING):
        urls = [r.url for r in start_requests(spider())]
    assert urls == [
        matters_url(API, client, FILTER, 2, 0)
        for client in ("chicago", "cookcounty", "seattle", "sfgov")
    ]
    assert "skipping Legistar client nyc" in caplog.text and "LEGISTAR_NYC_TOKEN" in caplog.text
    monkeypatch.setenv("LEGISTAR_NYC_TOKEN", TOKEN)
    legistar = spider()
    urls = [r.url for r in start_requests(legistar)]
    assert matters_url(API, "nyc", FILTER, 2, 0) in urls and len(urls) == 5
    # The token waits for the download handler: no request, argument or URL holds it.
    assert legistar.api_key == TOKEN
    assert all(TOKEN not in url for url in urls)
    assert TOKEN not in json.dumps(legistar.crawl_arguments)


def test_a_full_page_asks_for_the_next_and_a_short_or_empty_page_is_the_last():
    pages = {r.cb_kwargs["client"]: r for r in start_requests(spider())}
    first = follow(pages["chicago"])
    assert [r.url for r in first] == [
        matter_url(API, "chicago", 2966355, "histories"),
        matter_url(API, "chicago", 9000002, "histories"),
        matters_url(API, "chicago", FILTER, 2, 2),
    ]
    assert [r.cb_kwargs["matter"]["MatterFile"] for r in first[:2]] == ["O2017-1018", "O2021-117"]
    assert first[2].cb_kwargs == {"client": "chicago", "skip": 2}
    assert follow(first[2]) == []  # the second page is empty: the end
    nyc = follow(pages["nyc"])
    assert [r.cb_kwargs["matter"]["MatterId"] for r in nyc[:2]] == [1265017, 3023525]
    assert follow(nyc[2]) == []
    (cook,) = follow(pages["cookcounty"])  # one matter on a page of two: no next page
    assert cook.url == matter_url(API, "cookcounty", 9000003, "histories")
    assert follow(pages["seattle"]) == follow(pages["sfgov"]) == []


def test_histories_date_the_versions_and_each_version_asks_for_its_text():
    (chicago, _, _) = follow(next(r for r in start_requests(spider()) if "chicago" in r.url))
    (versions,) = follow(chicago)
    assert versions.url == matter_url(API, "chicago", 2966355, "versions")
    assert versions.cb_kwargs["dates"] == {"1": "2017-02-22"}
    (text,) = follow(versions)
    assert text.url == matter_url(API, "chicago", 2966355, "texts/9100011")
    assert text.cb_kwargs == {
        "client": "chicago",
        "document": {
            "document_id": "chicago-O2017-1018",
            "session": "2017",
            "identifier": "O2017-1018",
            "title": "Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance",
            "kind": "ordinance",
            "status": "Failed to Pass",
            "document_url": f"{API}/v1/chicago/matters/2966355",
        },
        "version": {
            "key": "9100011",
            "label": "Version 1",
            "classification": "introduced",
            "date": "2017-02-22",
            "sequence": 1,
        },
    }
    # Two versions of a passed matter: the first introduced, the last became law, dated
    # by the histories or else by the matter's own dates.
    cook = text_request("cookcounty", 9000003, 9100032)
    assert cook.cb_kwargs["version"] == {
        "key": "9100032",
        "label": "Version 2",
        "classification": "became-law",
        "date": "2011-09-07",
        "sequence": 2,
    }
    nyc_original = text_request("nyc", 1265017, 9100041)
    assert nyc_original.cb_kwargs["version"] == {
        "key": "9100041",
        "label": "Version *",
        "classification": "introduced",
        "date": None,
        "sequence": 1,
    }
    assert nyc_original.cb_kwargs["document"]["kind"] == "bill"
    passed = text_request("chicago", 9000002, 9100021)
    assert passed.cb_kwargs["version"]["date"] == "2021-01-27"
    assert passed.cb_kwargs["document"]["session"] == "2021"


def test_a_text_becomes_a_fetched_version_with_every_field():
    request = text_request("chicago", 2966355, 9100011)
    response = recorded(request)
    (item,) = request.callback(response, **request.cb_kwargs)
    assert isinstance(item, FetchedVersion)
    assert item.source == "legistar" and item.jurisdiction == CHICAGO
    assert (item.document_id, item.session, item.identifier) == (
        "chicago-O2017-1018",
        "2017",
        "O2017-1018",
    )
    assert (
        item.title == "Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance"
    )
    assert (item.kind, item.status) == ("ordinance", "Failed to Pass")
    assert item.document_url == f"{API}/v1/chicago/matters/2966355"
    assert (item.version_key, item.label, item.classification, item.date, item.sequence) == (
        "9100011",
        "Version 1",
        "introduced",
        "2017-02-22",
        1,
    )
    assert item.url == f"{API}/v1/chicago/matters/2966355/texts/9100011"
    assert (item.http_status, item.media_type, item.encoding) == (200, "text/plain", "utf-8")
    assert item.headers == JSON_HEADERS and item.text_root is None
    # The body is MatterTextPlain, and that is the corpus text without the record page's
    # header lines.
    assert item.body == json.loads(response.body)["MatterTextPlain"].encode("utf-8")
    text = item.body.decode("utf-8")
    corpus = (CORPUS / "chicago-o2017-1018-welcoming-city-amendment.partial.txt").read_text()
    assert text.startswith("Committee on Human Relations February 22, 2017\n\nORDINANCE")
    assert corpus.endswith(text) and "Record #" not in text


def test_new_york_city_and_cook_county_versions():
    request = text_request("nyc", 1265017, 9100042)
    (item,) = request.callback(recorded(request), **request.cb_kwargs)
    assert item.jurisdiction == NYC
    assert (item.document_id, item.identifier, item.session) == (
        "nyc-Int-0982-2012",
        "Int 0982-2012",
        "",
    )
    assert item.title.endswith(
        "in relation to persons not to be detained by the police department."
    )
    assert (item.kind, item.status, item.label, item.classification, item.date) == (
        "bill",
        "Enacted",
        "Version A",
        "became-law",
        None,
    )
    assert (item.sequence, item.version_key) == (2, "9100042")
    corpus = (CORPUS / "nyc-int0982-A-2012-14-154-original.partial.txt").read_bytes()
    assert item.body == corpus.strip(b"\n")  # the whole corpus text, bar its last newline
    request = text_request("cookcounty", 9000003, 9100031)
    (item,) = request.callback(recorded(request), **request.cb_kwargs)
    assert item.jurisdiction == COOK
    assert (item.document_id, item.title, item.kind, item.status) == (
        "cookcounty-11-O-73",
        "POLICY FOR RESPONDING TO ICE DETAINERS",
        "ordinance",
        "Approved",
    )
    assert item.body.startswith(b"Submitting a Proposed Ordinance sponsored by")
    assert item.body.decode() in (CORPUS / "cook-county-11-O-73-2011.partial.txt").read_text()


def test_a_version_without_text_is_a_failure():
    request = text_request("nyc", 1265017, 9100041)
    (failure,) = request.callback(recorded(request), **request.cb_kwargs)
    assert failure == CrawlFailure(
        f"{API}/v1/nyc/matters/1265017/texts/9100041",
        "parse",
        "Int 0982-2012 Version *: version without text",
    )


def _text_response(request: Request, **fields) -> TextResponse:
    data = {**json.loads(recorded(request).body), **fields}
    body = json.dumps(data).encode()
    return TextResponse(request.url, body=body, headers={"Content-Type": "application/json"})


def test_the_rich_text_when_that_is_all_there_is():
    request = text_request("nyc", 1265017, 9100042)
    plain = json.loads(recorded(request).body)["MatterTextPlain"]
    rtf = "{\\rtf1\\ansi " + plain.replace("\n", "\\par\n") + "}"
    # Some clients' texts carry NUL characters: dropped.
    response = _text_response(request, MatterTextPlain=" \r\n", MatterTextRtf=rtf + "\x00")
    (item,) = request.callback(response, **request.cb_kwargs)
    assert (item.media_type, item.body) == ("application/rtf", rtf.encode("utf-8"))
    html = "<div><p>" + plain.replace("\n", "</p><p>") + "</p></div>"
    response = _text_response(request, MatterTextPlain=None, MatterTextRtf=html)
    (item,) = request.callback(response, **request.cb_kwargs)
    assert (item.media_type, item.body) == ("text/html", html.encode("utf-8"))
    response = _text_response(request, MatterTextPlain="", MatterTextRtf="  ")
    (failure,) = request.callback(response, **request.cb_kwargs)
    assert failure.message.endswith("version without text")


def test_a_response_that_is_not_json_is_a_failure_not_a_crash():
    request = text_request("nyc", 1265017, 9100042)
    response = TextResponse(request.url, body=b"<html>Service Unavailable</html>")
    (failure,) = request.callback(response, **request.cb_kwargs)
    assert (failure.kind, failure.message) == ("parse", "the text response is not a JSON dict")
    page = start_requests(spider())[0]
    (failure,) = page.callback(TextResponse(page.url, body=b'{"Message": "x"}'), **page.cb_kwargs)
    assert failure.message == "the matters response is not a JSON list"


def test_only_new_york_city_requests_are_sent_with_the_token():
    legistar = spider()
    page = matters_url(API, "nyc", FILTER, 2, 0)
    sent = legistar.on_the_wire(Request(page))
    assert sent.url == f"{page}&token={TOKEN}"
    text = matter_url(API, "nyc", 1265017, "texts/9100042")
    assert legistar.on_the_wire(Request(text)).url == f"{text}?token={TOKEN}"
    assert legistar.on_the_wire(Request(matters_url(API, "chicago", FILTER, 2, 0))) is None
    assert legistar.on_the_wire(Request("https://elsewhere.example/v1/nyc/matters")) is None


def test_a_failure_never_repeats_the_token():
    """Errors of the download itself (a timeout names the URL it was sending) are
    recorded without the token."""
    sent = matters_url(API, "nyc", FILTER, 2, 0) + f"&token={TOKEN}"
    failure = Failure(TwistedTimeout(f"Getting {sent} took longer than 60.0 seconds."))
    failure.request = Request(sent)
    (item,) = spider().failed(failure)
    assert item.kind == "timeout" and item.url.endswith("&token=[API key]")
    assert TOKEN not in item.url + item.message


def versions_in(db_path):
    db = open_database(db_path)
    found = {}
    for row in db.query(
        "select document_id, label, date, classification from versions "
        "order by document_id, ordinal"
    ):
        found.setdefault(row["document_id"], []).append(
            (row["label"], row["date"], row["classification"])
        )
    return db, found


def assert_no_token(db_path: str) -> None:
    """The token is nowhere in the database: not in a URL, header, argument or error.

    (Read through SQLite, never as a file: opening and closing the database file
    beside a live connection drops that connection's locks.)"""
    db = open_database(db_path)
    assert not [line for line in db.conn.iterdump() if TOKEN in line]
    stored = [
        *db.execute("select url, headers from raw_responses").fetchall(),
        *db.execute("select source_url from versions").fetchall(),
        *db.execute("select source_url from documents").fetchall(),
        *db.execute("select arguments from crawl_runs").fetchall(),
        *db.execute("select url, message from crawl_errors").fetchall(),
    ]
    db.close()
    assert any("/v1/nyc/" in value for row in stored for value in row)  # NYC was stored
    assert not [row for row in stored if any(TOKEN in str(value) for value in row)]


def test_replayed_crawl_stores_every_version_and_records_the_gaps(db_path):
    env = {"LEGISTAR_NYC_TOKEN": TOKEN}
    first = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    assert first.returncode == 1, first.stderr  # the crawl met errors, and says so
    (summary,) = json.loads(first.stdout)["crawls"]
    assert summary["arguments"] == ARGUMENTS
    assert (summary["items_seen"], summary["versions_new"], summary["errors"]) == (5, 5, 2)
    assert summary["pages"] == 24 and summary["finish_reason"] == "finished"
    db, found = versions_in(db_path)
    assert found == EXPECTED
    errors = sorted((row["kind"], row["url"], row["message"]) for row in db["crawl_errors"].rows)
    assert errors == [
        (
            "http",
            f"{API}/v1/cookcounty/matters/9000003/texts/9100032",
            f"HTTP 404 from {API}/v1/cookcounty/matters/9000003/texts/9100032",
        ),
        (
            "parse",
            f"{API}/v1/nyc/matters/1265017/texts/9100041",
            "Int 0982-2012 Version *: version without text",
        ),
    ]
    document = db["documents"].get("chicago-O2021-117")
    assert (document["jurisdiction_id"], document["source"], document["kind"]) == (
        CHICAGO.id,
        "legistar",
        "ordinance",
    )
    assert document["source_url"] == f"{API}/v1/chicago/matters/9000002"
    # The versions are parsed: sections and provisions of the Welcoming City text.
    version = next(db.query("select id from versions where document_id = 'chicago-O2021-117'"))
    numbers = [
        row["number"]
        for row in db.query("select number from sections where version_id = ?", [version["id"]])
    ]
    assert "2-173-020(a)(1)(C)" in numbers and "2-173-030(b)" in numbers
    types = {
        row["type"]
        for row in db.query("select type from provisions where version_id = ?", [version["id"]])
    }
    assert {"detainer_limit", "information_sharing_limit", "transfer_limit"} <= types
    raw = next(db.query("select * from raw_responses where url like '%/texts/9100051'"))
    assert (raw["media_type"], raw["encoding"], raw["status"]) == ("text/plain", "utf-8", 200)
    assert json.loads(raw["headers"]) == JSON_HEADERS
    places = {row["id"]: row for row in db["jurisdictions"].rows}
    assert set(places) == {CHICAGO.id, COOK.id, NYC.id}
    assert places[COOK.id]["latitude"] == places[CHICAGO.id]["latitude"]  # its seat
    assert_no_token(db_path)
    second = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json", env=env)
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"], summary["errors"]) == (0, 5, 2)
    assert db["versions"].count == 5


def test_without_the_token_new_york_city_is_left_out(db_path):
    result = run_cli(
        "crawl", "--replay", str(RECORDING), "--db", db_path, env={"LEGISTAR_NYC_TOKEN": ""}
    )
    assert result.returncode == 1  # the Cook County 404 is still an error
    assert "skipping Legistar client nyc" in result.stderr
    assert "set LEGISTAR_NYC_TOKEN" in result.stderr
    db, found = versions_in(db_path)
    assert found == {key: value for key, value in EXPECTED.items() if not key.startswith("nyc")}
    assert [row["kind"] for row in db["crawl_errors"].rows] == ["http"]


class _Mirror(RecordedSite):
    """Serves the recording as the Web API would, refusing NYC requests without the
    right token and any other request with one; notes every path it was asked for."""

    seen: list

    def do_GET(self):
        self.seen.append(self.path)
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        tokens = [value for key, value in query if key == "token"]
        wanted = [TOKEN] if parts.path.startswith("/v1/nyc/") else []
        if tokens != wanted:
            self.send_error(401)
            return
        rest = urlencode([(key, value) for key, value in query if key != "token"])
        self.send_recorded(recording_stem(RECORDING, "GET", f"{API}{parts.path}?{rest}"))


@contextmanager
def mirror():
    handler = type("Mirror", (_Mirror,), {"seen": []})
    with serving(handler) as url:
        yield url, handler.seen


def test_the_nyc_token_reaches_the_api_and_nothing_else(db_path, tmp_path):
    """A real crawl through Scrapy's downloader, recording what it fetches, with DEBUG
    logging: the mirror gets the token on every NYC request; the recording, the log and
    the database never see it."""
    recording = tmp_path / "recorded"
    arguments = {**ARGUMENTS, "clients": "nyc,seattle"}
    options = [f"-a{name}={value}" for name, value in arguments.items()]
    with mirror() as (url, seen):
        env = {
            "TRUSTWATCH_LEGISTAR_URL": url,
            "LEGISTAR_NYC_TOKEN": TOKEN,
            "TRUSTWATCH_LOG_LEVEL": "DEBUG",
        }
        result = run_cli(
            "crawl", "legistar", *options, "--record", str(recording), "--db", db_path, env=env
        )
        assert result.returncode == 1, result.stderr  # the crafted 404
        assert "legistar: 2 new versions, 0 unchanged, 1 errors" in result.stderr
        nyc = [path for path in seen if path.startswith("/v1/nyc/")]
        assert len(nyc) == 9 and all(f"token={TOKEN}" in path for path in nyc)
        assert not [path for path in seen if "token" in path and path not in nyc]
        replayed_db = str(tmp_path / "replayed.db")
        replay = run_cli(
            "crawl",
            "--replay",
            str(recording),
            "--db",
            replayed_db,
            "--json",
            env={"TRUSTWATCH_LEGISTAR_URL": url, "LEGISTAR_NYC_TOKEN": TOKEN},
        )
    # The log was verbose (every response is logged at DEBUG) and holds no token.
    assert "Crawled (200)" in result.stderr and "/v1/nyc/matters" in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    files = [path for path in recording.rglob("*") if path.is_file()]
    assert any("/v1/nyc/matters/1265017/texts/9100042" in str(path) for path in files)
    assert [
        path for path in files if TOKEN in str(path) or TOKEN.encode() in path.read_bytes()
    ] == []
    assert_no_token(db_path)
    _, found = versions_in(db_path)
    assert found == {key: value for key, value in EXPECTED.items() if key.startswith("nyc")}
    # The recording replays offline into the same versions.
    assert replay.returncode == 1 and TOKEN not in replay.stdout + replay.stderr
    (summary,) = json.loads(replay.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (2, 1)
    assert_no_token(replayed_db)
