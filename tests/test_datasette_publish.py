"""Datasette over the real datasette/ configuration directory, through its real app."""

import asyncio

import pytest
from conftest import CALIFORNIA, real_text

from trustwatch.cli.publish import datasette_app
from trustwatch.db.migrations import open_database
from trustwatch.db.store import (
    DocumentRecord,
    RawResponse,
    VersionRecord,
    store_version,
)
from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text


def add(db, doc_id, identifier, title, key, label, date, text):
    text = normalize_text(text)
    store_version(
        db,
        DocumentRecord(
            doc_id,
            CALIFORNIA,
            "california",
            "2013-2014",
            identifier,
            title,
            "bill",
            label.lower(),
            f"https://example.org/{doc_id}",
        ),
        VersionRecord(
            key,
            label,
            "amendment",
            date,
            1,
            text,
            [s.as_dict() for s in section_spans(text)],
            f"https://example.org/{key}",
        ),
        RawResponse(f"https://example.org/{key}", 200, text.encode(), "text/plain"),
        crawl_run_id=None,
        now="2026-11-29T00:00:00Z",
    )


@pytest.fixture
def ds(tmp_path):
    path = str(tmp_path / "trustwatch.db")
    db = open_database(path)
    add(
        db,
        "ca-2013-2014-ab4",
        "AB 4",
        "State government: federal immigration policy enforcement.",
        "20130AB499INT",
        "Introduced",
        "2012-12-03",
        real_text("ca-ab4-2013-introduced-20121203.partial.txt"),
    )
    add(
        db,
        "ca-2013-2014-ab4",
        "AB 4",
        "State government: federal immigration policy enforcement.",
        "20130AB498AMD",
        "Amended Senate",
        "2013-06-14",
        real_text("ca-ab4-2013-amended-sen-20130614.partial.htm.txt"),
    )
    add(
        db,
        "ca-2017-2018-sb54",
        "SB 54",
        "Law enforcement: sharing data.",
        "20170SB5495CHP",
        "Chaptered",
        "2017-10-05",
        real_text("ca-sb54-2017-chaptered.txt"),
    )
    add(
        db,
        "test-script",
        "XSS 1",
        "<script>alert(1)</script>",
        "x1",
        "Introduced",
        "2020-01-01",
        "SECTION 1. An immigration detainer <script>alert('bill')</script> shall not be honored.",
    )
    db.close()  # new versions wait for the search index: serving catches it up
    return datasette_app(path)


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_versions_table_as_json(ds):
    response = get(
        ds,
        "/trustwatch/versions.json?_shape=array&_col=document_id&_col=label&_col=date",
    )
    assert response.status_code == 200
    rows = response.json()
    assert {(r["document_id"], r["label"]) for r in rows} >= {
        ("ca-2013-2014-ab4", "Introduced"),
        ("ca-2013-2014-ab4", "Amended Senate"),
        ("ca-2017-2018-sb54", "Chaptered"),
    }


def test_table_descriptions_and_facets_from_metadata(ds):
    html = get(ds, "/trustwatch/documents").text
    assert "One row per bill, ordinance or policy" in html
    facets = get(ds, "/trustwatch/documents.json").json()["facet_results"]
    assert {"jurisdiction_id", "session", "status", "kind"} <= set(facets)


def test_search_canned_query_returns_marked_snippets(ds):
    rows = get(ds, "/trustwatch/search.json?q=detainer&_shape=array").json()
    assert {r["identifier"] for r in rows} >= {"AB 4"}
    assert all("<mark>" in r["snippet"] for r in rows)
    assert any("<mark>detainer</mark>" in r["snippet"].lower() for r in rows)


def test_latest_versions_and_document_versions_queries(ds):
    latest = get(ds, "/trustwatch/latest_versions.json?_shape=array").json()
    ab4 = next(r for r in latest if r["document_id"] == "ca-2013-2014-ab4")
    assert (ab4["latest_version"], ab4["versions"]) == ("Amended Senate", 2)
    versions = get(
        ds,
        "/trustwatch/document_versions.json?document_id=ca-2013-2014-ab4&_shape=array",
    ).json()
    assert [(v["ordinal"], v["label"]) for v in versions] == [
        (1, "Introduced"),
        (2, "Amended Senate"),
    ]


def test_table_search_over_sections(ds):
    rows = get(ds, "/trustwatch/sections.json?_search=judicial+warrant&_shape=array").json()
    assert "7284.4(i)" in {r["number"] for r in rows}


def test_bill_text_cannot_inject_markup(ds):
    html = get(ds, "/trustwatch/search?q=honored").text
    assert "<mark>honored</mark>" in html
    assert "<script>alert('bill')" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" not in get(ds, "/trustwatch/documents").text
