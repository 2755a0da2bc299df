"""Bill XML (GovInfo's bill DTD and USLM) → normalised text that numbers its sections.

The text reads as GPO prints the bill: block elements (sections, paragraphs...) start new
lines so the section parser sees their numbers at line starts; a bill section's bare
``<enum>2.</enum>`` is written "SEC. 2."; a heading stays on its number's line and ends
with a period ("SEC. 2. Short title."); and the body of a bill opens with the enacting
formula GPO prints before it (the XML leaves it to the printer), which is also what tells
the provision tagger where the title ends and the enacted text begins. Namespaces are
ignored.
"""

from lxml import etree

from .errors import NoTextError, ParseError
from .text import normalize_text

_BLOCKS = frozenset(
    "section subsection paragraph subparagraph clause subclause item subitem title subtitle "
    "chapter subchapter part division content chapeau continuation "
    "continuation-text p text quoted-block form official-title legis-body".split()
)
_HEADINGS = frozenset(("header", "heading"))
_ENACTING = {
    "bill": "Be it enacted by the Senate and House of Representatives of the United States "
    "of America in Congress assembled,",
    "resolution": "Resolved,",
}
_SKIP = frozenset("metadata dublinCore distribution-code calendar".split())


def xml_to_text(body: bytes) -> str:
    """Extract the text of an XML bill."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ParseError(f"cannot read the XML (truncated or malformed?): {error}") from error
    enacting = _ENACTING.get(_local(root.tag))
    if enacting and (b"enacted by the" in body or b"Resolved," in body):
        enacting = None  # the XML carries its own formula
    text = normalize_text("".join(_pieces(root, enacting)))
    if not text:
        raise NoTextError("the XML holds no text")
    return text


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _pieces(root, enacting: str | None):
    for event, element in etree.iterwalk(root, events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            if name in _SKIP:
                element.clear(keep_tail=True)
                continue
            if name == "legis-body" and enacting:
                yield f"\n\n{enacting}\n\n"
            if name in _HEADINGS:
                heading = " ".join("".join(element.itertext()).split())
                yield heading + ("" if heading.endswith((".", ":", "?")) else ".") + "\n\n"
                element.clear(keep_tail=True)
                continue
            if name in _BLOCKS:
                yield "\n\n"
            if name in ("enum", "num"):
                parent = _local(element.getparent().tag) if element.getparent() is not None else ""
                value = (element.text or "").strip()
                if parent == "section" and not value.upper().startswith("SEC"):
                    yield f"SEC. {value}" + ("" if value.endswith(".") else ".")
                else:
                    yield value
                yield " "
                continue
            if element.text:
                yield element.text
        else:
            if name in _BLOCKS:
                yield "\n\n"
            if element.tail and element is not root:
                yield element.tail
