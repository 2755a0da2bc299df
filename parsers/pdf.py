"""PDF → normalised text, with pypdf (BSD; PyMuPDF is AGPL).

Only PDFs with a text layer have text: a scanned PDF is pictures of pages, and is
reported as such (:class:`NoTextError` saying it needs OCR) rather than stored as an
empty version. A truncated or damaged file is a :class:`ParseError`.
"""

import io
import logging

from .errors import NoTextError, ParseError
from .text import normalize_text

# pypdf logs recoverable damage as warnings; the caller decides what is fatal.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_to_text(body: bytes) -> str:
    """Extract the text layer of every page, pages separated by a blank line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not body.startswith(b"%PDF-"):
        raise ParseError("not a PDF file (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            raise ParseError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ParseError(f"cannot read the PDF (truncated or damaged?): {error}") from error
    text = normalize_text("\n\n".join(pages))
    if not text:
        raise NoTextError(
            f"the PDF has no text layer ({len(pages)} pages): a scanned document needs OCR"
        )
    return text
