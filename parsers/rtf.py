"""RTF → normalised text, with striprtf (BSD).

Legistar keeps two copies of a matter's text, ``MatterTextPlain`` and ``MatterTextRtf``;
some clients fill in only the RTF one. Stored as it comes, such a version would be text
full of control words (``\\par``, ``\\f0\\fs24``), its sections and provisions lost. RTF is
seven-bit: other characters are ``\\'hh`` escapes in the code page the header names
(``\\ansicpg``, Windows-1252 when absent) or ``\\uN`` Unicode escapes.
"""

import re

from striprtf.striprtf import rtf_to_text as _strip

from .errors import ParseError
from .text import normalize_text

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def rtf_to_text(body: bytes) -> str:
    """The text of an RTF document."""
    code_page = _CODE_PAGE.search(body[:2000])
    encoding = f"cp{code_page.group(1).decode()}" if code_page else "cp1252"
    try:
        return normalize_text(_strip(body.decode("utf-8", "replace"), encoding, "replace"))
    except (LookupError, ValueError, IndexError) as error:
        raise ParseError(f"the RTF could not be read: {error}") from error
