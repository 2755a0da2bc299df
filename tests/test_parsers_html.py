import pytest

from trustwatch.parsers.errors import NoTextError, ParseError
from trustwatch.parsers.formats import document_text
from trustwatch.parsers.html import html_to_text

PAGE = """<!DOCTYPE html><html><head><title>Bill Text</title>
<script>var nav = "SEC. 9. not bill text";</script><style>p {color: red}</style></head>
<body><div id="nav">Home | Bill Search</div>
<div id="bill_all"><p>SEC. 2.&nbsp;Section 7282.5 of the Government Code is amended to read:</p>
<p>7282.5.<br>(a) A law enforcement official shall have discretion to cooperate<!-- c --></p>
<select><option>10/05/17 - Chaptered</option></select></div></body></html>"""


def test_reads_only_the_bill_text_element():
    text = html_to_text(PAGE.encode("utf-8"), "utf-8", "bill_all")
    assert text == (
        "SEC. 2. Section 7282.5 of the Government Code is amended to read:\n\n"
        "7282.5.\n(a) A law enforcement official shall have discretion to cooperate"
    )


def test_the_same_bytes_always_give_the_same_text():
    body = PAGE.encode("utf-8")
    assert len({html_to_text(body, "utf-8", "bill_all") for _ in range(3)}) == 1


def test_a_page_without_the_bill_text_element_is_refused():
    with pytest.raises(NoTextError, match="no bill text on the page"):
        html_to_text(b"<html><body><p>Session expired</p></body></html>", "utf-8", "bill_all")


def test_an_empty_page_is_refused():
    with pytest.raises(NoTextError):
        html_to_text(b"  \n", "utf-8")
    with pytest.raises(NoTextError):
        html_to_text(b"<html><body><div id='bill_all'> </div></body></html>", "utf-8", "bill_all")


def test_declared_encoding_is_honoured():
    body = "<p>Assembly Member P\u00e9rez \u2014 De Le\u00f3n</p>".encode("cp1252")
    assert html_to_text(body, "cp1252") == "Assembly Member P\u00e9rez \u2014 De Le\u00f3n"


def test_malformed_markup_still_yields_its_text():
    body = b"<div id='bill_all'><p>SECTION 1. <b>The Legislature<p>finds</div></td></html"
    assert html_to_text(body, "utf-8", "bill_all") == "SECTION 1. The Legislature\n\nfinds"


def test_plain_text_files_are_decoded_and_normalised():
    assert document_text("SEC. 1.\u00a0Text\r\n".encode(), filename="a.txt") == "SEC. 1. Text"
    assert document_text("Le\u00f3n".encode("cp1252"), filename="a.txt") == "Le\u00f3n"


def test_binary_garbage_is_refused():
    garbage = bytes(range(128, 256)) * 40
    with pytest.raises(ParseError, match="does not look like text"):
        document_text(garbage, filename="law.txt")
    with pytest.raises(ParseError, match="binary"):
        document_text(b"\x00\x01PK\x03\x04" * 100, filename="law.txt")
