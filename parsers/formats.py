"""Any file of a law → normalised text: the dispatch that crawls, re-parsing and
``trustwatch extract`` share.

The format is decided from the media type when a server sent one, else from the file
name, else from the bytes themselves. Text that is not text (binary garbage, a file cut
in the middle of a multi-byte character run) is refused with a :class:`ParseError`
rather than stored as noise.
"""

import re

from .errors import NoTextError, ParseError
from .text import normalize_text

_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<div|<p[\s>])", re.IGNORECASE)
# Runs of ordinary characters (runs, not single ones: counting them is then cheap).
_PLAIN = re.compile(r"[\w\s.,;:!?'\"“”‘’()\[\]§§/\-–—&%$#*+=<>|~`^@{}\\]+")


def document_text(
    body: bytes,
    media_type: str | None = None,
    filename: str | None = None,
    *,
    encoding: str | None = None,
    text_root: str | None = None,
) -> str:
    """Return the normalised text of a document's bytes: HTML, XML, PDF, RTF or text.

    ``encoding`` is what the server declared; ``text_root`` the id of the element holding
    the text on an HTML page (see :func:`html_to_text`).
    """
    if not body.strip():
        raise NoTextError("the file is empty")
    kind = _kind(body, media_type, filename)
    # Each format's reader is imported when a file of that format comes: lxml alone took
    # a tenth of the start-up of ``trustwatch diff`` on two text files.
    if kind == "html":
        from .html import html_to_text

        return _checked(html_to_text(body, encoding, text_root))
    if kind == "xml":
        from .xml import xml_to_text

        return _checked(xml_to_text(body))
    if kind == "pdf":
        from .pdf import pdf_to_text

        return _checked(pdf_to_text(body))
    if kind == "rtf":
        from .rtf import rtf_to_text

        return _checked(rtf_to_text(body))
    return _checked(normalize_text(_decode(body)))


def _kind(body: bytes, media_type: str | None, filename: str | None) -> str:
    media_type = (media_type or "").lower()
    name = (filename or "").lower()
    if "html" in media_type or name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if "pdf" in media_type or name.endswith(".pdf") or body.startswith(b"%PDF-"):
        return "pdf"
    if "xml" in media_type or name.endswith(".xml"):
        return "xml"
    if "rtf" in media_type or name.endswith(".rtf") or body.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    if media_type.startswith("text/") or name.endswith((".txt", ".md", ".text")):
        return "text"
    if _HTML_START.match(body[:1024]):
        return "html"
    if body.lstrip()[:5] == b"<?xml":
        return "xml"
    return "text"


def _decode(body: bytes) -> str:
    if b"\x00" in body[:65536]:
        raise ParseError("the file is binary, not text (it contains NUL bytes)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _checked(text: str) -> str:
    """Refuse text that is mostly not words: binary garbage decoded as a code page."""
    if not text:
        raise NoTextError("the file holds no text")
    sample = text[:20000]
    plain = sum(map(len, _PLAIN.findall(sample)))
    if plain / len(sample) < 0.9:
        raise ParseError(
            f"the file does not look like text ({plain / len(sample):.0%} ordinary characters)"
        )
    return text
