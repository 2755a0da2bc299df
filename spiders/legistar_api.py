"""The Legistar Web API as the legistar spider reads it: the clients it knows and their
jurisdictions, the URLs of matters and their parts, and what its answers hold.

See spiders/legistar.py for the calls and tests/fixtures/legistar/PROVENANCE.md for the
shapes the recordings follow.
"""

import json
import re
from urllib.parse import quote

from scrapy.http import Response

from trustwatch.db.store import Jurisdiction

from .items import CrawlFailure

API = "https://webapi.legistar.com"
MAX_PAGE_SIZE = 1000  # the Web API returns at most 1000 rows a call
DEFAULT_CLIENTS = ("chicago", "cookcounty", "seattle", "sfgov")
DEFAULT_SEARCH = ("immigra", "Welcoming City", "sanctuary", "detain", "deport")
JURISDICTIONS = {
    "chicago": Jurisdiction(
        "ocd-division/country:us/state:il/place:chicago", "Chicago", "place", "IL", "17"
    ),
    "cookcounty": Jurisdiction(
        "ocd-division/country:us/state:il/county:cook",
        "Cook County",
        "county",
        "IL",
        "17",
        seat="Chicago",
    ),
    "seattle": Jurisdiction(
        "ocd-division/country:us/state:wa/place:seattle", "Seattle", "place", "WA", "53"
    ),
    "sfgov": Jurisdiction(
        "ocd-division/country:us/state:ca/place:san_francisco", "San Francisco", "place", "CA", "06"
    ),
    "nyc": Jurisdiction(
        "ocd-division/country:us/state:ny/place:new_york", "New York City", "place", "NY", "36"
    ),
}
TOKEN_CLIENT, TOKEN_VARIABLE = "nyc", "LEGISTAR_NYC_TOKEN"
# Left as they are in query values (Scrapy escapes the quote as %27 anyway): a URL built
# here is then the very URL a request carries, as logged and recorded.
QUERY_SAFE = "(),"
PASSED = re.compile(r"\b(passed|adopted|enacted|approved)\b", re.IGNORECASE)
KINDS = [
    ("ordinance", "ordinance"),
    ("resolution", "resolution"),
    ("introduction", "bill"),
    ("bill", "bill"),
    ("local law", "bill"),
    ("motion", "motion"),
]


def title_filter(words: list[str]) -> str:
    """OData ``$filter`` matching any of ``words`` in ``MatterTitle`` (quotes doubled)."""
    quoted = ("'" + word.replace("'", "''") + "'" for word in words)
    return " or ".join(f"substringof({word},MatterTitle)" for word in quoted)


def matters_url(api: str, client: str, odata_filter: str, top: int, skip: int) -> str:
    query = {"$filter": odata_filter, "$orderby": "MatterId", "$top": top, "$skip": skip}
    encoded = "&".join(
        f"{key}={quote(str(value), safe=QUERY_SAFE)}" for key, value in query.items()
    )
    return f"{api}/v1/{client}/matters?{encoded}"


def matter_url(api: str, client: str, matter_id: int, part: str = "") -> str:
    """The matter's own URL, or one of its parts: ``histories``, ``versions``, ``texts/7``."""
    return f"{api}/v1/{client}/matters/{matter_id}" + (f"/{part}" if part else "")


def json_list(response: Response, what: str):
    """The JSON list a response holds; yields a failure (and returns []) when it is not."""
    data = yield from json_object(response, what, list)
    return data or []


def json_object(response: Response, what: str, kind: type = dict):
    # JSON is UTF-8 whatever the headers say; json.loads reads the bytes as such.
    try:
        data = json.loads(response.body)
    except ValueError:
        data = None
    if not isinstance(data, kind):
        yield CrawlFailure(
            response.url, "parse", f"the {what} response is not a JSON {kind.__name__}"
        )
        return None
    return data


def text_body(data: dict) -> tuple[bytes, str]:
    """The version's text as bytes, and what they are. Some clients' texts carry NUL
    characters (an RTF export artefact): they are not text and are dropped."""
    plain = (data.get("MatterTextPlain") or "").replace("\x00", "")
    if plain.strip():
        return plain.encode("utf-8"), "text/plain"
    rich = (data.get("MatterTextRtf") or "").replace("\x00", "")
    if rich.lstrip().startswith("{\\rtf"):
        return rich.encode("utf-8"), "application/rtf"
    if rich.lstrip().startswith("<"):
        return rich.encode("utf-8"), "text/html"
    return rich.encode("utf-8"), "text/plain"


def matter_date(value) -> str | None:
    """``"2017-02-22T00:00:00"`` → ``"2017-02-22"``."""
    match = re.match(r"\d{4}-\d{2}-\d{2}", value or "")
    return match.group(0) if match else None


def matter_kind(type_name: str | None) -> str:
    name = (type_name or "").lower()
    return next((kind for word, kind in KINDS if word in name), name or "matter")
