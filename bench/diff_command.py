"""Benchmark: the whole ``trustwatch diff`` command next to git's whole command.

Not a test: run ``.venv/bin/python bench/diff_command.py [ROUNDS]``. On the 1 MB
bill-like pair of bench/redline.py (real texts, a few % of words amended, bill sections
inserted, deleted and moved), it times, each as a fresh process and alternating rounds:

- ``git diff --no-index --word-diff=porcelain old.txt new.txt``;
- ``trustwatch diff old.txt new.txt`` (text, the default) and ``--format json``: start-up,
  reading and normalising both files, their sections, the word diff, the section view
  and the provision changes (tagging only where the files differ);
- ``trustwatch diff 1 2 --db bench.db``: the same two texts stored as two versions of one
  bill, parsed and tagged when stored (as a crawl stores them; not timed), so the command
  reads them and computes the word diff, the section view and the provision changes.

Output goes to /dev/null for all three. It prints the best time of each, the ratio to
git, each command's peak resident memory, and where trustwatch's time goes, measured
in a fresh process the way the command works. For scale, it also times what no
``trustwatch`` command can go below: ``python -c pass`` and ``trustwatch --version``.

trustwatch runs as an installed program does, from its cached bytecode: a first round,
not counted, writes the bytecode into the temporary folder (``PYTHONPYCACHEPREFIX``),
since an environment with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every
module on every run, which no installed copy does.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIFF = [sys.executable, "-m", "trustwatch.cli", "diff"]
COMMANDS = {
    "git": ["git", "diff", "--no-index", "--word-diff=porcelain", "old.txt", "new.txt"],
    "trustwatch diff": [*DIFF, "old.txt", "new.txt"],
    "trustwatch diff --format json": [*DIFF, "old.txt", "new.txt", "--format", "json"],
    "trustwatch diff 1 2 (stored)": [*DIFF, "1", "2", "--db", "bench.db"],
    "(python -c pass)": [sys.executable, "-c", "pass"],
    "(trustwatch --version)": [sys.executable, "-m", "trustwatch.cli", "--version"],
}


def store_both(folder: Path) -> None:
    """The pair in ``folder`` as versions 1 and 2 of one bill in ``folder/bench.db``,
    parsed as a crawl parses what it stores."""
    from trustwatch.db.migrations import open_database
    from trustwatch.db.store import (
        DocumentRecord,
        Jurisdiction,
        RawResponse,
        VersionRecord,
        store_version,
        sync_provision_types,
    )
    from trustwatch.parsers.document import parse_document
    from trustwatch.parsers.provision_rules import TAXONOMY_VERSION, TYPES

    db = open_database(str(folder / "bench.db"))
    sync_provision_types(db, TYPES, TAXONOMY_VERSION)
    california = Jurisdiction("ocd-division/country:us/state:ca", "California", "state", "CA")
    bill = DocumentRecord("bench", california, "bench", "2017", "SB 1", "", "bill", "", "")
    for sequence, name in enumerate(("old.txt", "new.txt"), start=1):
        body = (folder / name).read_bytes()
        parsed = parse_document(body, "text/plain")
        version = VersionRecord(
            source_key=str(sequence),
            label=f"version {sequence}",
            classification="",
            date=None,
            sequence=sequence,
            text=parsed.text,
            sections=[section.as_dict() for section in parsed.sections],
            source_url="",
            provisions=[provision.as_dict() for provision in parsed.provisions],
        )
        raw = RawResponse(f"file:{sequence}", 200, body, "text/plain")
        stored = store_version(db, bill, version, raw, crawl_run_id=None, now="2026-01-01")
        assert stored.version_id == sequence
    db.close()


def environment(folder: Path) -> dict:
    """The environment of an installed program: bytecode written once, then read."""
    variables = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder / "bytecode")}
    variables.pop("PYTHONDONTWRITEBYTECODE", None)
    return variables


def run(command: list[str], folder: Path) -> tuple[float, int]:
    """Seconds and peak resident kilobytes of one run of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, env=environment(folder)
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # git answers 1 when the files differ
        sys.exit(f"{command} failed with {child.returncode}")
    return elapsed, usage.ru_maxrss


def stages(folder: Path) -> None:
    """Print where the time of one ``trustwatch diff`` goes, as JSON: run in a fresh
    process, so imports and first uses cost what they cost the command."""
    marks = [time.perf_counter()]
    from trustwatch.cli.main import cli  # noqa: F401  (the command's own start-up)
    from trustwatch.cli.redline_output import terminal_text
    from trustwatch.parsers.changes import compare_versions
    from trustwatch.parsers.formats import document_text
    from trustwatch.parsers.sections import section_spans

    marks.append(time.perf_counter())
    texts = [document_text((folder / n).read_bytes(), filename=n) for n in ("old.txt", "new.txt")]
    marks.append(time.perf_counter())
    versions = [
        {"text": text, "sections": [s.as_dict() for s in section_spans(text)]} for text in texts
    ]
    marks.append(time.perf_counter())
    comparison = compare_versions(*versions, section_ops=False)  # as the text output does
    marks.append(time.perf_counter())
    terminal_text(comparison, color=False)
    marks.append(time.perf_counter())
    labels = [
        "imports",
        "read and normalise both",
        "sections of both",
        "compare_versions",
        "terminal text",
    ]
    print(
        json.dumps(
            {label: b - a for label, a, b in zip(labels, marks[:-1], marks[1:], strict=True)}
        )
    )


def main(rounds: int = 5) -> None:
    from redline import bill_pair

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        old, new = bill_pair(1)
        (folder / "old.txt").write_text(old, encoding="utf-8")
        (folder / "new.txt").write_text(new, encoding="utf-8")
        # In a child: parsing here would raise the bench's own peak, which the commands'
        # readings carry (see below).
        subprocess.run([sys.executable, __file__, "--store", name], check=True)
        times = {label: [] for label in COMMANDS}
        memory = {}
        for command in COMMANDS.values():
            run(command, folder)  # not counted: writes trustwatch's bytecode
        for _ in range(rounds):
            for label, command in COMMANDS.items():
                elapsed, peak = run(command, folder)
                times[label].append(elapsed)
                memory[label] = peak
        git = min(times["git"])
        # Linux counts the launching process's peak in a child's (it is carried over the
        # exec), so a reading at the bench's own peak only says "at most that much".
        floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"1 MB bill pair ({len(old.encode()) / 1e6:.2f} MB), best of {rounds} rounds")
        print(f"(a peak RSS of {floor / 1e3:.1f} MB is the bench's own: the command's is no more)")
        for label in COMMANDS:
            best = min(times[label])
            print(
                f"{label:<32} {best * 1e3:8.1f} ms = {best / git:6.1f}x git"
                f"   peak RSS {memory[label] / 1e3:6.1f} MB"
            )
        print("where `trustwatch diff`'s time goes (a fresh process, after Python's start-up):")
        split = subprocess.run(
            [sys.executable, __file__, "--stages", name],
            env=environment(folder),
            capture_output=True,
            text=True,
            check=True,
        )
        for label, took in json.loads(split.stdout).items():
            print(f"  {label:<30} {took * 1e3:8.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stages"]:
        stages(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--store"]:
        store_both(Path(sys.argv[2]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
