"""One call from fetched bytes to everything trustwatch derives from them.

Crawls, ``trustwatch reparse`` and ``trustwatch extract`` all go through
:func:`parse_document`, so a version parsed today and re-parsed after a rule change
differ only by what the parsers changed.
"""

from dataclasses import dataclass

from .formats import document_text
from .provisions import Provision, tag_provisions
from .sections import Section, section_spans


@dataclass(frozen=True)
class ParsedDocument:
    text: str
    sections: list[Section]
    provisions: list[Provision]

    def as_dict(self) -> dict:
        """The JSON shape of ``trustwatch extract`` (a public interface: keep it stable)."""
        return {
            "text": self.text,
            "sections": [
                {key: section.as_dict()[key] for key in ("number", "heading", "start", "end")}
                for section in self.sections
            ],
            "provisions": [provision.as_dict() for provision in self.provisions],
        }


def parse_document(
    body: bytes,
    media_type: str | None = None,
    filename: str | None = None,
    *,
    encoding: str | None = None,
    text_root: str | None = None,
) -> ParsedDocument:
    """Text, sections and provisions of a document's bytes (see :func:`document_text`)."""
    text = document_text(body, media_type, filename, encoding=encoding, text_root=text_root)
    sections = section_spans(text)
    return ParsedDocument(text, sections, tag_provisions(text, sections))
