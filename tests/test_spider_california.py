"""The California spider on recorded leginfo pages (tests/fixtures/california, see its
PROVENANCE.md): callbacks on saved responses, then whole crawls through Scrapy's real
downloader, replayed and against a real local HTTP server."""

import json
import shutil

import pytest
from conftest import FIXTURES, recording_server, run_cli
from scrapy import Request
from scrapy.http import HtmlResponse

from trustwatch.db.migrations import open_database
from trustwatch.spiders.california import (
    BillArgumentError,
    CaliforniaSpider,
    leginfo_bill_id,
)
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.replay import recording_stem

RECORDING = FIXTURES / "california"
BROKEN = FIXTURES / "california_broken"
SITE = "https://leginfo.legislature.ca.gov"
SB54_URL = f"{SITE}/faces/billTextClient.xhtml?bill_id=201720180SB54"

SB54_VERSIONS = [
    ("Introduced", "2016-12-05", "introduced"),
    ("Amended Senate", "2017-01-24", "amendment"),
    ("Amended Senate", "2017-03-29", "amendment"),
    ("Amended Assembly", "2017-06-19", "amendment"),
    ("Chaptered", "2017-10-05", "became-law"),
]
EXPECTED = {
    "ca-2017-2018-sb54": SB54_VERSIONS,
    "ca-2013-2014-ab4": [
        ("Introduced", "2012-12-03", "introduced"),
        ("Amended Senate", "2013-06-14", "amendment"),
        ("Amended Senate", "2013-06-24", "amendment"),
        ("Amended Senate", "2013-09-04", "amendment"),
    ],
    "ca-2015-2016-ab2792": [
        ("Introduced", "2016-02-19", "introduced"),
        ("Amended Senate", "2016-08-15", "amendment"),
        ("Amended Senate", "2016-08-19", "amendment"),
        ("Chaptered", "2016-09-28", "became-law"),
    ],
}


def recorded(root, request):
    """The recorded response a replay serves for ``request``."""
    stem = recording_stem(root, request.method, request.url, request.body)
    meta = json.loads(stem.with_name(stem.name + ".meta.json").read_text())
    body = (stem.parent / meta["body_file"]).read_bytes()
    return HtmlResponse(
        url=request.url,
        status=meta["status"],
        body=body,
        encoding="utf-8",
        request=request,
    )


def test_bill_arguments():
    assert leginfo_bill_id("201720180SB54") == "201720180SB54"
    assert leginfo_bill_id("2017 SB 54") == leginfo_bill_id("2018 sb54") == "201720180SB54"
    assert leginfo_bill_id("2013-2014 AB 4") == "201320140AB4"
    with pytest.raises(BillArgumentError, match="cannot read bill"):
        leginfo_bill_id("the values act")


def test_bill_page_yields_the_shown_version_and_a_post_for_each_other():
    spider = CaliforniaSpider(bills="201720180SB54")
    response = recorded(RECORDING, Request(SB54_URL))
    output = list(spider.parse_bill(response, bill_id="201720180SB54"))
    items = [o for o in output if isinstance(o, FetchedVersion)]
    posts = [o for o in output if isinstance(o, Request)]
    assert len(items) == 1 and len(posts) == 4
    item = items[0]
    assert (item.label, item.date, item.classification, item.sequence) == (
        "Chaptered",
        "2017-10-05",
        "became-law",
        5,
    )
    assert item.version_key.endswith("CHP")
    assert (item.document_id, item.session, item.identifier) == (
        "ca-2017-2018-sb54",
        "2017-2018",
        "SB 54",
    )
    assert item.title == "Law enforcement: sharing data."
    assert item.jurisdiction.id == "ocd-division/country:us/state:ca"
    assert item.status == "chaptered" and item.kind == "bill" and item.text_root == "bill_all"
    assert item.body == response.body and item.http_status == 200
    assert all(post.method == "POST" and b"version=" in post.body for post in posts)


def test_each_posted_version_is_read_with_its_label_and_date():
    spider = CaliforniaSpider(bills="201720180SB54")
    page = recorded(RECORDING, Request(SB54_URL))
    posts = [o for o in spider.parse_bill(page, bill_id="201720180SB54") if isinstance(o, Request)]
    found = []
    for post in posts:
        (item,) = post.callback(recorded(RECORDING, post), **post.cb_kwargs)
        assert isinstance(item, FetchedVersion)
        assert item.version_key == post.cb_kwargs["version"]["key"]
        found.append((item.sequence, item.label, item.date, item.classification))
    assert sorted(found) == [(i, *v) for i, v in enumerate(SB54_VERSIONS[:4], start=1)]


def test_a_page_showing_another_version_is_a_failure_not_a_version():
    spider = CaliforniaSpider(bills="201720180SB54")
    page = recorded(RECORDING, Request(SB54_URL))
    post = next(
        o for o in spider.parse_bill(page, bill_id="201720180SB54") if isinstance(o, Request)
    )
    (failure,) = spider.parse_version(page, **post.cb_kwargs)  # the chaptered page again
    assert isinstance(failure, CrawlFailure) and "asked for version" in failure.message


def versions_in(db_path):
    db = open_database(db_path)
    rows = db.query(
        "select document_id, label, date, classification from versions "
        "order by document_id, ordinal"
    )
    found = {}
    for row in rows:
        found.setdefault(row["document_id"], []).append(
            (row["label"], row["date"], row["classification"])
        )
    return db, found


def test_replayed_crawl_finds_every_version_and_a_rerun_adds_none(db_path):
    first = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json")
    assert first.returncode == 0, first.stderr
    (summary,) = json.loads(first.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (13, 0)
    db, found = versions_in(db_path)
    assert found == EXPECTED
    assert db["documents"].get("ca-2013-2014-ab4")["title"] == (
        "State government: federal immigration policy enforcement."
    )
    second = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json")
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"]) == (0, 13)
    assert db["versions"].count == 13
    assert [r["status"] for r in db["crawl_runs"].rows] == ["finished", "finished"]


def test_a_changed_page_adds_exactly_one_version(db_path, tmp_path):
    changed = tmp_path / "recording"
    shutil.copytree(RECORDING, changed)
    run_cli("crawl", "--replay", str(changed), "--db", db_path)
    page = next((changed / "leginfo.legislature.ca.gov").rglob("bill_id=201720180SB54/GET.html"))
    page.write_bytes(page.read_bytes().replace(b"shall not", b"may not", 1))
    result = run_cli("crawl", "--replay", str(changed), "--db", db_path, "--json")
    (summary,) = json.loads(result.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"]) == (1, 12)
    db, found = versions_in(db_path)
    assert found["ca-2017-2018-sb54"][-1][0] == "Chaptered"
    assert len(found["ca-2017-2018-sb54"]) == 6


def test_errors_are_recorded_and_the_rest_is_kept(db_path):
    result = run_cli("crawl", "--replay", str(BROKEN), "--db", db_path, "--json")
    assert result.returncode == 1
    (summary,) = json.loads(result.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (3, 2)
    db, found = versions_in(db_path)
    assert [label for label, _, _ in found["ca-2017-2018-sb54"]] == [
        "Introduced",
        "Amended Senate",
        "Chaptered",
    ]
    errors = {row["kind"]: row["message"] for row in db["crawl_errors"].rows}
    assert "no bill text" in errors["parse"]
    assert "HTTP 404" in errors["http"]
    assert db["sections"].count == sum(
        1 for _ in db.query("select s.id from sections s join versions v on v.id = s.version_id")
    )


def test_recording_from_a_live_http_server_then_replaying_it(db_path, tmp_path):
    """Record through the real downloader from a server on 127.0.0.1, then replay."""
    recording = tmp_path / "recorded"
    with recording_server(RECORDING) as url:
        live = run_cli(
            "crawl",
            "california",
            "--bill",
            "2017 SB 54",
            "--record",
            str(recording),
            "--db",
            db_path,
            "--json",
            env={"TRUSTWATCH_CALIFORNIA_URL": url},
        )
    assert live.returncode == 0, live.stderr
    (summary,) = json.loads(live.stdout)["crawls"]
    assert summary["versions_new"] == 5
    host = next(p for p in recording.iterdir() if p.is_dir()).name
    assert host.startswith("127.0.0.1_")
    bodies = sorted(p.read_bytes() for p in (recording / host / "faces").rglob("*.html"))
    originals = sorted(
        p.read_bytes()
        for p in (RECORDING / "leginfo.legislature.ca.gov").rglob("*.html")
        if "201720180SB54" in str(p)
    )
    assert bodies == originals
    manifest = json.loads((recording / "recording.json").read_text())
    assert manifest["crawls"] == [{"spider": "california", "arguments": {"bills": "201720180SB54"}}]
    # The recording replays offline into the same versions.
    replayed_db = str(tmp_path / "replayed.db")
    replay = run_cli(
        "crawl",
        "--replay",
        str(recording),
        "--db",
        replayed_db,
        "--json",
        env={"TRUSTWATCH_CALIFORNIA_URL": url},
    )
    assert replay.returncode == 0, replay.stderr
    _, found = versions_in(replayed_db)
    assert found == {"ca-2017-2018-sb54": SB54_VERSIONS}


def test_an_overloaded_site_is_retried_after_backing_off(db_path):
    """Every page answers 503 (Retry-After: 0) once: the crawl slows down, retries and
    still stores every version."""
    with recording_server(RECORDING, overloaded=True) as url:
        result = run_cli(
            "crawl",
            "california",
            "--bill",
            "2017 SB 54",
            "--db",
            db_path,
            "--json",
            env={"TRUSTWATCH_CALIFORNIA_URL": url},
        )
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (5, 0)
    # robots.txt and the five pages were each refused once.
    assert summary["retries"] == summary["backoffs"] == 6
