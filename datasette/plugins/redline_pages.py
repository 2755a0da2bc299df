"""Redline pages: /-/redline/<database>/<old>/<new> (and .json), and
/-/redline/<database>/<version> for a version against the one before it.

The comparison is computed from stored texts with the pure diff engine; nothing is
parsed here. Bill text is escaped by ``redline_fragment``; the page adds no script.
"""

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup
from sqlite_utils import Database

from datasette import hookimpl
from trustwatch.db.queries import previous_version_id, version_bundle
from trustwatch.parsers.changes import compare_versions
from trustwatch.parsers.redline_html import redline_fragment

PATH = r"^/-/redline/(?P<database>[^/]+)/(?P<old>\d+)(?:/(?P<new>\d+))?(?P<json>\.json)?$"


@hookimpl
def register_routes():
    return [(PATH, redline_page)]


async def redline_page(datasette, request):
    name = request.url_vars["database"]
    try:
        database = datasette.get_database(name)
    except KeyError as error:
        raise NotFound(f"no database {name}") from error
    old, new = int(request.url_vars["old"]), request.url_vars.get("new")

    def load(conn):
        db = Database(conn)
        if new is None:
            previous = previous_version_id(db, old)
            if previous is None:
                return None
            return version_bundle(db, previous), version_bundle(db, old)
        return version_bundle(db, old), version_bundle(db, int(new))

    try:
        pair = await database.execute_fn(load)
    except KeyError as error:
        raise NotFound(f"no version {error}") from error
    if pair is None:
        raise NotFound(f"version {old} is the first version of its document: nothing to compare")
    before, after = pair
    if before["document_id"] != after["document_id"]:
        raise NotFound("the two versions belong to different documents")
    as_json = bool(request.url_vars.get("json"))
    # The page shows the whole text's redline; only the JSON lists each section's ops.
    comparison = compare_versions(before, after, section_ops=as_json)
    if as_json:
        body = {"old": _about(before), "new": _about(after), **comparison}
        return Response.json(body, headers={"content-type": "application/json; charset=utf-8"})
    old_label, new_label = _label(before), _label(after)
    return Response.html(
        await datasette.render_template(
            "redline.html",
            {
                "database": name,
                "document_id": after["document_id"],
                "old": before,
                "new": after,
                "title": f"{after['document_id']}: {old_label} → {new_label}",
                "redline": Markup(redline_fragment(comparison, old_label, new_label)),
                "json_url": request.path + ".json",
            },
            request=request,
        )
    )


def _about(bundle: dict) -> dict:
    return {key: bundle[key] for key in ("id", "document_id", "label", "date")}


def _label(bundle: dict) -> str:
    return f"{bundle['label']} ({bundle['date']})"
