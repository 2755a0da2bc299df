"""Record and replay HTTP responses as a folder a person can read and edit.

Scrapy's own cache storages keep pickles under fingerprint names; a recording that lives
in the repository as a test fixture and as the demo's sample data must instead be plain
files named after the URL, with a JSON note of status and headers beside each body::

    DIR/leginfo.legislature.ca.gov/faces/billTextClient.xhtml/bill_id=201720180SB54/GET.html
    DIR/leginfo.legislature.ca.gov/faces/billTextClient.xhtml/bill_id=201720180SB54/GET.meta.json
    DIR/.../bill_id=201720180SB54/POST-3b1f0c9a2e.html    (a form post, keyed by its fields)

It plugs into Scrapy's HttpCacheMiddleware as ``HTTPCACHE_STORAGE``, so replayed
responses go through the real downloader-middleware stack (redirects, retries, stats).
``TRUSTWATCH_RECORDING_MODE`` says ``record`` (always fetch, then write) or ``replay``
(serve only what is recorded; with ``HTTPCACHE_IGNORE_MISSING`` anything else is ignored).
"""

import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from scrapy import Request, Spider
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

# Form fields that change on every visit without changing what is asked for (JSF keeps
# its view state in the page): left out of a form post's key so a replay finds it.
VOLATILE_FORM_FIELDS = frozenset({"javax.faces.ViewState", "__VIEWSTATE", "__EVENTVALIDATION"})
_EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/json": ".json",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}
_MAX_QUERY_NAME = 120


def recording_stem(root: Path, method: str, url: str, body: bytes = b"") -> Path:
    """Where a request's recording lives: ``<stem>.<ext>`` and ``<stem>.meta.json``."""
    parts = urlsplit(url)
    host = parts.hostname or "unknown-host"
    if parts.port:
        host += f"_{parts.port}"
    segments = [_safe(segment) for segment in parts.path.split("/") if segment]
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    query_name = _safe(query) if query else "_"
    if len(query_name) > _MAX_QUERY_NAME:
        query_name = "q-" + hashlib.sha1(query.encode()).hexdigest()[:16]
    name = method.upper()
    if body:
        name += "-" + _form_key(body)
    return root.joinpath(host, *segments, query_name, name)


def _safe(text: str) -> str:
    return quote(text, safe="=&+-._,@~") or "_"


def _form_key(body: bytes) -> str:
    fields = [
        (key, value)
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        if key not in VOLATILE_FORM_FIELDS
    ]
    return hashlib.sha1(urlencode(sorted(fields)).encode("latin-1")).hexdigest()[:10]


def write_recording(
    root: Path,
    request_method: str,
    request_url: str,
    request_body: bytes,
    status: int,
    headers: dict[str, list[str]],
    body: bytes,
    response_url: str | None = None,
    recorded_at: str | None = None,
) -> Path:
    """Write one response to the recording folder and return the body's path.

    ``recorded_at`` defaults to now; a reconstructed recording passes a fixed value so
    that rebuilding it gives byte-identical files."""
    stem = recording_stem(root, request_method, request_url, request_body)
    stem.parent.mkdir(parents=True, exist_ok=True)
    media_type = _media_type(headers)
    body_path = stem.with_name(stem.name + _EXTENSIONS.get(media_type, ".bin"))
    body_path.write_bytes(body)
    meta = {
        "url": request_url,
        "response_url": response_url or request_url,
        "method": request_method.upper(),
        "request_body": request_body.decode("latin-1") if request_body else None,
        "status": status,
        "headers": headers,
        "body_file": body_path.name,
        "recorded_at": recorded_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    stem.with_name(stem.name + ".meta.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return body_path


def _media_type(headers: dict[str, list[str]]) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0].split(";")[0].strip().lower()
    return ""


class FolderStorage:
    """``HTTPCACHE_STORAGE`` over a recording folder (see the module docstring)."""

    def __init__(self, settings: BaseSettings):
        # Replay may read several recordings (os.pathsep-separated); record writes one.
        self.roots = [Path(p) for p in settings["TRUSTWATCH_RECORDING_DIR"].split(os.pathsep)]
        self.root = self.roots[0]
        self.mode = settings.get("TRUSTWATCH_RECORDING_MODE", "replay")
        if self.mode not in ("record", "replay"):
            raise ValueError(f"unknown recording mode {self.mode!r}")

    def open_spider(self, spider: Spider) -> None:
        if self.mode == "record":
            self.root.mkdir(parents=True, exist_ok=True)

    def close_spider(self, spider: Spider) -> None:
        pass

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        if self.mode == "record":
            return None
        for root in self.roots:
            stem = recording_stem(root, request.method, request.url, request.body)
            meta_path = stem.with_name(stem.name + ".meta.json")
            if meta_path.exists():
                break
        else:
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = (meta_path.parent / meta["body_file"]).read_bytes()
        headers = Headers(meta["headers"])
        url = meta.get("response_url") or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=meta["status"], headers=headers, body=body, request=request)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        if self.mode != "record":
            return
        headers = {
            key.decode("latin-1"): [value.decode("latin-1") for value in values]
            for key, values in response.headers.items()
        }
        write_recording(
            self.root,
            request.method,
            request.url,
            request.body,
            response.status,
            headers,
            response.body,
            response.url,
        )
