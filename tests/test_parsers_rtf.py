"""RTF texts (Legistar's MatterTextRtf) read as the same text as their plain copy."""

import pytest
from conftest import real_text

from trustwatch.parsers.document import parse_document
from trustwatch.parsers.errors import ParseError
from trustwatch.parsers.formats import document_text

# Legistar's exports start like this: a font table, then plain paragraphs.
HEADER = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Times New Roman;}}"
    r"{\*\generator Riched20 10.0.19041}\viewkind4\uc1\pard\f0\fs24 "
)


def as_rtf(text: str) -> bytes:
    """A real text as an RTF document: specials escaped, other characters as \\'hh in
    Windows-1252 or \\uN when it has none, paragraphs as \\par."""
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\par\n")
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append(f"\\'{char.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                out.append(f"\\u{ord(char)}?")
    return (HEADER + "".join(out) + "\\par\n}").encode("ascii")


@pytest.mark.parametrize("name", ["chicago-mc-2-173-030-current.txt", "ca-sb54-2017-chaptered.txt"])
def test_an_rtf_copy_parses_like_the_plain_text(name):
    plain = real_text(name).encode("utf-8")
    rtf = as_rtf(real_text(name))
    assert b"\\par" in rtf and (b"\\'" in rtf or b"\\u" in rtf)
    from_rtf = parse_document(rtf, "application/rtf")
    from_plain = parse_document(plain, "text/plain")
    assert from_rtf.text == from_plain.text
    assert from_rtf.provisions == from_plain.provisions
    assert "\\par" not in from_rtf.text and "fonttbl" not in from_rtf.text


def test_rtf_is_recognised_by_name_and_by_its_first_bytes():
    rtf = as_rtf("7284.6. (a) California law enforcement agencies shall not:")
    expected = "7284.6. (a) California law enforcement agencies shall not:"
    assert document_text(rtf, filename="matter.rtf") == expected
    assert document_text(rtf, "application/octet-stream") == expected


def test_a_truncated_rtf_keeps_its_text():
    rtf = as_rtf(real_text("chicago-mc-2-173-030-current.txt"))
    cut = rtf[: len(rtf) // 2]
    text = document_text(cut, "application/rtf")
    assert text and "\\" not in text


def test_rtf_without_text_is_refused():
    with pytest.raises(ParseError):
        document_text(HEADER.encode() + b"\\par}", "application/rtf")
