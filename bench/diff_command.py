"""Benchmark: the whole ``trustwatch diff`` command next to git's whole command.

Not a test: run ``.venv/bin/python bench/diff_command.py [ROUNDS]``. On the 1 MB
bill-like pair of bench/redline.py (real texts, a few % of words amended, bill sections
inserted, deleted and moved), it times, each as a fresh process and alternating rounds:

- ``git diff --no-index --word-diff=porcelain old.txt new.txt``;
- ``trustwatch diff old.txt new.txt`` (text, the default) and ``--format json``: start-up,
  reading and normalising both files, their sections, the word diff, the section view
  and the provision changes (tagging only where the files differ).

Output goes to /dev/null for all three. It prints the best time of each, the ratio to
git, each command's peak resident memory, and where trustwatch's time goes, measured
in-process on the same files.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redline import bill_pair

from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.formats import document_text
from trustwatch.parsers.redline import redline
from trustwatch.parsers.sections import section_spans

TRUSTWATCH = [sys.executable, "-m", "trustwatch.cli", "diff", "old.txt", "new.txt"]
COMMANDS = {
    "git": ["git", "diff", "--no-index", "--word-diff=porcelain", "old.txt", "new.txt"],
    "trustwatch diff": TRUSTWATCH,
    "trustwatch diff --format json": [*TRUSTWATCH, "--format", "json"],
}


def run(command: list[str], folder: Path) -> tuple[float, int]:
    """Seconds and peak resident kilobytes of one run of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # git answers 1 when the files differ
        sys.exit(f"{command} failed with {child.returncode}")
    return elapsed, usage.ru_maxrss


def stages(folder: Path) -> list[tuple[str, float]]:
    """Where the time of one comparison goes, in this process."""
    took = []
    start = time.perf_counter()
    texts = [document_text((folder / n).read_bytes(), filename=n) for n in ("old.txt", "new.txt")]
    took.append(("read and normalise both", time.perf_counter() - start))
    start = time.perf_counter()
    versions = [
        {"text": text, "sections": [s.as_dict() for s in section_spans(text)]} for text in texts
    ]
    took.append(("sections of both", time.perf_counter() - start))
    start = time.perf_counter()
    redline(texts[0], versions[0]["sections"], texts[1], versions[1]["sections"])
    took.append(("word diff and section view", time.perf_counter() - start))
    start = time.perf_counter()
    compare_versions(*versions)
    took.append(("all of compare_versions", time.perf_counter() - start))
    return took


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        old, new = bill_pair(1)
        (folder / "old.txt").write_text(old, encoding="utf-8")
        (folder / "new.txt").write_text(new, encoding="utf-8")
        times = {label: [] for label in COMMANDS}
        memory = {}
        for _ in range(rounds):
            for label, command in COMMANDS.items():
                elapsed, peak = run(command, folder)
                times[label].append(elapsed)
                memory[label] = peak
        git = min(times["git"])
        print(f"1 MB bill pair ({len(old.encode()) / 1e6:.2f} MB), best of {rounds} rounds")
        for label in COMMANDS:
            best = min(times[label])
            print(
                f"{label:<32} {best * 1e3:8.1f} ms = {best / git:6.1f}x git"
                f"   peak RSS {memory[label] / 1e3:6.1f} MB"
            )
        print("where trustwatch's time goes (in-process, one run):")
        for label, took in stages(folder):
            print(f"  {label:<30} {took * 1e3:8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
