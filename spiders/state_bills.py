"""What the two national state-bill APIs (Open States, LegiScan) share: the search terms,
the relevance filter, version classes, bill keys and states.

Search and relevance. The search is one full-text query per state: the terms of the
``query`` argument joined by OR. A term that is not a single word is put in double quotes:
``"immigration detainer" OR sanctuary OR "287(g)" OR "immigration enforcement"``. The
quotes matter: without them Open States reads a query that starts like a bill number
("287…") as a bill identifier, not as text. A full-text match is not enough, because
"sanctuary" also finds wildlife sanctuaries. So :func:`relevant` keeps a bill only when its
title or one of its abstracts names immigration enforcement: "immigra…" (immigration,
immigrant), "287(g)", "ICE" in capitals ("ice" is not it), "deport…", a civil or
administrative detainer or a detainer request (a bare "detainer" is as often the criminal
one of the Interstate Agreement on Detainers, or the eviction suit "unlawful/forcible
detainer"), "sanctuary" followed by city, jurisdiction, policy, county or state but not
after "Second Amendment", or an "illegal/unlawful(ly present)/unauthorized/undocumented
alien/person/individual". bench/relevance.py measures it on 160 real labelled titles
(tests/fixtures/relevance): precision 0.80 and recall 0.84 on the 101 it was tuned on, 0.56
and 0.59 on the 59 held out (0.72 and 0.76 on all). What it keeps wrongly is about
immigrants or deportation but not enforcement: an office of immigrant affairs, Immigrant
Heritage Month, tuition, refugee resettlement, the 1944 deportation of the Chechen people.
What it misses names no immigration word: "AN ACT concerning government.", "Law
enforcement: sharing data.", a "Welcoming City Ordinance", "persons not to be detained".
Both spiders use it.
"""

import re

import openstates_metadata
from scrapy.http import Response

from trustwatch.db.store import Jurisdiction

DEFAULT_TERMS = ["immigration detainer", "sanctuary", "287(g)", "immigration enforcement"]
# States with both kinds of law in the project's corpus: mandates (TX SB 4, FL SB 168) and
# limits (IL TRUST Act, MD Values Act, NY bills).
DEFAULT_STATES = ["TX", "FL", "IL", "MD", "NY"]

# See "Search and relevance" above; tests/test_relevance.py holds it to its measured scores.
_RELEVANT = re.compile(
    r"immigra"
    r"|\b287\s*\(\s*g\s*\)"
    r"|(?-i:\bICE\b)"
    r"|\bdeport"
    r"|\b(?:civil|administrative)\s+detainers?\b|\bdetainer\s+requests?\b"
    r"|(?<!amendment )\bsanctuary\s+(?:cit|jurisdiction|polic|count|state)"
    r"|\b(?:illegal|unlawful(?:ly\s+present)?|unauthorized|undocumented)"
    r"\s+(?:aliens?|persons?|individuals?)\b",
    re.IGNORECASE,
)
VERSION_CLASSES = frozenset(
    "filed introduced reported substituted amendment engrossed enrolled became-law".split()
)
# A version's note → its class; the first pattern that matches wins.
_NOTE_CLASSES = [
    (r"chapter|became law|public act|session law|signed", "became-law"),
    (r"enroll|\ber\b", "enrolled"),
    (r"engross|\be\d+\b", "engrossed"),
    (r"substitut|\bcomm(?:ittee)?\.? sub\b|\bconf(?:erence)? sub\b|\bc\d+\b", "substituted"),
    (r"committee report|\breported\b", "reported"),
    (r"amend", "amendment"),
    (r"introduc|first reading", "introduced"),
    (r"pre-?fil|\bfiled\b|draft", "filed"),
]
_BILL = re.compile(r"^\s*(?P<state>[A-Za-z]{2})[\s-]+(?P<bill>[A-Za-z][A-Za-z.\s]*\s*-?\s*\d+)\s*$")


def relevant(*texts: str | None) -> bool:
    """Does any of these texts (a title, a description) name immigration enforcement?"""
    return any(text and _RELEVANT.search(text) for text in texts)


def classify(note: str) -> str:
    """A version's note or type ("Senate Committee Report", "S 168 e1") → its class."""
    for pattern, name in _NOTE_CLASSES:
        if re.search(pattern, note or "", re.IGNORECASE):
            return name
    return "other"


def search_terms(query: str | list[str] | None) -> list[str]:
    if isinstance(query, str):
        query = query.split(",")
    terms = [term.strip() for term in (query or DEFAULT_TERMS) if term.strip()]
    if not terms:
        raise ValueError("the query names no search term")
    return terms


def search_expression(terms: list[str]) -> str:
    """Terms joined by OR; a term that is not one plain word is quoted as a phrase."""
    return " OR ".join(t if re.fullmatch(r"[A-Za-z]+", t) else f'"{t}"' for t in terms)


def state_codes(states: str | list[str] | None) -> list[str]:
    if isinstance(states, str):
        states = states.split(",")
    codes = [code.strip().upper() for code in (states or DEFAULT_STATES) if code.strip()]
    for code in codes:
        state_jurisdiction(code)
    return codes


def state_jurisdiction(code: str) -> Jurisdiction:
    """A two-letter state code → the state's jurisdiction (OCD division, name, FIPS)."""
    try:
        state = openstates_metadata.lookup(abbr=code.lower())
    except KeyError:
        state = None
    if state is None or "/" not in state.division_id.removeprefix("ocd-division/"):
        raise ValueError(f"unknown state {code!r}: use two-letter codes such as TX or FL")
    level = state.division_id.rsplit("/", 1)[1].split(":")[0]
    return Jurisdiction(state.division_id, state.name, level, state.abbr, state.fips)


def bill_key(identifier: str) -> str:
    """ "SB 4", "S.B. 0004", "sb4" → "SB4"."""
    compact = re.sub(r"[^A-Z0-9]", "", identifier.upper())
    return re.sub(r"^([A-Z]+)0+(?=\d)", r"\1", compact)


def bill_filter(bills: str | list[str] | None) -> set[tuple[str, str]]:
    """ "TX SB 4,FL SB 168" → {("TX", "SB4"), ("FL", "SB168")}."""
    if isinstance(bills, str):
        bills = bills.split(",")
    wanted = set()
    for text in [bill for bill in bills or [] if bill.strip()]:
        match = _BILL.match(text)
        if not match:
            raise ValueError(
                f"cannot read bill {text!r}: use a state and a bill, such as 'TX SB 4'"
            )
        state_jurisdiction(match["state"])
        wanted.add((match["state"].upper(), bill_key(match["bill"])))
    return wanted


def iso_date(text: str | None) -> str | None:
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text or "")
    return match[1] if match and not match[1].startswith("0000") else None


def response_headers(response: Response) -> dict[str, list[str]]:
    return {k.decode(): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}
