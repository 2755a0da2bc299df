"""Precision, recall and F1 of the provision tagger against hand labels.

Scored at two levels, as researchers use the data: document × type (does this text have
a detainer limit?) and document × type × section (is it in the section the coder named?).
Pure: labels and predictions come in as sets, so the accuracy command and the tests that
hold the floor share one computation.
"""

from dataclasses import dataclass

Key = tuple  # (document, type) or (document, type, section)


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(expected: set[Key], predicted: set[Key]) -> Score:
    """Compare two sets of keys."""
    hits = len(expected & predicted)
    return Score(hits, len(predicted) - hits, len(expected) - hits)


def score_by_type(expected: set[Key], predicted: set[Key], types: list[str]) -> dict:
    """``{type: Score}`` plus ``"overall"``; the type is the second item of each key."""
    scores = {
        name: score({k for k in expected if k[1] == name}, {k for k in predicted if k[1] == name})
        for name in types
    }
    scores["overall"] = score(expected, predicted)
    return scores
