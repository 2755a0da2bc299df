"""Benchmark: ``word_diff`` and ``redline`` next to ``git diff --word-diff`` on one input.

Not a test: run ``.venv/bin/python bench/redline.py``. It builds deterministic bill-like
texts of about 1 MB and 5 MB from the real texts in tests/fixtures/texts (the code sections
of SB 54 with each subdivision a paragraph, and the other fixtures, repeated as sections of
one long bill under fresh section numbers), amends each with a seeded random generator the
way amendments do (words struck, replaced and inserted in a few percent of paragraphs;
sections inserted, deleted and moved; bill sections renumbered), writes both versions to a
temporary folder and times, in the same run, on the same files:

- git: ``git diff --no-index --word-diff=porcelain old new`` (C, Myers; process start
  included);
- trustwatch ``word_diff(old, new)``;
- trustwatch ``redline(...)`` with ``section_spans`` of both versions (sections not
  included in the time).

Each is the best of several rounds, which alternate between sizes and tools. Peak memory
is traced separately (tracemalloc slows Python down), as the peak of Python allocations
during one call. Beside each time, the words each tool marks changed: being fast by
reporting more change would be no win.
Worst cases follow on 1 MB: the pair flattened onto one line each, the same reduced to
words and spaces (no sentence end either), and two texts with no sentence in common.
"""

import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from trustwatch.parsers.redline import redline, word_diff
from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
# The fixtures reused besides SB 54, named so that new fixtures do not change the input.
OTHER_TEXTS = [
    "ca-ab2792-2016-introduced-20160219.partial.txt",
    "ca-ab4-2013-amended-sen-20130614.partial.htm.txt",
    "ca-ab4-2013-introduced-20121203.partial.txt",
    "ca-gov-7283-1-current.partial.txt",
    "chicago-mc-2-173-030-current.txt",
    "il-pa100-0463-sb31-enrolled-ilga.partial.txt",
    "tx-sb4-2017-senate-committee-substitute.partial.txt",
]
# Amendments' usual small edits: a word or phrase replaced by another.
REPLACEMENTS = [
    ("shall not", "may"),
    ("shall", "may"),
    ("may", "shall"),
    ("law enforcement agency", "California law enforcement agency"),
    ("any", "a"),
    ("person", "individual"),
    ("federal immigration authorities", "immigration authorities"),
    ("he or she", "they"),
]


def bodies() -> list[str]:
    """Real section bodies: SB 54's code sections, one paragraph per subdivision, and the
    other fixtures as they are."""
    text = normalize_text((TEXTS / "ca-sb54-2017-chaptered.txt").read_text(encoding="utf-8"))
    spans = section_spans(text)
    found = []
    for code in (s for s in spans if s.level == 1):
        cuts = [s.start for s in spans if s.level >= 2 and code.start < s.start < code.end]
        pieces = [
            text[a:b].strip() for a, b in zip([code.start, *cuts], [*cuts, code.end], strict=True)
        ]
        body = "\n\n".join(pieces)
        found.append(body[len(code.number) + 1 :].strip())
    for name in OTHER_TEXTS:
        found.append(normalize_text((TEXTS / name).read_text(encoding="utf-8")))
    return found


def build_units(first: int, real: list[str]) -> list[str]:
    """Code sections numbered from ``first``, about 1 MB: one part of a long bill."""
    units, total = [], 0
    while total < 1_000_000:
        unit = f"{first + len(units)}. {real[len(units) % len(real)]}"
        units.append(unit)
        total += len(unit) + 60
    return units


def bill_pair(megabytes: int) -> tuple[str, str]:
    """A bill of ``megabytes`` parts of 1 MB and its amended version. Every part is amended
    with the same seed, so the 5 MB pair has exactly the edit density of the 1 MB one."""
    real = bodies()
    old_units, new_units = [], []
    for part in range(megabytes):
        units = build_units(7301 + 1000 * part, real)
        old_units += units
        new_units += amend(units, random.Random(54))
    return as_bill(old_units), as_bill(new_units)


def amend_paragraph(paragraph: str, rng: random.Random, pool: list[str]) -> str:
    words = paragraph.split(" ")
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        at = rng.randrange(len(words))
        if kind < 0.4:
            old, new = rng.choice(REPLACEMENTS)
            joined = " ".join(words)
            if old in joined:
                words = joined.replace(old, new, 1).split(" ")
            else:
                words[at] = rng.choice(pool)
        elif kind < 0.7:
            del words[at : at + rng.randint(1, 5)]
        else:
            words[at:at] = rng.choice(pool).split(" ")
        if not words:
            words = [rng.choice(pool)]
    return " ".join(words)


def amend(units: list[str], rng: random.Random) -> list[str]:
    """Edit 6% of paragraphs; in each hundred sections, delete one, insert one, move one
    (to anywhere in the part)."""
    pool = [p for unit in units[:40] for p in re.findall(r"\w+(?: \w+){0,5}", unit)]
    edited = []
    for unit in units:
        number, body = unit.split(". ", 1)
        paragraphs = [
            amend_paragraph(p, rng, pool) if rng.random() < 0.06 else p for p in body.split("\n\n")
        ]
        edited.append(f"{number}. " + "\n\n".join(paragraphs))
    new_units, moved = [], []
    for start in range(0, len(edited), 100):
        block = edited[start : start + 100]
        gone, added, away = rng.sample(range(len(block)), 3) if len(block) >= 3 else (-1, -1, -1)
        for k, unit in enumerate(block):
            if k == added:  # 7412.5 goes in before 7413
                number = unit.split(". ", 1)[0]
                new_units.append(f"{number}.5. {rng.choice(units).split('. ', 1)[1]}")
            if k == away:
                moved.append(unit)
            elif k != gone:
                new_units.append(unit)
    for unit in moved:
        new_units.insert(rng.randrange(len(new_units)), unit)
    return new_units


def as_bill(units: list[str]) -> str:
    head = "The people of the State of California do enact as follows:"
    sections = [
        f"SEC. {k}. Section {unit.split('. ', 1)[0]} is added to the Government Code, to read:"
        f"\n\n{unit}"
        for k, unit in enumerate(units, start=1)
    ]
    return head + "\n\n" + "\n\n".join(sections)


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def peak_memory(work) -> int:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def changed_words(ops) -> int:
    return sum(len(re.findall(r"\w+", text)) for op, text in ops if op != "equal")


class Case:
    """One pair of texts on disk and in memory, and the work each tool does on it."""

    def __init__(self, label: str, old: str, new: str, folder: Path, sections: bool):
        self.label, self.old, self.new, self.folder = label, old, new, folder
        folder.mkdir()
        (folder / "old.txt").write_text(old, encoding="utf-8")
        (folder / "new.txt").write_text(new, encoding="utf-8")
        self.sections = None
        if sections:
            self.sections = (
                [s.as_dict() for s in section_spans(old)],
                [s.as_dict() for s in section_spans(new)],
            )
        self.times: dict[str, list[float]] = {"git": [], "word_diff": [], "redline": []}

    def git(self) -> str:
        command = ["git", "diff", "--no-index", "--word-diff=porcelain", "old.txt", "new.txt"]
        done = subprocess.run(command, cwd=self.folder, capture_output=True)
        assert done.returncode == 1, done.stderr  # 1: the files differ
        return done.stdout.decode("utf-8", "replace")

    def word_diff(self) -> list:
        return word_diff(self.old, self.new)

    def redline(self) -> dict:
        old_sections, new_sections = self.sections
        return redline(self.old, old_sections, self.new, new_sections)

    def run_round(self) -> None:
        for tool in self.times:
            if tool != "redline" or self.sections:
                self.times[tool].append(timed(getattr(self, tool)))

    def best(self, tool: str) -> float:
        return min(self.times[tool])

    def report(self) -> None:
        ops = self.word_diff()
        assert "".join(t for op, t in ops if op != "insert") == self.old
        assert "".join(t for op, t in ops if op != "delete") == self.new
        words = len(re.findall(r"\w+", self.old))
        lines = self.git().split("\n")
        changed = [x[1:] for x in lines if x[:1] in "+-" and x[:3] not in ("+++", "---")]
        git_words = sum(len(re.findall(r"\w+", line)) for line in changed)
        git, ours = self.best("git"), self.best("word_diff")
        print(
            f"{self.label:<30} {len(self.old.encode()) / 1e6:5.2f} MB   git {git * 1e3:7.1f} ms"
            f"   word_diff {ours * 1e3:7.1f} ms = {ours / git:4.1f}x git"
            f"   peak {peak_memory(self.word_diff) / 1e6:5.1f} MB"
        )
        print(
            f"{'':<30} words marked changed: ours {changed_words(ops)} "
            f"({changed_words(ops) / max(1, words):.1%} of {words}), git {git_words}"
        )
        if self.sections:
            took = self.best("redline")
            print(
                f"{'':<30} redline, {len(self.sections[0])} sections: {took * 1e3:7.1f} ms = "
                f"{took / git:4.1f}x git   peak {peak_memory(self.redline) / 1e6:5.1f} MB"
            )
            print(f"{'':<30} {self.redline()['stats']}")


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        bills = {
            mb: Case(f"bill, {mb} MB", *bill_pair(mb), folder / f"{mb}", True) for mb in (1, 5)
        }
        # Rounds alternate between the sizes and tools, so that a busy moment of the
        # machine does not land on one of them only.
        for _ in range(rounds):
            for case in bills.values():
                case.run_round()
        for case in bills.values():
            case.report()
        one, five = bills[1], bills[5]
        print(
            "5 MB / 1 MB time: "
            + ", ".join(f"{t} {five.best(t) / one.best(t):.1f}x" for t in one.times)
        )
        print(f"(best of {rounds} rounds; git's time includes starting its process)")
        print("worst cases, 1 MB, best of 2 rounds:")
        old, new = bill_pair(1)
        shuffled = old.split(". ")
        random.Random(1).shuffle(shuffled)
        worst = [
            ("flattened onto one line", old.replace("\n", " "), new.replace("\n", " ")),
            (
                "one line, no punctuation",
                " ".join(re.findall(r"\w+", old)),
                " ".join(re.findall(r"\w+", new)),
            ),
            ("nothing in common", old, ". ".join(s[::-1] for s in shuffled)),
        ]
        for k, (label, a, b) in enumerate(worst):
            case = Case(label, a, b, folder / f"worst{k}", False)
            for _ in range(2):
                case.run_round()
            case.report()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"peak resident memory of this whole run: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
