"""The redline page in a real browser (headless Chromium, Debian's package, installed by
``make test``): insertions and deletions are visible, and a bill that contains <script>
shows it as text."""

import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

import pytest
from conftest import CALIFORNIA, REPO, real_text

from trustwatch.db.migrations import open_database
from trustwatch.db.store import (
    DocumentRecord,
    RawResponse,
    VersionRecord,
    store_version,
)
from trustwatch.parsers.document import parse_document
from trustwatch.spiders.pipelines import refresh_version_changes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
INSERT_BACKGROUND, DELETE_BACKGROUND = (0xDE, 0xF7, 0xEC), (0xFD, 0xE8, 0xE8)
# Bill text is untrusted: this version carries markup that must stay text.
HOSTILE = "<script>document.title='pwned'</script><b>bold?</b>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("browser") / "trustwatch.db")
    db = open_database(path)
    document = DocumentRecord(
        "chicago-2-173-030",
        CALIFORNIA,
        "test",
        "2021",
        "2-173-030",
        "Chicago 2-173-030",
        "code",
        "current",
        "u",
    )
    original = real_text("chicago-mc-2-173-030-current.txt")
    amended = original.replace("shall enter into or renew", "shall renew") + "\n" + HOSTILE
    for sequence, text in enumerate((original, amended), start=1):
        parsed = parse_document(text.encode(), filename="x.txt")
        store_version(
            db,
            document,
            VersionRecord(
                str(sequence),
                f"v{sequence}",
                "amendment",
                f"2021-0{sequence}-01",
                sequence,
                parsed.text,
                [s.as_dict() for s in parsed.sections],
                "u",
            ),
            RawResponse("u", 200, text.encode(), "text/plain"),
            crawl_run_id=None,
            now="t",
        )
    refresh_version_changes(db)
    db.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "trustwatch.cli", "serve", "--db", path, "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def chromium(*args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp()
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_the_browser_shows_bill_markup_as_text(server):
    dom = chromium("--dump-dom", f"{server}/-/redline/trustwatch/1/2").stdout
    assert "<ins>" in dom and "<del>" in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "<script>document.title" not in dom and "pwned</title>" not in dom
    assert "<b>bold?</b>" not in dom


def test_insertions_and_deletions_are_visible(server, tmp_path):
    shot = tmp_path / "redline.png"
    chromium(
        f"--screenshot={shot}", "--window-size=1200,1600", f"{server}/-/redline/trustwatch/1/2"
    )
    colours = set(png_pixels(shot.read_bytes()))
    assert INSERT_BACKGROUND in colours and DELETE_BACKGROUND in colours


def png_pixels(data: bytes):
    """The RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * channels
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + best) & 255
        previous = line
        for i in range(0, stride, channels):
            yield tuple(line[i : i + 3])
