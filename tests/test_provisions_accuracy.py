"""The tagger against the hand-labelled real texts in tests/fixtures/provisions (see
LABELS.md there for how each label was decided). The floors are the scores reached when
this was written, a little rounded down: a change that loses accuracy fails here."""

import json

import pytest
from conftest import FIXTURES

from trustwatch.cli.accuracy import evaluate
from trustwatch.parsers.provision_rules import TYPES

LABELS = FIXTURES / "provisions" / "labels.json"


@pytest.fixture(scope="module")
def result():
    return evaluate(LABELS)


def test_overall_floors(result):
    documents, sections = result["document_level"]["overall"], result["section_level"]["overall"]
    assert documents.f1 >= 0.95, documents
    assert sections.f1 >= 0.90, sections
    assert documents.precision >= 0.95 and sections.precision >= 0.85


@pytest.mark.parametrize("name", list(TYPES))
def test_every_type_has_a_real_example_that_is_found(result, name):
    score = result["document_level"][name]
    assert score.true_positives >= 1, f"{name}: no labelled example found by the tagger"
    assert score.f1 >= 0.8, score


def test_every_type_has_two_real_labelled_examples():
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    found = {}
    for group in ("documents", "quoted"):
        for name, entry in labels[group].items():
            for provision in entry["provisions"]:
                found.setdefault(provision["type"], set()).add(name)
    assert {t: len(found.get(t, ())) for t in TYPES if len(found.get(t, ())) < 2} == {}
