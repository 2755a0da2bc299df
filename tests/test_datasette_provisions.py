"""The provision matrix and evidence in Datasette, over the demo database (replayed
California recordings), through Datasette's real app."""

import asyncio

import pytest
from conftest import run_cli

from trustwatch.cli.publish import datasette_app
from trustwatch.parsers.provision_rules import TYPES


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("demo") / "trustwatch.db")
    result = run_cli("demo", "--no-serve", "--db", path, "-q")
    assert result.returncode == 0, result.stderr
    return datasette_app(path)


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_matrix_has_one_row_per_jurisdiction_and_a_column_per_type(ds):
    rows = get(ds, "/trustwatch/matrix.json?_shape=array").json()
    names = [row["jurisdiction"] for row in rows]
    assert len(names) == len(set(names)) >= 5
    assert {row["level"] for row in rows} >= {"federal", "state", "place", "county"}
    by_name = {row["jurisdiction"]: row for row in rows}
    california = by_name["California"]
    assert by_name["United States"]["enacted_texts"] == 0  # the federal bills are only introduced
    assert by_name["Chicago"]["status_inquiry_limit"] is not None  # 2-173-030 as codified
    assert set(TYPES) <= set(california)
    assert california["enacted_texts"] == 2  # SB 54 and AB 2792 as chaptered
    evidence = get(ds, f"/trustwatch/provisions/{california['detainer_limit']}.json?_shape=array")
    (row,) = evidence.json()
    assert row["type"] == "detainer_limit" and "hold request" in row["text"]
    assert california["sanctuary_policy_prohibition"] is None


def test_matrix_reads_well_in_the_browser(ds):
    html = get(ds, "/trustwatch/matrix").text
    assert "Jurisdiction × provision matrix" in html
    assert '<a href="/trustwatch/provisions/' in html and ">yes</a>" in html


def test_evidence_query_and_provisions_facets(ds):
    rows = get(ds, "/trustwatch/evidence.json?type=transfer_limit&_shape=array").json()
    assert rows and all(r["section"] and r["evidence"] for r in rows)
    facets = get(ds, "/trustwatch/provisions.json?_facet=type&_facet=direction").json()
    assert {"type", "direction"} <= set(facets["facet_results"])
    hits = get(ds, "/trustwatch/provisions.json?_search=judicial+warrant&_shape=array").json()
    assert hits and all(h["type"] for h in hits)


def test_provision_types_hold_the_taxonomy(ds):
    rows = get(ds, "/trustwatch/provision_types.json?_shape=array&_size=max").json()
    assert {row["type"]: row["direction"] for row in rows} == {t: d for t, (d, _) in TYPES.items()}
