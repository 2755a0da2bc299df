"""Benchmark: how well the spiders' relevance filters sort real bill and matter titles.

Not a test: run ``.venv/bin/python bench/relevance.py`` (``--split tune`` or ``holdout``
prints the misclassified titles of that part only; the default prints all of them). It
scores, against the labelled real titles of tests/fixtures/relevance/titles.jsonl (see
PROVENANCE.md there for where each title comes from and how it was labelled):

- ``relevant()``, the filter of the openstates and legiscan spiders, given the title and,
  where the set has one, the description, as the spiders give it a bill's title and
  abstracts (openstates) or title and description (legiscan);
- the Legistar title search: would ``substringof(word, MatterTitle)`` of any word of
  ``legistar.DEFAULT_SEARCH`` match the title? Legistar's OData compares without regard to
  case, so this does too. It sees the title only, as the API does;
- the search followed by ``relevant()`` on the title: the post-filter the legistar spider
  does not have, measured to show why (see the legistar.py docstring).

For each it prints the confusion counts, precision and recall on the "tune" part of the
set (the titles looked at while the pattern was tuned), the "holdout" part (never looked
at while tuning) and the whole set, then every misclassified title.
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from trustwatch.parsers.scoring import Score
from trustwatch.parsers.scoring import score as score_sets
from trustwatch.spiders.legistar_api import DEFAULT_SEARCH
from trustwatch.spiders.state_bills import relevant

TITLES = Path(__file__).resolve().parent.parent / "tests/fixtures/relevance/titles.jsonl"
SPLITS = ("tune", "holdout")


def load(path: Path = TITLES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def legistar_search(title: str, words: tuple[str, ...] = DEFAULT_SEARCH) -> bool:
    """Would ``substringof('word', MatterTitle)`` match, for any of the words?"""
    return any(word.lower() in title.lower() for word in words)


FILTERS: dict[str, Callable[[dict], bool]] = {
    "relevant() on title and description": lambda row: relevant(
        row["text"], row.get("description")
    ),
    "Legistar title search (DEFAULT_SEARCH)": lambda row: legistar_search(row["text"]),
    "Legistar search, then relevant() on the title (not used)": lambda row: (
        legistar_search(row["text"]) and relevant(row["text"])
    ),
}


def score(rows: list[dict], predicate: Callable[[dict], bool]) -> tuple[Score, list[dict]]:
    """The scores of ``predicate`` on ``rows`` (the tagger's scoring, on title ids), and
    the rows it gets wrong."""
    kept = {row["id"] for row in rows if predicate(row)}
    wanted = {row["id"] for row in rows if row["relevant"]}
    wrong = [row for row in rows if (row["id"] in kept) != row["relevant"]]
    return score_sets(wanted, kept), wrong


def described(found: Score, titles: int) -> str:
    negatives = titles - found.true_positives - found.false_positives - found.false_negatives
    return (
        f"precision {found.precision:.3f}  recall {found.recall:.3f}  "
        f"(TP {found.true_positives}, FP {found.false_positives}, "
        f"FN {found.false_negatives}, TN {negatives})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    shown = parser.parse_args(argv).split
    rows = load()
    wanted = sum(row["relevant"] for row in rows)
    print(f"{len(rows)} real titles: {wanted} relevant, {len(rows) - wanted} not")
    for name, predicate in FILTERS.items():
        print(f"\n{name}")
        for split in (*SPLITS, "all"):
            part = [row for row in rows if split == "all" or row["split"] == split]
            found = score(part, predicate)[0]
            print(f"  {split:8} {len(part):4} titles  {described(found, len(part))}")
        part = [row for row in rows if shown == "all" or row["split"] == shown]
        for row in score(part, predicate)[1]:
            kind = "missed" if row["relevant"] else "kept  "
            print(f"    {kind} {row['id']} [{row['split']}, {row['category']}] {row['text'][:110]}")


if __name__ == "__main__":
    main()
