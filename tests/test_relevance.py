"""The spiders' relevance filters against the labelled real titles in
tests/fixtures/relevance (PROVENANCE.md there says where each title comes from and how it
was labelled). The scoring is bench/relevance.py's; the floors are the scores it printed when
this was written, a little rounded down, so a change that loses a title fails here. The
held-out part has floors of its own: the pattern was tuned on the other part only."""

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES

from trustwatch.spiders.state_bills import relevant

BENCH = Path(__file__).resolve().parent.parent / "bench" / "relevance.py"
TITLES = FIXTURES / "relevance" / "titles.jsonl"
FIELDS = {"id", "text", "relevant", "category", "jurisdiction", "identifier", "source"}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_relevance", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()
ROWS = bench.load(TITLES)


def _score(filter_name: str, split: str = "all"):
    rows = [row for row in ROWS if split == "all" or row["split"] == split]
    return bench.score(rows, bench.FILTERS[filter_name])[0]


def test_the_set_is_real_sized_and_documented():
    assert len(ROWS) >= 150
    labels = Counter(row["relevant"] for row in ROWS)
    assert labels[True] >= 40 and labels[False] >= 60, labels
    assert len({row["id"] for row in ROWS}) == len({row["text"] for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert FIELDS <= row.keys() and row["provenance"].strip(), row["id"]
        assert isinstance(row["relevant"], bool) and row["split"] in bench.SPLITS, row["id"]


@pytest.mark.parametrize(
    ("filter_name", "split", "precision", "recall"),
    [
        ("relevant() on title and description", "all", 0.72, 0.76),
        ("relevant() on title and description", "holdout", 0.55, 0.58),
        ("Legistar title search (DEFAULT_SEARCH)", "all", 0.51, 0.72),
        ("Legistar title search (DEFAULT_SEARCH)", "holdout", 0.45, 0.64),
    ],
)
def test_measured_floors(filter_name, split, precision, recall):
    score = _score(filter_name, split)
    assert score.precision >= precision and score.recall >= recall, score


@pytest.mark.parametrize(
    "title",
    [
        "relating to the detention by local law enforcement agencies of certain persons "
        "subject to federal immigration detainers.",
        "POLICY FOR RESPONDING TO ICE DETAINERS",
        "Require Sheriff Cooperation With ICE",
        "No Bailout for Sanctuary Cities Act",
        "Public Safety – Immigration Enforcement – Prohibition Against Sanctuary Policies",
    ],
)
def test_enforcement_titles_are_kept(title):
    assert relevant(title)


def test_unlawfully_present_aliens_in_a_description_is_kept():
    assert relevant(
        "Support Our Law Enforcement and Safe Neighborhoods Act",
        "... RELATING TO UNLAWFULLY PRESENT ALIENS.",
    )


@pytest.mark.parametrize(
    "title",
    [
        "relating to the creation of the Arroyo Colorado Wildlife Sanctuary in Cameron and "
        "Willacy counties; providing a penalty.",
        "RESOLUTION RE: DECLARE WELD COUNTY TO BE A “SECOND AMENDMENT SANCTUARY COUNTY”",
        "Interstate Agreement on Detainers Act",
        "Agreement on detainers; contents.",
        "Summons for unlawful detainer; initial hearing, subsequent filings, termination notice.",
        "relating to the jurisdiction of courts in cases of forcible entry and detainer and "
        "forcible detainer.",
        "A Local Law to amend the administrative code of the city of New York, in relation to "
        "requiring the commissioner of the department of correction to post a monthly report on "
        "detainees on the department's website.",
    ],
)
def test_other_senses_of_sanctuary_and_detainer_are_rejected(title):
    assert not relevant(title)


@pytest.mark.parametrize(
    "title",
    [
        "Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance",
        "A Local Law to amend the administrative code of the city of New York, in relation to "
        "persons not to be detained by the police department.",
    ],
)
def test_the_legistar_search_finds_titles_without_an_immigration_word(title):
    assert bench.legistar_search(title)
