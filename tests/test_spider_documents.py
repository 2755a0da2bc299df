"""The documents spider on recorded responses of its watched list (tests/fixtures/documents,
see its PROVENANCE.md): callbacks on saved responses, then whole crawls through the real CLI
— replayed, replayed again after a page changed, and from a real local HTTP server standing
in for every watched site (``TRUSTWATCH_DOCUMENTS_URL``)."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, RecordedSite, run_cli, serving
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from trustwatch.db.migrations import open_database
from trustwatch.parsers.document import parse_document
from trustwatch.parsers.errors import NoTextError
from trustwatch.spiders.documents import (
    DocumentArgumentError,
    DocumentsSpider,
    mirrored,
    watched_documents,
)
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.replay import FolderStorage, recording_stem

FIRST = FIXTURES / "documents" / "first"
LATER = FIXTURES / "documents" / "later"
ENTRIES = {entry["id"]: entry for entry in watched_documents()}
STORED = [
    "chicago-mc-2-173-020",
    "chicago-mc-2-173-030",
    "cook-county-11-o-73",
    "ct-cgs-54-192h",
    "fl-stat-ch-908",
    "il-5-ilcs-805-15",
    "sf-admin-12h-2",
    "sf-admin-12i",
]
NOT_FOUND = "tx-gov-752-053"
SCANNED = "fresno-sheriff-c-185"


def recorded(document_id: str, root: Path = FIRST) -> Response:
    """The response a replay serves for a watched document, through the real folder storage."""
    request = Request(ENTRIES[document_id]["url"], cb_kwargs={"entry": ENTRIES[document_id]})
    storage = FolderStorage(Settings({"TRUSTWATCH_RECORDING_DIR": str(root)}))
    response = storage.retrieve_response(None, request)
    assert response is not None, f"not recorded: {request.url}"
    return response


def fetched(document_id: str, root: Path = FIRST) -> FetchedVersion:
    spider = DocumentsSpider(ids=document_id)
    (item,) = spider.parse_document(recorded(document_id, root), entry=ENTRIES[document_id])
    return item


def test_watched_list_is_checked_and_every_entry_is_recorded():
    assert len(ENTRIES) == 10
    assert {entry["level"] for entry in ENTRIES.values()} == {"state", "county", "place"}
    assert {entry["kind"] for entry in ENTRIES.values()} == {"code", "ordinance", "policy"}
    for entry in ENTRIES.values():
        assert entry["jurisdiction"].startswith("ocd-division/country:us/state:")
        assert f"state:{entry['state_code'].lower()}" in entry["jurisdiction"]
        if "codelibrary.amlegal.com" in entry["url"]:
            assert entry["text_root"] == "codecontent"
        for root in (FIRST, LATER):
            recorded(entry["id"], root)
    manifest = json.loads((FIRST / "recording.json").read_text())
    assert manifest["crawls"] == [
        {"spider": "documents", "arguments": DocumentsSpider().crawl_arguments}
    ]


def test_ids_choose_entries_and_unknown_ones_are_refused():
    spider = DocumentsSpider(ids="ct-cgs-54-192h, sf-admin-12h-2,ct-cgs-54-192h")
    assert [entry["id"] for entry in spider.entries] == ["ct-cgs-54-192h", "sf-admin-12h-2"]
    assert spider.crawl_arguments == {"ids": "ct-cgs-54-192h,sf-admin-12h-2"}
    assert len(DocumentsSpider().entries) == len(ENTRIES)
    with pytest.raises(DocumentArgumentError, match="not in the watched list: atlantis-code"):
        DocumentsSpider(ids="atlantis-code")
    with pytest.raises(DocumentArgumentError, match="no bills"):
        DocumentsSpider(bills="2017 SB 54")


def test_a_mirror_replaces_scheme_and_host_of_every_url(monkeypatch):
    url = ENTRIES[SCANNED]["url"]
    assert mirrored(url, "http://127.0.0.1:8123") == (
        "http://127.0.0.1:8123/docs/DocView.aspx?dbid=0&id=6671&repo=SheriffPublic"
    )
    assert mirrored(url, None) == url
    monkeypatch.setenv("TRUSTWATCH_DOCUMENTS_URL", "http://127.0.0.1:8123/")
    spider = DocumentsSpider(ids="il-5-ilcs-805-15,chicago-mc-2-173-020")

    async def collect():
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert [r.url for r in requests] == [
        "http://127.0.0.1:8123/ftp/ILCS/Ch%200005/Act%200805/000508050K15.html",
        "http://127.0.0.1:8123/codes/chicago/latest/chicago_il/0-0-0-2605272",
    ]
    assert requests[0].cb_kwargs == {"entry": ENTRIES["il-5-ilcs-805-15"]}
    assert requests[0].callback == spider.parse_document and requests[0].errback == spider.failed


def test_a_code_page_becomes_the_current_version_with_every_field():
    item = fetched("chicago-mc-2-173-020")
    entry = ENTRIES["chicago-mc-2-173-020"]
    assert (item.source, item.document_id, item.session) == ("documents", entry["id"], "")
    assert (item.identifier, item.title, item.kind, item.status) == (
        "Municipal Code 2-173-020",
        "Immigration enforcement prohibited",
        "code",
        "current",
    )
    assert (item.version_key, item.label, item.date, item.classification, item.sequence) == (
        "current",
        "as fetched 2026-11-29",
        "2026-11-29",
        "became-law",
        1,
    )
    assert item.jurisdiction.id == "ocd-division/country:us/state:il/place:chicago"
    assert (item.jurisdiction.name, item.jurisdiction.level) == ("Chicago", "place")
    assert (item.jurisdiction.state_code, item.jurisdiction.fips) == ("IL", "1714000")
    assert item.document_url == item.url == entry["url"]
    assert (item.http_status, item.media_type, item.encoding) == (200, "text/html", "utf-8")
    assert item.text_root == "codecontent" and item.headers["Date"]
    text = parse_document(item.body, item.media_type, text_root=item.text_root).text
    assert text.startswith("2-173-020 Immigration enforcement prohibited.\n(a) No agent")
    assert "Code Library" not in text  # the page's navigation is outside the text root


def test_a_whole_page_entry_reads_the_page_and_a_later_fetch_has_a_later_label():
    first, later = fetched("ct-cgs-54-192h"), fetched("ct-cgs-54-192h", LATER)
    assert first.text_root is None and first.jurisdiction.level == "state"
    assert (first.label, first.date) == ("as fetched 2026-11-29", "2026-11-29")
    assert (later.label, later.date) == ("as fetched 2026-12-06", "2026-12-06")
    assert first.version_key == later.version_key == "current"
    assert "“Administrative warrant” means" in parse_document(later.body, later.media_type).text
    assert "Administrative warrant" not in parse_document(first.body, first.media_type).text


def test_pdfs_with_and_without_a_text_layer():
    ordinance = fetched("cook-county-11-o-73")
    assert (ordinance.media_type, ordinance.encoding, ordinance.text_root) == (
        "application/pdf",
        None,
        None,
    )
    assert ordinance.body.startswith(b"%PDF-") and ordinance.classification == "became-law"
    assert ordinance.jurisdiction.level == "county" and ordinance.jurisdiction.seat == "Chicago"
    text = parse_document(ordinance.body, ordinance.media_type).text
    assert "POLICY FOR RESPONDING TO ICE DETAINERS" in text
    # The spider hands a scanned PDF over like any other; the parser refuses it.
    policy = fetched(SCANNED)
    assert (policy.kind, policy.classification) == ("policy", "filed")
    with pytest.raises(NoTextError, match="no text layer .* needs OCR"):
        parse_document(policy.body, policy.media_type)


def test_last_modified_is_the_date_and_without_a_date_header_the_fetch_is_today():
    entry = ENTRIES["il-5-ilcs-805-15"]
    spider = DocumentsSpider(ids=entry["id"])
    body = recorded(entry["id"]).body
    response = HtmlResponse(
        url=entry["url"],
        body=body,
        headers={
            "Content-Type": "text/html",
            "Date": "Sun, 29 Nov 2026 23:30:00 -0800",
            "Last-Modified": "Tue, 05 Aug 2025 16:02:11 GMT",
        },
    )
    (item,) = spider.parse_document(response, entry=entry)
    assert (item.label, item.date) == ("as fetched 2026-11-30", "2025-08-05")
    (item,) = spider.parse_document(HtmlResponse(url=entry["url"], body=body), entry=entry)
    today = datetime.now(UTC).date().isoformat()
    assert (item.label, item.date, item.media_type) == (f"as fetched {today}", today, "text/html")


def test_an_http_error_is_a_failure_naming_the_document():
    entry = ENTRIES[NOT_FOUND]
    spider = DocumentsSpider(ids=NOT_FOUND)
    request = Request(entry["url"], cb_kwargs={"entry": entry})
    response = recorded(NOT_FOUND)
    assert response.status == 404
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request
    (found,) = spider.failed(failure)
    assert isinstance(found, CrawlFailure)
    assert (found.kind, found.url) == ("http", entry["url"])
    assert found.message == f"{NOT_FOUND}: HTTP 404 from {entry['url']}"


def crawl(root: Path, db_path: str, env: dict | None = None, *sources: str):
    result = run_cli(
        "crawl",
        *sources,
        *(["--replay", str(root)] if root else []),
        "--db",
        db_path,
        "--json",
        env=env,
    )
    (summary,) = json.loads(result.stdout)["crawls"]
    return result, summary


def versions_by_document(db):
    found = {}
    for row in db.query("select * from versions order by document_id, ordinal"):
        found.setdefault(row["document_id"], []).append(row)
    return found


def test_replayed_crawl_stores_every_readable_document_and_records_the_rest(db_path):
    result, summary = crawl(FIRST, db_path)
    assert result.returncode == 1, result.stderr  # two documents could not be stored
    assert (summary["items_seen"], summary["versions_new"], summary["errors"]) == (9, 8, 2)
    db = open_database(db_path)
    found = versions_by_document(db)
    assert sorted(found) == STORED
    for document_id, (version,) in found.items():
        assert (version["source_key"], version["label"], version["date"]) == (
            "current",
            "as fetched 2026-11-29",
            "2026-11-29",
        )
        assert version["classification"] == "became-law"
        assert version["source_url"] == ENTRIES[document_id]["url"]
        document = db["documents"].get(document_id)
        assert document["latest_version_id"] == version["id"]
        assert (document["source"], document["kind"]) == ("documents", ENTRIES[document_id]["kind"])
        assert document["jurisdiction_id"] == ENTRIES[document_id]["jurisdiction"]
    sections = {
        row["document_id"]: row["numbers"]
        for row in db.query(
            "select v.document_id, group_concat(s.number, '|') as numbers "
            "from sections s join versions v on v.id = s.version_id group by v.document_id"
        )
    }
    assert "2-173-020(a)(4)" in sections["chicago-mc-2-173-020"].split("|")
    assert sections["il-5-ilcs-805-15"].split("|") == ["(a)", "(b)", "(c)", "(d)", "(e)"]
    assert "(a)(4)(D)" in sections["ct-cgs-54-192h"].split("|")
    provisions = {
        (row["document_id"], row["type"])
        for row in db.query(
            "select v.document_id, p.type from provisions p join versions v on v.id = p.version_id"
        )
    }
    assert {
        ("chicago-mc-2-173-020", "enforcement_agreement_limit"),
        ("chicago-mc-2-173-030", "judicial_warrant_requirement"),
        ("sf-admin-12h-2", "information_sharing_limit"),
        ("il-5-ilcs-805-15", "detainer_limit"),
        ("ct-cgs-54-192h", "serious_crime_exception"),
    } <= provisions
    assert db["jurisdictions"].get("ocd-division/country:us/state:il/county:cook")["latitude"]
    errors = {row["url"]: (row["kind"], row["message"]) for row in db["crawl_errors"].rows}
    assert errors == {
        ENTRIES[NOT_FOUND]["url"]: (
            "http",
            f"{NOT_FOUND}: HTTP 404 from {ENTRIES[NOT_FOUND]['url']}",
        ),
        ENTRIES[SCANNED]["url"]: (
            "parse",
            "Jail Division Policy C-185 as fetched 2026-11-29 (2026-11-29): the PDF has no "
            "text layer (2 pages): a scanned document needs OCR",
        ),
    }
    assert [row[0] for row in db.execute(f"select id from documents where id = '{SCANNED}'")] == []
    # The same recording again: nothing new.
    again, summary = crawl(FIRST, db_path)
    assert again.returncode == 1
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 8)
    assert db["versions"].count == 8
    assert [r["status"] for r in db["crawl_runs"].rows] == ["finished", "finished"]


def test_a_changed_page_adds_exactly_one_version(db_path):
    crawl(FIRST, db_path)
    result, summary = crawl(LATER, db_path)
    assert result.returncode == 1, result.stderr
    assert (summary["versions_new"], summary["versions_unchanged"]) == (1, 7)
    db = open_database(db_path)
    found = versions_by_document(db)
    assert {key: len(rows) for key, rows in found.items()} == {
        key: 2 if key == "ct-cgs-54-192h" else 1 for key in STORED
    }
    old, new = found["ct-cgs-54-192h"]
    assert (old["label"], new["label"]) == ("as fetched 2026-11-29", "as fetched 2026-12-06")
    assert (old["ordinal"], new["ordinal"]) == (1, 2)
    assert "“Administrative warrant” means" in new["text"]
    assert db["documents"].get("ct-cgs-54-192h")["latest_version_id"] == new["id"]
    (change,) = db["version_changes"].rows
    assert (change["version_id"], change["previous_version_id"]) == (new["id"], old["id"])
    assert change["words_added"] > 0 and change["words_removed"] > 0
    # The later recording once more: nothing new.
    _, summary = crawl(LATER, db_path)
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 8)


class _Mirror(RecordedSite):
    """One server standing in for every watched site: a path is looked up under each
    recorded host; anything not recorded (robots.txt) is a 404."""

    root: Path

    def do_GET(self):
        stems = [
            recording_stem(self.root, "GET", f"https://{host}{self.path}")
            for host in sorted(p.name for p in self.root.iterdir() if p.is_dir())
        ]
        found = [s for s in stems if s.with_name(s.name + ".meta.json").exists()]
        self.send_recorded(found[0] if found else None)


def mirror(root: Path):
    return serving(type("Handler", (_Mirror,), {"root": root}))


def test_a_live_crawl_of_a_mirror_fetches_the_whole_watched_list(db_path):
    """Through the real downloader (robots.txt, delays), every entry, no ids given."""
    with mirror(FIRST) as url:
        result, summary = crawl(None, db_path, {"TRUSTWATCH_DOCUMENTS_URL": url}, "documents")
    assert result.returncode == 1, result.stderr
    assert (summary["versions_new"], summary["errors"]) == (8, 2)
    db = open_database(db_path)
    rows = list(db.query("select document_id, source_url from versions order by document_id"))
    assert [row["document_id"] for row in rows] == STORED
    assert all(row["source_url"].startswith(url + "/") for row in rows)
    # The document keeps its real address; the version records where it was fetched.
    assert db["documents"].get("sf-admin-12i")["source_url"] == ENTRIES["sf-admin-12i"]["url"]
    (run,) = db["crawl_runs"].rows
    assert json.loads(run["arguments"]) == {"ids": ",".join(ENTRIES)}
