"""Shared fixtures: real texts, recorded sites, a real SQLite file per test."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trustwatch.db.store import Jurisdiction

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = FIXTURES / "texts"
REPO = Path(__file__).parent.parent
# The state most test bills belong to.
CALIFORNIA = Jurisdiction("ocd-division/country:us/state:ca", "California", "state", "CA", "06")


def real_text(name: str) -> str:
    """A real legislative text from tests/fixtures/texts (see its PROVENANCE.md)."""
    return (TEXTS / name).read_text(encoding="utf-8")


def fetched_version(body: bytes, key: str = "1", sequence: int = 1):
    """A fetched version of one test bill, as a spider hands it to the pipeline."""
    from trustwatch.spiders.items import FetchedVersion

    return FetchedVersion(
        source="test",
        jurisdiction=CALIFORNIA,
        document_id="ca-test",
        session="2017",
        identifier="SB 54",
        title="",
        kind="bill",
        status="",
        document_url="",
        version_key=key,
        label="chaptered",
        classification="",
        date=None,
        sequence=sequence,
        url=f"https://example.test/sb54/{key}",
        http_status=200,
        media_type="text/plain",
        encoding="utf-8",
        body=body,
    )


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "trustwatch.db")


class RecordedSite(BaseHTTPRequestHandler):
    """Base of the tests' HTTP servers on 127.0.0.1: helpers that answer a request with a
    recorded response (as a replay would serve it) or with a body of the test's own."""

    base = ""  # the server's own URL, set by ``serving``

    def send_recorded(self, stem: Path | None, rewrite=lambda body: body) -> None:
        """The response recorded at ``stem`` (see spiders/replay.py), or a 404."""
        meta_path = stem.with_name(stem.name + ".meta.json") if stem else None
        if meta_path is None or not meta_path.exists():
            self.send_error(404)
            return
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        payload = rewrite((meta_path.parent / meta["body_file"]).read_bytes())
        self.send_response_only(meta["status"])
        for name, values in meta["headers"].items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_body(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serving(handler: type[RecordedSite]):
    """Run ``handler`` on a real HTTP server on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.base
    finally:
        server.shutdown()
        server.server_close()


class _RecordedLeginfo(RecordedSite):
    """Answers each request with the recorded response a replay would serve; with
    ``overloaded``, the first request for each page gets a 503 instead."""

    root: Path
    overloaded: bool
    refused: set

    def do_GET(self):
        self._answer(b"")

    def do_POST(self):
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes):
        from trustwatch.spiders.replay import recording_stem

        stem = recording_stem(self.root, self.command, f"{RECORDED_SITE}{self.path}", body)
        if self.overloaded and stem not in self.refused:
            self.refused.add(stem)
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_recorded(stem)


RECORDED_SITE = "https://leginfo.legislature.ca.gov"


def recording_server(root: Path, overloaded: bool = False):
    """A real HTTP server on 127.0.0.1 that serves a recording folder as the live site."""
    attributes = {"root": root, "overloaded": overloaded, "refused": set()}
    return serving(type("Handler", (_RecordedLeginfo,), attributes))


def everything_stored(db_path: str) -> str:
    """The whole database as text, raw bodies decompressed: to search it for a secret."""
    connection = sqlite3.connect(db_path)
    dump = "\n".join(connection.iterdump())
    bodies = [
        zlib.decompress(row[0]) for row in connection.execute("select body from raw_responses")
    ]
    connection.close()
    return dump + "\n".join(body.decode("latin-1") for body in bodies)


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The real ``trustwatch`` command in a subprocess (one Twisted reactor each)."""
    return subprocess.run(
        [sys.executable, "-m", "trustwatch.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


sys.path.insert(0, str(FIXTURES))
from builders import text_pdf  # noqa: E402,F401  (the PDF writer the fixture builders use)
