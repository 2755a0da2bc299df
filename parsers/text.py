"""Normalised plain text: the one form of a version that is hashed, searched and diffed.

Normalising must be stable (the same input always gives the same text) and idempotent
(normalising normalised text changes nothing): the text's sha256 decides whether a
re-crawled page is a new version, so any wobble here would invent versions.
"""

import re
import unicodedata

# Spaces that HTML and PDF extraction leave behind; all become a plain space.
_SPACES = re.compile(r"[\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Characters with no visible width: dropped.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Return ``text`` in trustwatch's canonical form.

    Unicode NFC; ``\\r\\n`` and ``\\r`` become ``\\n``; every kind of space and tab
    becomes one space; control and zero-width characters go; each line is stripped;
    paragraphs are separated by exactly one blank line; no leading or trailing space.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Each regular expression scans the whole text, so it runs only when a cheap test
    # says it has something to do: most pages have no tab, zero-width or control
    # character, and str.isascii() is instant.
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    if not text.isascii() or "\t" in text or "\x0b" in text or "\x0c" in text:
        text = _SPACES.sub(" ", text)
    while "  " in text:  # each pass halves every run of spaces
        text = text.replace("  ", " ")
    text = "\n".join(line.strip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
