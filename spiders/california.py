"""California bills from the legislature's site, leginfo.legislature.ca.gov — every version.

The site's bill page (``faces/billTextClient.xhtml?bill_id=201720180SB54``) shows the
latest version's text in ``div#bill_all`` and lists every published version in the form
field ``select#version``: option value = the legislature's version id (``20170SB5499INT``:
session year, session number, measure, version number counting down from 99, and
INT / AMD / ENR / CHP), option text = "MM/DD/YY - Label". There is no GET URL for an
older version's HTML: the page's JSF form is posted back with another ``version``
(what a browser does when the select changes), so this spider posts it for each version
the page does not already show.

Arguments: ``bills`` — comma-separated leginfo bill ids (``201720180SB54``) or
"2017 SB 54" forms; without it, the ``[california]`` watch-list. The environment
variable ``TRUSTWATCH_CALIFORNIA_URL`` points the spider at a mirror (tests use a local
server) instead of https://leginfo.legislature.ca.gov.
"""

import os
import re
from datetime import datetime
from urllib.parse import urlsplit

from form2request import form2request
from scrapy import Request, Spider
from scrapy.http import Response

from trustwatch.db.store import Jurisdiction

from .items import CrawlFailure, FetchedVersion
from .watchlist import watched

SITE = "https://leginfo.legislature.ca.gov"
BILL_PAGE = "/faces/billTextClient.xhtml"
CALIFORNIA = Jurisdiction(
    "ocd-division/country:us/state:ca",
    "California",
    "state",
    state_code="CA",
    fips="06",
)
# The last three letters of a version id say what kind of version it is; the labels
# follow Open States' version vocabulary.
_CLASSIFICATION = {
    "INT": "introduced",
    "AMD": "amendment",
    "ENR": "enrolled",
    "CHP": "became-law",
}
_BILL_ID = re.compile(
    r"^(?P<start>\d{4})(?P<end>\d{4})(?P<special>\d)(?P<measure>[A-Z]+)(?P<number>\d+)$"
)
_LOOSE_BILL = re.compile(
    r"^(?P<year>\d{4})(?:\s*-\s*\d{4})?\s+(?P<measure>[A-Za-z]+)\s*-?\s*(?P<number>\d+)$"
)
_OPTION = re.compile(r"(?P<date>\d{1,2}/\d{1,2}/\d{2,4})\s*-?\s*(?P<label>.+)")


class BillArgumentError(ValueError):
    """A bill given on the command line is not in a form this spider understands."""


def leginfo_bill_id(text: str) -> str:
    """``"2017 SB 54"``, ``"2017-2018 SB54"`` or ``"201720180SB54"`` → ``201720180SB54``.

    Regular sessions start in odd years and last two years; a year is rounded down.
    """
    text = text.strip()
    if _BILL_ID.match(text.upper()):
        return text.upper()
    match = _LOOSE_BILL.match(text)
    if not match:
        raise BillArgumentError(
            f"cannot read bill {text!r}: use a leginfo id such as 201720180SB54 "
            "or a year and bill such as '2017 SB 54'"
        )
    start = int(match["year"]) - (1 - int(match["year"]) % 2)
    return f"{start}{start + 1}0{match['measure'].upper()}{match['number']}"


class CaliforniaSpider(Spider):
    name = "california"
    allowed_domains = ["leginfo.legislature.ca.gov"]
    needs_key = None

    def __init__(self, bills: str | list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.site = os.environ.get("TRUSTWATCH_CALIFORNIA_URL", SITE).rstrip("/")
        self.allowed_domains = [urlsplit(self.site).hostname]
        if isinstance(bills, str):
            bills = [bill for bill in bills.split(",") if bill.strip()]
        self.bills = [leginfo_bill_id(bill) for bill in (bills or watched("california")["bills"])]
        self.crawl_arguments = {"bills": ",".join(self.bills)}

    async def start(self):
        for bill_id in self.bills:
            yield Request(
                f"{self.site}{BILL_PAGE}?bill_id={bill_id}",
                callback=self.parse_bill,
                errback=self.failed,
                cb_kwargs={"bill_id": bill_id},
            )

    def parse_bill(self, response: Response, bill_id: str):
        """The bill page: the latest version's text, and a form post for each other."""
        versions = _version_options(response)
        if not versions:
            yield CrawlFailure(
                response.url, "parse", f"{bill_id}: no version list on the bill page"
            )
            return
        shown = _selected(response) or versions[0]["key"]
        document = _document_fields(response, bill_id, versions)
        document["document_url"] = response.url
        form = response.xpath("//form[.//select[@id='version']]")
        # The site lists the newest version first; number them oldest first.
        for sequence, version in enumerate(reversed(versions), start=1):
            if version["key"] == shown:
                yield self._item(response, document, version, sequence)
            else:
                yield form2request(form, {"version": version["key"]}, click=False).to_scrapy(
                    callback=self.parse_version,
                    errback=self.failed,
                    cb_kwargs={
                        "document": document,
                        "version": version,
                        "sequence": sequence,
                    },
                )

    def parse_version(self, response: Response, document: dict, version: dict, sequence: int):
        """The bill page posted back with an older version selected."""
        shown = _selected(response)
        if shown != version["key"]:
            yield CrawlFailure(
                response.url,
                "parse",
                f"{document['identifier']}: asked for version {version['key']}, "
                f"the site showed {shown or 'none'}",
            )
            return
        yield self._item(response, document, version, sequence)

    def failed(self, failure):
        yield CrawlFailure.from_failure(failure)

    def _item(self, response: Response, document: dict, version: dict, sequence: int):
        return FetchedVersion(
            source=self.name,
            jurisdiction=CALIFORNIA,
            **document,
            version_key=version["key"],
            label=version["label"],
            classification=version["classification"],
            date=version["date"],
            sequence=sequence,
            url=response.url,
            http_status=response.status,
            media_type=_media_type(response),
            encoding=getattr(response, "encoding", None),
            body=response.body,
            headers={
                k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()
            },
            text_root="bill_all",
        )


def _version_options(response: Response) -> list[dict]:
    versions = []
    for option in response.css("select#version option"):
        key = (option.attrib.get("value") or "").strip()
        match = _OPTION.match(" ".join(option.css("::text").getall()).strip())
        if not key or not match:
            continue
        versions.append(
            {
                "key": key,
                "label": match["label"].strip(),
                "date": _iso_date(match["date"]),
                "classification": _CLASSIFICATION.get(key[-3:], "amendment"),
            }
        )
    return versions


def _selected(response: Response) -> str | None:
    return response.css("select#version option[selected]::attr(value)").get()


def _document_fields(response: Response, bill_id: str, versions: list[dict]) -> dict:
    match = _BILL_ID.match(bill_id)
    session = f"{match['start']}-{match['end']}"
    if match["special"] != "0":
        session += f" Extraordinary Session {match['special']}"
    identifier = f"{match['measure']} {match['number']}"
    heading = " ".join(" ".join(response.css("#bill_header h1 ::text").getall()).split())
    # The heading reads "SB-54 Law enforcement: sharing data.(2017-2018)".
    title = re.sub(r"^[A-Z]+-\d+\s*", "", heading)
    title = re.sub(r"\s*\(\d{4}-\d{4}\)\s*$", "", title).strip()
    return {
        "document_id": f"ca-{session.split()[0]}-{match['measure']}{match['number']}".lower(),
        "session": session,
        "identifier": identifier,
        "title": title or identifier,
        "kind": "bill",
        "status": versions[0]["label"].lower(),
    }


def _iso_date(text: str) -> str:
    month, day, year = text.split("/")
    pattern = "%m/%d/%y" if len(year) == 2 else "%m/%d/%Y"
    return datetime.strptime(text, pattern).date().isoformat()


def _media_type(response: Response) -> str:
    content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
    return content_type.split(";")[0].strip().lower()
