"""Show search snippets with their matches highlighted, and nothing else as markup.

The canned searches mark matches with <mark>…</mark>. Bill text is untrusted, so the
whole snippet is escaped first and only those exact markers are turned back into tags:
nothing a bill says can inject markup into the page.
"""

from markupsafe import Markup, escape

from datasette import hookimpl

_OPEN, _CLOSE = str(escape("<mark>")), str(escape("</mark>"))


@hookimpl
def render_cell(value, column):
    if column != "snippet" or not isinstance(value, str):
        return None
    escaped = str(escape(value))
    return Markup(escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))
