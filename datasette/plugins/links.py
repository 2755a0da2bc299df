"""Make ids in canned-query results into links a researcher can follow.

Datasette links foreign keys on table pages but not in canned queries: here a
``version_id`` or ``provision_id`` cell links to its row, a ``redline`` cell ("3/4") to
the redline of those two versions, and a cell of the provision matrix (a provisions row
id) reads "yes" and links to the evidence passage.
"""

from markupsafe import Markup, escape

from datasette import hookimpl

ROW_COLUMNS = {"version_id": "versions", "provision_id": "provisions"}
MATRIX_LABELS = {"jurisdiction_id", "jurisdiction", "level", "enacted_texts"}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "redline" and isinstance(value, str) and value:
        href = datasette.urls.path(f"/-/redline/{database}/{value}")
        return Markup(f'<a href="{escape(href)}">redline</a>')
    if table is not None or not isinstance(value, int):
        return None
    if column in ROW_COLUMNS:
        return _link(datasette, database, ROW_COLUMNS[column], value, str(value))
    # The matrix is the query whose rows count enacted texts per jurisdiction.
    if "enacted_texts" in row.keys() and column not in MATRIX_LABELS:
        return _link(datasette, database, "provisions", value, "yes")
    return None


def _link(datasette, database: str, table: str, row_id: int, label: str) -> Markup:
    href = datasette.urls.row(database, table, row_id)
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')
