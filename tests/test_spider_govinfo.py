"""The GovInfo spider on recorded bulk-data responses (tests/fixtures/govinfo, see its
PROVENANCE.md): callbacks on saved responses, then whole crawls through the real CLI,
replayed and against a real local HTTP server standing in for www.govinfo.gov."""

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, RecordedSite, run_cli, serving
from scrapy import Request
from scrapy.http import XmlResponse
from scrapy.settings import Settings

from trustwatch.cli.main import cli
from trustwatch.db.migrations import open_database
from trustwatch.db.store import Jurisdiction
from trustwatch.spiders.govinfo import (
    DEFAULT_BILLS,
    UNITED_STATES,
    Bill,
    BillArgumentError,
    GovinfoSpider,
    parse_bill,
)
from trustwatch.spiders.items import CrawlFailure, FetchedVersion
from trustwatch.spiders.replay import FolderStorage, recording_stem

RECORDING = FIXTURES / "govinfo"
SITE = "https://www.govinfo.gov"
STATUS = SITE + "/bulkdata/BILLSTATUS/119/{type}/BILLSTATUS-119{type}{number}.xml"
# The "Formatted XML" URL congress.gov's API gives for each bill's text (real, from the
# corpus): the spider must build the same bulk-data URL from the bill status file.
REAL_TEXT_URLS = {
    ("hr", "32"): SITE + "/bulkdata/BILLS/119/1/hr/BILLS-119hr32ih.xml",
    ("s", "707"): SITE + "/bulkdata/BILLS/119/1/s/BILLS-119s707is.xml",
    ("s", "2311"): SITE + "/bulkdata/BILLS/119/1/s/BILLS-119s2311is.xml",
    ("hr", "7190"): SITE + "/bulkdata/BILLS/119/2/hr/BILLS-119hr7190ih.xml",
}
CRAFTED_404 = SITE + "/bulkdata/BILLS/119/1/hr/BILLS-119hr32rh.xml"
EXPECTED = {
    "us-119-hr32": [("Introduced in House", "2025-01-03", "introduced")],
    "us-119-s707": [("Introduced in Senate", "2025-02-25", "introduced")],
    "us-119-s2311": [("Introduced in Senate", "2025-07-16", "introduced")],
    "us-119-hr7190": [("Introduced in House", "2026-01-21", "introduced")],
}
DOCUMENTS = {
    "us-119-hr32": ("H.R. 32", "No Bailout for Sanctuary Cities Act", "Reported in House"),
    "us-119-s707": ("S. 707", "No Bailout for Sanctuary Cities Act", "Introduced in Senate"),
    "us-119-s2311": (
        "S. 2311",
        "State Accountability for Federal Deployment Costs Act of 2025",
        "Introduced in Senate",
    ),
    "us-119-hr7190": (
        "H.R. 7190",
        "To end detention and electronic monitoring, and redirect funding to community-based "
        "wrap-around services.",
        "Introduced in House",
    ),
}
SECTION_COUNTS = {"us-119-hr32": 4, "us-119-s707": 4, "us-119-s2311": 3, "us-119-hr7190": 3}


def recorded(request, root=RECORDING):
    """The response a replay serves for ``request``, through the real folder storage."""
    storage = FolderStorage(Settings({"TRUSTWATCH_RECORDING_DIR": str(root)}))
    response = storage.retrieve_response(None, request)
    assert response is not None, f"not recorded: {request.url}"
    return response


def status_requests(spider, bill_type, number):
    bill = Bill(119, bill_type, number)
    request = Request(STATUS.format(type=bill_type, number=number), cb_kwargs={"bill": bill})
    return list(spider.parse_status(recorded(request), bill=bill))


def test_bill_arguments():
    assert parse_bill("119 hr 32") == parse_bill("119-HR-32") == Bill(119, "hr", "32")
    assert parse_bill("119hr32") == parse_bill("119th H.R. 32") == Bill(119, "hr", "32")
    assert parse_bill("118 s.j.res. 7") == Bill(118, "sjres", "7")
    assert parse_bill("119-s-0707").identifier == "S. 707"
    assert Bill(119, "hconres", "3").identifier == "H.Con.Res. 3"
    for text in ("2017 SB 54", "hr 32", "119 xyz 5"):
        with pytest.raises(BillArgumentError, match="cannot read bill"):
            parse_bill(text)


def test_default_bills_are_the_corpus_bills_and_the_recorded_crawl():
    spider = GovinfoSpider()
    assert [bill.identifier for bill in spider.bills] == [
        "H.R. 32",
        "S. 707",
        "S. 2311",
        "H.R. 7190",
    ]
    assert len(DEFAULT_BILLS) == 4
    manifest = json.loads((RECORDING / "recording.json").read_text())
    assert manifest["crawls"] == [{"spider": "govinfo", "arguments": spider.crawl_arguments}]
    assert GovinfoSpider(bills="119 hr 32, 119-s-707").crawl_arguments == {
        "bills": "119-hr-32,119-s-707"
    }


def test_start_asks_for_each_bill_status_file():
    spider = GovinfoSpider(bills="119 hr 32,119 s 2311")

    async def collect():
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert [r.url for r in requests] == [
        STATUS.format(type="hr", number="32"),
        STATUS.format(type="s", number="2311"),
    ]
    assert requests[0].cb_kwargs == {"bill": Bill(119, "hr", "32")}
    assert requests[0].callback == spider.parse_status and requests[0].errback == spider.failed


def test_status_file_gives_a_request_per_listed_version_oldest_first():
    spider = GovinfoSpider()
    requests = status_requests(spider, "hr", "32")
    # Two versions are listed (the empty <item/> after them is skipped).
    assert [r.url for r in requests] == [REAL_TEXT_URLS[("hr", "32")], CRAFTED_404]
    assert all(r.callback == spider.parse_version for r in requests)
    versions = [
        (
            r.cb_kwargs["sequence"],
            r.cb_kwargs["version"].package,
            r.cb_kwargs["version"].code,
            r.cb_kwargs["version"].label,
            r.cb_kwargs["version"].date,
            r.cb_kwargs["version"].classification,
        )
        for r in requests
    ]
    assert versions == [
        (1, "BILLS-119hr32ih", "ih", "Introduced in House", "2025-01-03", "introduced"),
        (2, "BILLS-119hr32rh", "rh", "Reported in House", "2025-07-22", "reported"),
    ]
    assert requests[0].cb_kwargs["document"] == {
        "document_id": "us-119-hr32",
        "session": "119",
        "identifier": "H.R. 32",
        "title": "No Bailout for Sanctuary Cities Act",
        "kind": "bill",
        "status": "Reported in House",
        "document_url": STATUS.format(type="hr", number="32"),
    }


@pytest.mark.parametrize(("bill_type", "number"), sorted(REAL_TEXT_URLS))
def test_text_url_is_the_one_congress_gov_names(bill_type, number):
    request = status_requests(GovinfoSpider(), bill_type, number)[0]  # H.R. 32 lists two
    assert request.url == REAL_TEXT_URLS[(bill_type, number)]
    assert request.cb_kwargs["version"].label.startswith("Introduced in")


def test_version_xml_becomes_a_fetched_version_with_every_field():
    spider = GovinfoSpider()
    (request,) = status_requests(spider, "hr", "7190")
    response = recorded(request)
    (item,) = request.callback(response, **request.cb_kwargs)
    assert isinstance(item, FetchedVersion)
    assert item.source == "govinfo"
    assert (
        item.jurisdiction
        == UNITED_STATES
        == Jurisdiction(
            "ocd-division/country:us", "United States", "federal", state_code=None, fips=None
        )
    )
    assert (item.document_id, item.session, item.identifier, item.kind) == (
        "us-119-hr7190",
        "119",
        "H.R. 7190",
        "bill",
    )
    assert item.title == DOCUMENTS["us-119-hr7190"][1]
    assert item.status == "Introduced in House"
    assert item.document_url == STATUS.format(type="hr", number="7190")
    assert item.version_key == "BILLS-119hr7190ih"
    assert (item.label, item.date, item.classification, item.sequence) == (
        "Introduced in House",
        "2026-01-21",
        "introduced",
        1,
    )
    assert item.url == REAL_TEXT_URLS[("hr", "7190")]
    assert (item.http_status, item.media_type, item.encoding) == (200, "application/xml", "utf-8")
    assert item.body == response.body and item.body.startswith(b'<?xml version="1.0"?>')
    assert item.headers == {"Content-Type": ["application/xml"]}
    assert item.text_root is None


def test_a_mirror_is_asked_for_every_page(monkeypatch):
    monkeypatch.setenv("TRUSTWATCH_GOVINFO_URL", "http://127.0.0.1:8123/")
    spider = GovinfoSpider()
    assert spider.allowed_domains == ["127.0.0.1"]
    requests = status_requests(spider, "s", "707")
    assert [r.url for r in requests] == [
        "http://127.0.0.1:8123/bulkdata/BILLS/119/1/s/BILLS-119s707is.xml"
    ]


# A synthetic bill status file (no real bill), for cases the recorded bills do not have:
# later stages, an undated enrolled version, a law, URL forms and an unknown version code.
SYNTHETIC_STATUS = b"""<?xml version="1.0" encoding="utf-8"?>
<billStatus><version>3.0.0</version><bill>
<number>5</number><type>HR</type><congress>118</congress>
<title>A synthetic status file</title>
<laws><item><type>Public Law</type><number>118-999</number></item></laws>
<textVersions>
<item><type>Enrolled Bill</type><date/><formats><item>
<url>https://www.govinfo.gov/content/pkg/BILLS-118hr5enr/xml/BILLS-118hr5enr.xml</url>
</item></formats></item>
<item><type>Placed on Calendar Senate</type><date>2025-01-02T05:00:00Z</date><formats><item>
<url>https://www.govinfo.gov/content/pkg/BILLS-118hr5pcs/xml/BILLS-118hr5pcs.xml</url>
</item></formats></item>
<item><type>Engrossed in House</type><date>2024-01-10T05:00:00Z</date><formats><item>
<url>https://www.govinfo.gov/bulkdata/BILLS/118/2/hr/BILLS-118hr5eh.xml</url>
</item></formats></item>
<item><type>Reported in House</type><date>2023-06-30T04:00:00Z</date><formats>
<item><url>https://www.congress.gov/118/bills/hr5/BILLS-118hr5rh.htm</url></item>
<item><url>https://www.congress.gov/118/bills/hr5/BILLS-118hr5rh.xml</url></item>
</formats></item>
<item><type>Introduced in House</type><date>2023-01-09T05:00:00Z</date><formats><item>
<url>https://www.govinfo.gov/content/pkg/BILLS-118hr5ih/xml/BILLS-118hr5ih.xml</url>
</item></formats></item>
<item><type>Considered and Passed House</type><date>2024-01-10T05:00:00Z</date><formats/></item>
<item><date/><formats/><type/></item>
</textVersions></bill></billStatus>
"""


def test_stages_dates_sessions_and_a_law():
    bill = Bill(118, "hr", "5")
    url = f"{SITE}/bulkdata/BILLSTATUS/118/hr/BILLSTATUS-118hr5.xml"
    response = XmlResponse(url=url, body=SYNTHETIC_STATUS, request=Request(url))
    output = list(GovinfoSpider(bills="118 hr 5").parse_status(response, bill=bill))
    (failure,) = [o for o in output if isinstance(o, CrawlFailure)]
    assert failure.kind == "parse" and "'Considered and Passed House'" in failure.message
    requests = [o for o in output if isinstance(o, Request)]
    found = [
        (
            r.cb_kwargs["sequence"],
            r.cb_kwargs["version"].code,
            r.cb_kwargs["version"].date,
            r.cb_kwargs["version"].classification,
            r.url.removeprefix(SITE),
        )
        for r in requests
    ]
    assert found == [
        (1, "ih", "2023-01-09", "introduced", "/bulkdata/BILLS/118/1/hr/BILLS-118hr5ih.xml"),
        (2, "rh", "2023-06-30", "reported", "/bulkdata/BILLS/118/1/hr/BILLS-118hr5rh.xml"),
        (3, "eh", "2024-01-10", "engrossed", "/bulkdata/BILLS/118/2/hr/BILLS-118hr5eh.xml"),
        # 2 January of the year after: the congress (and its 2nd session) still sits.
        (4, "pcs", "2025-01-02", "other", "/bulkdata/BILLS/118/2/hr/BILLS-118hr5pcs.xml"),
        # Undated: newest, fetched from its package; the bill became law.
        (5, "enr", None, "became-law", "/content/pkg/BILLS-118hr5enr/xml/BILLS-118hr5enr.xml"),
    ]
    assert requests[0].cb_kwargs["document"]["status"] == "Enrolled Bill"


def test_a_status_file_without_a_bill_or_versions_is_a_failure():
    bill = Bill(119, "hr", "32")
    url = STATUS.format(type="hr", number="32")
    spider = GovinfoSpider()
    for body, message in (
        (b"<html><body>Service unavailable</body></html>", "no <bill>"),
        (b"<billStatus><bill><title>T</title><textVersions/></bill></billStatus>", "no text"),
    ):
        response = XmlResponse(url=url, body=body, request=Request(url))
        (failure,) = spider.parse_status(response, bill=bill)
        assert isinstance(failure, CrawlFailure) and message in failure.message


def test_an_html_page_instead_of_the_bill_xml_is_a_failure():
    spider = GovinfoSpider()
    request = status_requests(spider, "hr", "32")[1]
    page = recorded(request)  # the crafted 404 answer is an HTML page
    assert page.status == 404
    (failure,) = request.callback(page, **request.cb_kwargs)
    assert isinstance(failure, CrawlFailure) and "HTML page" in failure.message


def test_extract_reads_sections_and_provisions_of_a_recorded_bill():
    bill_xml = recording_stem(RECORDING, "GET", REAL_TEXT_URLS[("hr", "32")])
    result = CliRunner().invoke(cli, ["extract", str(bill_xml.with_name("GET.xml"))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    top = [s["number"] for s in data["sections"] if "(" not in s["number"]]
    assert top == ["SEC. 1", "SEC. 2", "SEC. 3", "SEC. 4"]
    assert {"SEC. 2(a)", "SEC. 2(a)(1)", "SEC. 2(a)(2)", "SEC. 2(b)"} <= {
        s["number"] for s in data["sections"]
    }
    penalties = [p for p in data["provisions"] if p["section"] == "SEC. 3"]
    assert penalties and {p["type"] for p in penalties} == {"enforcement_penalty"}
    assert any("ineligible to receive any Federal funds" in p["text"] for p in penalties)


def test_sources_lists_govinfo():
    result = CliRunner().invoke(cli, ["sources", "--json"])
    rows = {row["source"]: row for row in json.loads(result.output)}
    assert rows["govinfo"]["needs_key"] is None
    assert rows["govinfo"]["description"].startswith("Federal bills from GovInfo's bulk data")


def stored(db_path):
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


def test_replayed_crawl_stores_every_version_and_records_the_missing_one(db_path):
    first = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json")
    assert first.returncode == 1, first.stderr  # one error: the crafted 404
    (summary,) = json.loads(first.stdout)["crawls"]
    assert summary["spider"] == "govinfo"
    assert (summary["items_seen"], summary["versions_new"], summary["errors"]) == (4, 4, 1)
    assert summary["pages"] == 9  # 4 status files, 4 texts, 1 missing text
    db, found = stored(db_path)
    assert found == EXPECTED
    for row in db["documents"].rows:
        assert (row["identifier"], row["title"], row["status"]) == DOCUMENTS[row["id"]]
        assert (row["jurisdiction_id"], row["source"], row["session"], row["kind"]) == (
            "ocd-division/country:us",
            "govinfo",
            "119",
            "bill",
        )
    (error,) = db["crawl_errors"].rows
    assert (error["kind"], error["url"]) == ("http", CRAFTED_404)
    assert "HTTP 404" in error["message"]
    (run,) = db["crawl_runs"].rows
    assert (run["spider"], run["status"], run["mode"]) == ("govinfo", "finished", "replay")

    second = run_cli("crawl", "--replay", str(RECORDING), "--db", db_path, "--json")
    (summary,) = json.loads(second.stdout)["crawls"]
    assert (summary["versions_new"], summary["versions_unchanged"], summary["errors"]) == (0, 4, 1)
    assert db["versions"].count == 4


def test_stored_versions_have_sections_and_provisions(db_path):
    run_cli("crawl", "--replay", str(RECORDING), "--db", db_path)
    db = open_database(db_path)
    sections, provisions = {}, {}
    for row in db.query(
        "select v.document_id, s.number, s.level from sections s "
        "join versions v on v.id = s.version_id order by v.document_id, s.ordinal"
    ):
        if row["level"] == 0:
            sections.setdefault(row["document_id"], []).append(row["number"])
    for row in db.query(
        "select v.document_id, p.type, p.section, p.text from provisions p "
        "join versions v on v.id = p.version_id"
    ):
        provisions.setdefault(row["document_id"], []).append(
            (row["type"], row["section"], row["text"])
        )
    assert sections == {
        doc: [f"SEC. {n}" for n in range(1, count + 1)] for doc, count in SECTION_COUNTS.items()
    }
    # H.R. 32 and S. 707, Sec. 3: sanctuary jurisdictions ineligible for federal funds.
    for doc in ("us-119-hr32", "us-119-s707"):
        assert any(
            kind == "enforcement_penalty"
            and section == "SEC. 3"
            and "ineligible to receive any Federal funds" in text
            for kind, section, text in provisions[doc]
        )
    # S. 2311, Sec. 3(a): deployment costs invoiced to the State.
    assert ("enforcement_penalty", "SEC. 3(a)") in {
        (k, s) for k, s, _ in provisions["us-119-s2311"]
    }
    # H.R. 7190: no federal funds for DHS information-sharing partnerships (Secure
    # Communities), and detention contracts ended then defunded.
    by_type = {kind: (section, text) for kind, section, text in provisions["us-119-hr7190"]}
    section, text = by_type["information_sharing_limit"]
    assert section == "SEC. 2(b)" and "no Federal funds may be used for information sharing" in text
    assert by_type["detention_contract_limit"][0] == "SEC. 1(c)(2)"


class _Mirror(RecordedSite):
    """Serves the recording as www.govinfo.gov would; anything not recorded is a 404."""

    root: Path

    def do_GET(self):
        self.send_recorded(recording_stem(self.root, "GET", f"{SITE}{self.path}"))


def mirror(root: Path):
    return serving(type("Handler", (_Mirror,), {"root": root}))


def test_crawl_of_a_live_mirror_records_what_a_replay_serves_again(db_path, tmp_path):
    """Through the real downloader (robots.txt, delays) from a server on 127.0.0.1."""
    recording = tmp_path / "recorded"
    with mirror(RECORDING) as url:
        live = run_cli(
            "crawl",
            "govinfo",
            "--bill",
            "119 hr 32",
            "--record",
            str(recording),
            "--db",
            db_path,
            "--json",
            env={"TRUSTWATCH_GOVINFO_URL": url},
        )
    assert live.returncode == 1, live.stderr
    (summary,) = json.loads(live.stdout)["crawls"]
    assert (summary["versions_new"], summary["errors"]) == (1, 1)
    host = f"127.0.0.1_{url.rsplit(':', 1)[1]}"
    recorded_files = sorted(
        p.relative_to(recording / host).as_posix()
        for p in (recording / host).rglob("GET.*")
        if not p.name.endswith(".meta.json")
    )
    assert recorded_files == [
        "bulkdata/BILLS/119/1/hr/BILLS-119hr32ih.xml/_/GET.xml",
        "bulkdata/BILLS/119/1/hr/BILLS-119hr32rh.xml/_/GET.html",
        "bulkdata/BILLSTATUS/119/hr/BILLSTATUS-119hr32.xml/_/GET.xml",
        "robots.txt/_/GET.html",
    ]
    for name in recorded_files[:3]:
        original = RECORDING / "www.govinfo.gov" / name
        assert (recording / host / name).read_bytes() == original.read_bytes()
    manifest = json.loads((recording / "recording.json").read_text())
    assert manifest["crawls"] == [{"spider": "govinfo", "arguments": {"bills": "119-hr-32"}}]
    replayed_db = str(tmp_path / "replayed.db")
    replay = run_cli(
        "crawl",
        "--replay",
        str(recording),
        "--db",
        replayed_db,
        "--json",
        env={"TRUSTWATCH_GOVINFO_URL": url},
    )
    assert replay.returncode == 1, replay.stderr
    _, found = stored(replayed_db)
    assert found == {"us-119-hr32": EXPECTED["us-119-hr32"]}
