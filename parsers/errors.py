"""Errors a parser raises for input it cannot turn into a document.

They are ``ValueError`` subclasses with a message fit to show a user as is: the CLI and
the crawl pipeline print them as one line and record them, never as a traceback.
"""


class ParseError(ValueError):
    """The input cannot be read as a document of the expected kind."""


class NoTextError(ParseError):
    """The input was read, but it holds no document text."""
