"""The real command line: in-process with click's runner, and end to end in subprocesses."""

import json
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, TEXTS, real_text, run_cli, text_pdf

from trustwatch.cli.main import cli

RECORDING = FIXTURES / "california"


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="trustwatch")


@pytest.mark.parametrize(
    "command",
    ["crawl", "serve", "demo", "extract", "diff", "reparse", "accuracy", "sources", "status"],
)
def test_every_command_has_help_and_is_in_the_readme(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage: trustwatch" in result.output
    assert f"trustwatch {command}" in (REPO / "README.md").read_text()


def test_extract_prints_sections_whose_offsets_slice_the_text():
    result = invoke("extract", str(TEXTS / "ca-sb54-2017-chaptered.txt"))
    assert result.exit_code == 0
    data = json.loads(result.output)
    numbers = [s["number"] for s in data["sections"]]
    assert "7282.5(a)" in numbers
    for section in data["sections"]:
        unit = data["text"][section["start"] : section["end"]]
        assert unit == unit.strip() and unit
        if section["number"].endswith(")"):
            assert unit.startswith("(" + section["number"].split("(")[-1])


def test_extract_text_format_lists_sections():
    result = invoke("extract", str(TEXTS / "chicago-mc-2-173-030-current.txt"), "--format", "text")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Sections:" and lines[1].strip().startswith("2-173-030  [0:")
    assert "Provisions:" in lines
    assert any(
        line.startswith("  status_inquiry_limit (limit) in 2-173-030(a)(1)") for line in lines
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary" * 50, "binary"),
        (bytes(range(128, 256)) * 20, "look like text"),
    ],
)
def test_extract_refuses_bad_files_with_exit_code_2(tmp_path, content, message):
    path = tmp_path / "law.txt"
    path.write_bytes(content)
    result = invoke("extract", str(path))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_extract_missing_file():
    result = invoke("extract", "no-such-law.html")
    assert result.exit_code == 2 and "no-such-law.html" in result.output


def test_unknown_source_is_a_clear_error(db_path):
    result = invoke("crawl", "atlantis", "--db", db_path)
    assert result.exit_code == 2
    assert "unknown source 'atlantis'" in result.output and "california" in result.output


def test_missing_replay_folder_is_a_clear_error(db_path):
    result = invoke("crawl", "california", "--replay", "/no/such/recording", "--db", db_path)
    assert result.exit_code == 2 and "does not exist" in result.output


def test_unwritable_database_is_a_clear_error(tmp_path):
    result = invoke("crawl", "california", "--db", str(tmp_path / "missing" / "x.db"))
    assert result.exit_code == 2 and "cannot open database" in result.output
    result = invoke("status", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_bad_bill_argument_is_a_clear_error(db_path):
    result = invoke("crawl", "california", "--bill", "values act", "--db", db_path)
    assert result.exit_code == 2 and "cannot read bill" in result.output


def test_sources_lists_california():
    result = invoke("sources", "--json")
    rows = {row["source"]: row for row in json.loads(result.output)}
    assert rows["california"]["needs_key"] is None
    assert "leginfo" in rows["california"]["description"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_demo_then_serve_over_real_http(tmp_path):
    db_path = str(tmp_path / "trustwatch.db")
    first = run_cli("demo", "--no-serve", "--db", db_path)
    assert first.returncode == 0, first.stderr
    assert "california: 13 new versions" in first.stderr
    assert "govinfo: 4 new versions" in first.stderr
    assert "documents: 8 new versions" in first.stderr
    again = run_cli("demo", "--no-serve", "--db", db_path)
    assert "california: 0 new versions, 13 unchanged" in again.stderr
    assert "govinfo: 0 new versions, 4 unchanged" in again.stderr
    assert "documents: 0 new versions, 8 unchanged" in again.stderr
    status = json.loads(run_cli("status", "--db", db_path, "--json").stdout)
    assert status["counts"]["versions"] == 25 and len(status["recent_crawls"]) == 5

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trustwatch.cli",
            "serve",
            "--db",
            db_path,
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/trustwatch"
    try:
        for _ in range(100):
            try:
                versions = fetch_json(f"{base}/versions.json?_shape=array&_col=document_id")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Datasette did not start: " + server.stderr.read() if server.poll() else "")
        per_document = {}
        for row in versions:
            per_document[row["document_id"]] = per_document.get(row["document_id"], 0) + 1
        assert sum(1 for n in per_document.values() if n >= 3) >= 2
        hits = fetch_json(f"{base}/search.json?q=detainer&_shape=array")
        assert hits and all("<mark>" in hit["snippet"] for hit in hits)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_extract_json_offsets_slice_every_evidence_passage():
    result = invoke("extract", str(TEXTS / "ca-sb54-2017-chaptered.txt"))
    data = json.loads(result.output)
    assert set(data) == {"text", "sections", "provisions"}
    assert set(data["sections"][0]) == {"number", "heading", "start", "end"}
    assert data["provisions"]
    for provision in data["provisions"]:
        assert set(provision) == {
            "type",
            "direction",
            "section",
            "text",
            "start",
            "end",
            "rule",
            "confidence",
        }
        assert data["text"][provision["start"] : provision["end"]] == provision["text"]


def pdf_of(name: str) -> bytes:
    lines = [w for line in real_text(name).splitlines() for w in (textwrap.wrap(line, 95) or [""])]
    return text_pdf([lines[i : i + 40] for i in range(0, len(lines), 40)])


def test_extract_reads_a_pdf_with_a_text_layer(tmp_path):
    path = tmp_path / "chicago-2-173-030.pdf"
    path.write_bytes(pdf_of("chicago-mc-2-173-030-current.txt"))
    data = json.loads(invoke("extract", str(path)).output)
    assert [s["number"] for s in data["sections"]][:2] == ["2-173-030", "2-173-030(a)"]
    assert {p["type"] for p in data["provisions"]} >= {
        "status_inquiry_limit",
        "information_sharing_limit",
    }


@pytest.mark.parametrize(
    "content, message",
    [
        (lambda: text_pdf([[]]), "needs OCR"),
        (lambda: pdf_of("chicago-mc-2-173-030-current.txt")[:1500], "truncated or damaged"),
    ],
)
def test_extract_refuses_scanned_and_truncated_pdfs(tmp_path, content, message):
    path = tmp_path / "law.pdf"
    path.write_bytes(content())
    result = invoke("extract", str(path))
    assert result.exit_code == 2 and message in result.output


def test_extract_reads_bill_xml(tmp_path):
    # The shape of GovInfo's bill DTD (legis-body > section > enum/header/text), with the
    # real words of Chicago 2-173-030(b).
    words = real_text("chicago-mc-2-173-030-current.txt").split("(b)")[1].split("(Added")[0]
    xml = (
        '<?xml version="1.0"?><bill><legis-body><section id="S1"><enum>1.</enum>'
        f"<header>Data sharing</header><subsection><enum>(b)</enum><text>{words.strip()}"
        "</text></subsection></section></legis-body></bill>"
    )
    path = tmp_path / "bill.xml"
    path.write_text(xml, encoding="utf-8")
    data = json.loads(invoke("extract", str(path)).output)
    assert [s["number"] for s in data["sections"]] == ["SEC. 1", "SEC. 1(b)"]
    assert ("information_sharing_limit", "SEC. 1(b)") in {
        (p["type"], p["section"]) for p in data["provisions"]
    }
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(xml[: len(xml) // 2], encoding="utf-8")
    result = invoke("extract", str(truncated))
    assert result.exit_code == 2 and "truncated or malformed" in result.output


def test_extract_on_every_real_text_gives_json_whose_offsets_slice_the_evidence():
    files = sorted((FIXTURES / "provisions").glob("*/*.txt")) + sorted(
        (FIXTURES / "provisions").glob("*/*.md")
    )
    assert len(files) >= 80
    for path in files:
        result = invoke("extract", str(path))
        assert result.exit_code == 0, (path.name, result.output)
        data = json.loads(result.output)
        for item in data["sections"] + data["provisions"]:
            assert 0 <= item["start"] <= item["end"] <= len(data["text"])
        for provision in data["provisions"]:
            assert data["text"][provision["start"] : provision["end"]] == provision["text"]
