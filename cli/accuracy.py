"""Score the provision tagger against the hand-labelled set in tests/fixtures/provisions.

labels.json holds, per real text, the provisions a person coded (type and section);
texts/ and quoted/ hold the texts. Both the ``trustwatch accuracy`` command and the test
that keeps the scores from slipping call :func:`evaluate`.
"""

import json
from pathlib import Path

from trustwatch.parsers.document import parse_document
from trustwatch.parsers.provision_rules import TYPES
from trustwatch.parsers.scoring import score_by_type

LABELS = Path("tests") / "fixtures" / "provisions" / "labels.json"
FOLDERS = {"documents": "texts", "quoted": "quoted"}


def evaluate(labels_path: Path) -> dict:
    """Scores at document × type and document × type × section level, per type."""
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    expected_docs, expected_sections, predicted_docs, predicted_sections = (
        set(),
        set(),
        set(),
        set(),
    )
    for group, folder in FOLDERS.items():
        for name, entry in labels.get(group, {}).items():
            path = labels_path.parent / folder / name
            parsed = parse_document(path.read_bytes(), filename=name)
            for provision in entry["provisions"]:
                expected_docs.add((name, provision["type"]))
                expected_sections.add((name, provision["type"], provision["section"]))
            for provision in parsed.provisions:
                predicted_docs.add((name, provision.type))
                predicted_sections.add((name, provision.type, provision.section))
    types = list(TYPES)
    return {
        "documents": len(labels.get("documents", {})) + len(labels.get("quoted", {})),
        "document_level": score_by_type(expected_docs, predicted_docs, types),
        "section_level": score_by_type(expected_sections, predicted_sections, types),
        "errors": {
            "missed": sorted(expected_sections - predicted_sections),
            "extra": sorted(predicted_sections - expected_sections),
        },
    }


def markdown_table(result: dict) -> str:
    """The per-type scores as the README shows them."""
    lines = [
        "| type | doc P | doc R | doc F1 | section P | section R | section F1 | labelled |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in [*TYPES, "overall"]:
        doc, sec = result["document_level"][name], result["section_level"][name]
        labelled = doc.true_positives + doc.false_negatives
        lines.append(
            f"| {name} | {doc.precision:.2f} | {doc.recall:.2f} | {doc.f1:.2f} | "
            f"{sec.precision:.2f} | {sec.recall:.2f} | {sec.f1:.2f} | {labelled} |"
        )
    return "\n".join(lines)
