"""Federal bills from GovInfo's bulk data, www.govinfo.gov — bill status and every version's XML.

For each bill the spider reads its bill status file,
``/bulkdata/BILLSTATUS/{congress}/{type}/BILLSTATUS-{congress}{type}{number}.xml``: the title
and ``<textVersions>``, one ``<item>`` per printed version with its ``<type>`` (the label,
"Introduced in House"), its ``<date>`` (midnight Eastern, written in UTC:
``2025-01-03T05:00:00Z``) and ``<formats><item><url>`` naming the version's package,
``BILLS-119hr32ih`` (congress, bill type, number, GPO's version code). It then fetches each
version's bill XML (GPO's bill DTD) from
``/bulkdata/BILLS/{congress}/{session}/{type}/BILLS-{congress}{type}{number}{code}.xml``; the
session folder (1 or 2) follows from the version's date. A version listed without a date
is fetched from its package, ``/content/pkg/{package}/xml/{package}.xml``. Quirks of GPO's
own BILLSTATUS samples: an empty ``<item>`` in ``<textVersions>`` (skipped) and an enrolled
version with an empty ``<date/>``. A version whose XML is missing (HTTP 404) is recorded as
a failure of the crawl; the bill's other versions are still stored.

Arguments: ``bills`` — comma-separated "119 hr 32", "119-s-707" or "119hr32" forms; without
it, the ``[govinfo]`` watch-list, else the four federal bills of the project's corpus. The
environment variable ``TRUSTWATCH_GOVINFO_URL`` points the spider at a mirror (tests use a
local server) instead of https://www.govinfo.gov.
"""

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsel import Selector
from scrapy import Request, Spider
from scrapy.http import Response

from trustwatch.db.store import Jurisdiction

from .items import CrawlFailure, FetchedVersion
from .watchlist import watched

SITE = "https://www.govinfo.gov"
UNITED_STATES = Jurisdiction(
    "ocd-division/country:us", "United States", "federal", state_code=None, fips=None
)
# H.R. 32 and S. 707 (No Bailout for Sanctuary Cities Act), S. 2311 (deployment costs
# charged to non-cooperating States), H.R. 7190 (ends detention, defunds Secure Communities).
DEFAULT_BILLS = ["119 hr 32", "119 s 707", "119 s 2311", "119 hr 7190"]
_IDENTIFIERS = {
    "hr": "H.R.",
    "s": "S.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
    "hres": "H.Res.",
    "sres": "S.Res.",
}
# GPO's version codes, in Open States' version vocabulary (plus reported and engrossed).
_CLASSIFICATION = {
    **dict.fromkeys(["ih", "is"], "introduced"),
    **dict.fromkeys(["rh", "rs", "rah", "ras"], "reported"),
    # Passed one chamber, and the same text as the other chamber receives or refers it.
    **dict.fromkeys(
        ["eh", "es", "ath", "ats", "cph", "cps", "pap", "rdh", "rds", "rfh", "rfs", "hdh", "hds"],
        "engrossed",
    ),
    **dict.fromkeys(["eah", "eas", "reah", "res", "as"], "amendment"),
    **dict.fromkeys(["enr", "renr"], "enrolled"),
}
_BILL = re.compile(
    r"^(?P<congress>\d{2,3})(?:st|nd|rd|th)?[\s-]*(?P<type>[a-z][a-z.\s]*?)[\s.-]*(?P<number>\d+)$"
)


class BillArgumentError(ValueError):
    """A bill given on the command line is not in a form this spider understands."""


@dataclass(frozen=True)
class Bill:
    congress: int
    type: str  # GovInfo's lower-case bill type: hr, s, hjres...
    number: str

    @property
    def package_prefix(self) -> str:
        return f"{self.congress}{self.type}{self.number}"

    @property
    def argument(self) -> str:
        return f"{self.congress}-{self.type}-{self.number}"

    @property
    def identifier(self) -> str:
        return f"{_IDENTIFIERS[self.type]} {self.number}"


@dataclass(frozen=True)
class TextVersion:
    package: str  # BILLS-119hr32ih: the version key
    code: str  # ih
    label: str  # Introduced in House
    date: str | None  # ISO date
    classification: str
    path: str  # where its XML is, on the site


def parse_bill(text: str) -> Bill:
    """``"119 hr 32"``, ``"119-s-707"``, ``"119hr32"`` or ``"119th H.R. 32"`` → a Bill."""
    match = _BILL.match(text.strip().lower())
    bill_type = re.sub(r"[.\s]", "", match["type"]) if match else ""
    if bill_type not in _IDENTIFIERS:
        raise BillArgumentError(
            f"cannot read bill {text!r}: use a congress, a bill type "
            f"({', '.join(_IDENTIFIERS)}) and a number, such as '119 hr 32' or '119-s-707'"
        )
    return Bill(int(match["congress"]), bill_type, str(int(match["number"])))


class GovinfoSpider(Spider):
    name = "govinfo"
    allowed_domains = ["www.govinfo.gov"]
    needs_key = None

    def __init__(self, bills: str | list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.site = os.environ.get("TRUSTWATCH_GOVINFO_URL", SITE).rstrip("/")
        self.allowed_domains = [urlsplit(self.site).hostname]
        if isinstance(bills, str):
            bills = [bill for bill in bills.split(",") if bill.strip()]
        bills = bills or watched("govinfo").get("bills") or DEFAULT_BILLS
        self.bills = [parse_bill(bill) for bill in bills]
        self.crawl_arguments = {"bills": ",".join(bill.argument for bill in self.bills)}

    async def start(self):
        for bill in self.bills:
            yield Request(
                f"{self.site}/bulkdata/BILLSTATUS/{bill.congress}/{bill.type}/"
                f"BILLSTATUS-{bill.package_prefix}.xml",
                callback=self.parse_status,
                errback=self.failed,
                cb_kwargs={"bill": bill},
            )

    def parse_status(self, response: Response, bill: Bill):
        """The bill status file: the bill's title and a request for each text version."""
        # Parsed from the bytes: a mirror may not say the file is XML.
        status = Selector(body=response.body, type="xml").xpath("/billStatus/bill")
        if not status:
            yield CrawlFailure(
                response.url, "parse", f"{bill.identifier}: no <bill> in the bill status file"
            )
            return
        versions, unreadable = _text_versions(status[0], bill)
        for label in unreadable:
            yield CrawlFailure(
                response.url,
                "parse",
                f"{bill.identifier}: text version {label!r} names no BILLS package",
            )
        if not versions:
            if not unreadable:
                yield CrawlFailure(
                    response.url, "parse", f"{bill.identifier}: no text version is listed"
                )
            return
        title = " ".join(" ".join(status.xpath("./title//text()").getall()).split())
        document = {
            "document_id": f"us-{bill.congress}-{bill.type}{bill.number}",
            "session": str(bill.congress),
            "identifier": bill.identifier,
            "title": title or bill.identifier,
            "kind": "bill" if bill.type in ("hr", "s") else "resolution",
            "status": versions[-1].label,
            "document_url": response.url,
        }
        for sequence, version in enumerate(versions, start=1):
            yield Request(
                f"{self.site}{version.path}",
                callback=self.parse_version,
                errback=self.failed,
                cb_kwargs={"document": document, "version": version, "sequence": sequence},
            )

    def parse_version(
        self, response: Response, document: dict, version: TextVersion, sequence: int
    ):
        """One version's bill XML, as it is: the pipeline parses it."""
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if "html" in content_type:
            yield CrawlFailure(
                response.url,
                "parse",
                f"{document['identifier']} {version.label}: the site answered an HTML page, "
                "not the bill XML",
            )
            return
        yield FetchedVersion(
            source=self.name,
            jurisdiction=UNITED_STATES,
            **document,
            version_key=version.package,
            label=version.label,
            classification=version.classification,
            date=version.date,
            sequence=sequence,
            url=response.url,
            http_status=response.status,
            media_type="application/xml",
            encoding=getattr(response, "encoding", None),
            body=response.body,
            headers={
                k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()
            },
            text_root=None,
        )

    def failed(self, failure):
        yield CrawlFailure.from_failure(failure)


def _text_versions(status, bill: Bill) -> tuple[list[TextVersion], list[str]]:
    """The listed versions, oldest first, and the labels of those naming no package."""
    package_name = re.compile(rf"BILLS-{re.escape(bill.package_prefix)}(?P<code>[a-z]+)\b")
    found, unreadable = [], []
    for item in status.xpath("./textVersions/item"):
        label = " ".join(" ".join(item.xpath("./type//text()").getall()).split())
        urls = [url.strip() for url in item.xpath("./formats/item/url/text()").getall()]
        if not label and not urls:
            continue  # an empty <item/>: real bill status files end lists with one
        match = next(filter(None, (package_name.search(url) for url in urls)), None)
        if match is None:
            unreadable.append(label)
            continue
        package, code = match.group(0), match["code"]
        date = _iso_date(item.xpath("./date/text()").get())
        listed = next((u for u in urls if u.endswith(f"/{package}.xml")), "")
        found.append(
            TextVersion(
                package=package,
                code=code,
                label=label or code.upper(),
                date=date,
                classification=_CLASSIFICATION.get(code, "other"),
                path=_xml_path(bill, package, date, listed),
            )
        )
    # Listed newest first; an undated version is one just printed (enrolled, usually).
    found.reverse()
    found.sort(key=lambda version: version.date or "9999-12-31")
    laws = status.xpath("./laws/item")
    enrolled = [i for i, v in enumerate(found) if v.code in ("enr", "renr")]
    if laws and enrolled:
        found[enrolled[-1]] = replace(found[enrolled[-1]], classification="became-law")
    return found, unreadable


def _xml_path(bill: Bill, package: str, date: str | None, listed: str) -> str:
    """The bulk-data path of a version's XML: BILLS/{congress}/{session}/{type}/."""
    listed_path = urlsplit(listed).path
    if listed_path.startswith("/bulkdata/BILLS/"):
        return listed_path
    session = _session(bill.congress, date) if date else None
    if session is None:
        return f"/content/pkg/{package}/xml/{package}.xml"
    return f"/bulkdata/BILLS/{bill.congress}/{session}/{bill.type}/{package}.xml"


def _session(congress: int, date: str) -> int | None:
    """A congress meets in two sessions: its first year and the next; it ends on 3 January."""
    first_year = 1787 + 2 * congress
    year = int(date[:4])
    if year == first_year + 2 and date[5:] <= "01-03":
        return 2
    return {first_year: 1, first_year + 1: 2}.get(year)


def _iso_date(text: str | None) -> str | None:
    """``2025-01-03T05:00:00Z`` (midnight Eastern, in UTC) or ``2025-01-03`` → ``2025-01-03``."""
    text = (text or "").strip()
    if not text:
        return None
    if "T" not in text:
        return datetime.strptime(text[:10], "%Y-%m-%d").date().isoformat()
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    try:
        return moment.astimezone(ZoneInfo("America/New_York")).date().isoformat()
    except ZoneInfoNotFoundError:
        return moment.date().isoformat()
