"""HTML pages → normalised plain text.

lxml directly rather than BeautifulSoup: bill pages run to megabytes and this is the hot
path of every crawl and re-parse (lxml ~10x faster than BeautifulSoup on a 1 MB page,
see ../shared/design.md). Block elements become paragraph breaks so that section markers
("SEC. 2.", "(a)") start lines, which the section parser relies on.
"""

from lxml import etree
from lxml import html as lxml_html

from .errors import NoTextError, ParseError
from .text import normalize_text

# Elements whose start and end break a paragraph.
_BLOCKS = frozenset(
    "address article aside blockquote caption center dd div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table "
    "tbody td tfoot th thead tr ul".split()
)
# Elements whose content is never document text.
_SKIP = frozenset("script style noscript template head title select option".split())


def html_to_text(body: bytes | str, encoding: str | None = None, root_id: str | None = None) -> str:
    """Extract the normalised text of an HTML page.

    ``encoding`` is what the HTTP headers or the page declared (Scrapy works it out);
    without it lxml sniffs the ``<meta charset>``. With ``root_id``, only the element
    with that id is read — the bill text of a page full of navigation — and its absence
    raises :class:`NoTextError`, as does a page with no text at all.
    """
    root = _parse(body, encoding)
    if root_id is not None:
        found = root.xpath("//*[@id=$id]", id=root_id)
        if not found:
            raise NoTextError(f"no bill text on the page (no element with id {root_id!r})")
        root = found[0]
    text = normalize_text("".join(_text_pieces(root)))
    if not text:
        raise NoTextError("the page holds no text")
    return text


def _parse(body: bytes | str, encoding: str | None) -> etree._Element:
    if isinstance(body, bytes) and not body.strip():
        raise NoTextError("the page is empty")
    parser = lxml_html.HTMLParser(encoding=encoding, remove_comments=True)
    try:
        if isinstance(body, str):
            return lxml_html.document_fromstring(body, parser=lxml_html.HTMLParser())
        return lxml_html.document_fromstring(body, parser=parser)
    except (etree.ParserError, LookupError, ValueError) as error:
        raise ParseError(f"cannot read the page as HTML: {error}") from error


def _text_pieces(root: etree._Element):
    """Yield the text of ``root`` in document order, with breaks around blocks."""
    # The tree is ours alone and thrown away after extraction, so strip in place.
    etree.strip_elements(root, *_SKIP, with_tail=False)
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS:
                yield "\n\n"
            elif tag == "br":
                yield "\n"
            if element.text and tag:
                yield element.text
        else:
            if tag in _BLOCKS:
                yield "\n\n"
            if element.tail and element is not root:
                yield element.tail
