"""Benchmark: provision tagging throughput next to lxml parsing the same bytes.

Not a test: run ``.venv/bin/python bench/provisions.py``. It reads every real text in
tests/fixtures/provisions/texts (falling back to tests/fixtures/texts), and times, in the
same run and on the same bytes:

- lxml: ``lxml.html.document_fromstring(body).text_content()`` — the raw cost of
  parsing the files, the floor any extraction pays;
- trustwatch: ``parse_document`` — normalising, sections and provision tagging;
- tagging alone: ``tag_provisions`` on the normalised text with its sections.

Each is the best of several rounds; throughput is MB of input per second.
"""

import sys
import time
from pathlib import Path

import lxml.html

from trustwatch.parsers.document import parse_document
from trustwatch.parsers.provisions import tag_provisions
from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def corpus() -> list[tuple[str, bytes]]:
    folder = ROOT / "provisions" / "texts"
    if not folder.is_dir():
        folder = ROOT / "texts"
    return [
        (p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix in (".txt", ".md")
    ]


def best_of(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(rounds: int = 5) -> None:
    files = corpus()
    size = sum(len(body) for _, body in files) / 1e6
    texts = [normalize_text(body.decode("utf-8")) for _, body in files]
    sections = [section_spans(text) for text in texts]

    lxml_time = best_of(
        rounds, lambda: [lxml.html.document_fromstring(b).text_content() for _, b in files]
    )
    full_time = best_of(rounds, lambda: [parse_document(b, filename=n) for n, b in files])
    tag_time = best_of(
        rounds, lambda: [tag_provisions(t, s) for t, s in zip(texts, sections, strict=True)]
    )

    print(f"{len(files)} real texts, {size:.2f} MB, best of {rounds} rounds")
    print(
        f"{'lxml parse (text_content)':<34} {lxml_time * 1e3:9.1f} ms {size / lxml_time:9.2f} MB/s"
    )
    print(
        f"{'trustwatch parse_document':<34} {full_time * 1e3:9.1f} ms {size / full_time:9.2f} MB/s"
        f"  ({full_time / lxml_time:.1f}x lxml)"
    )
    print(
        f"{'  of which tag_provisions':<34} {tag_time * 1e3:9.1f} ms {size / tag_time:9.2f} MB/s"
        f"  ({tag_time / lxml_time:.1f}x lxml)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
