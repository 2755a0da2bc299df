"""Read queries shared by the command line and the Datasette plugins.

They take a sqlite-utils ``Database`` or, where they use only ``execute``, a plain
``sqlite3`` connection (see :mod:`.reading`); importing this module does not import
sqlite-utils, so a command that only reads starts faster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

    from sqlite_utils import Database

TABLES = (
    "jurisdictions",
    "documents",
    "versions",
    "sections",
    "raw_responses",
    "crawl_runs",
    "crawl_errors",
)


def database_status(db: Database, recent: int = 5) -> dict:
    """Row counts, schema version and the most recent crawl runs."""
    from .migrations import schema_version

    return {
        "schema_version": schema_version(db),
        "counts": {table: db[table].count for table in TABLES},
        "recent_crawls": list(
            db.query(
                "select id, spider, started_at, finished_at, status, items_seen, "
                "versions_new, versions_unchanged, errors from crawl_runs "
                "order by id desc limit ?",
                [recent],
            )
        ),
    }


def versions_for_reparse(db: Database) -> tuple[int, Iterator[dict]]:
    """How many versions there are, and each with the raw bytes it was parsed from.

    Bodies are read one at a time, so a large database is not loaded into memory."""
    from .store import raw_body

    ids = [row[0] for row in db.execute("select id from versions order by id")]

    def rows() -> Iterator[dict]:
        for version_id in ids:
            row = next(
                db.query(
                    "select v.id as version_id, v.text_root, r.sha256, r.media_type, "
                    "r.encoding from versions v join raw_responses r on r.sha256 = v.raw_sha256 "
                    "where v.id = ?",
                    [version_id],
                )
            )
            row["body"] = raw_body(db, row.pop("sha256"))
            yield row

    return len(ids), rows()


def version_bundle(db: Database | sqlite3.Connection, version_id: int) -> dict:
    """A stored version as the diff needs it: text, sections and provisions as dicts.
    Raises ``KeyError`` when there is no such version."""
    rows = _dicts(
        db, "select document_id, label, date, text from versions where id = ?", version_id
    )
    if not rows:
        raise KeyError(version_id)
    return {
        "id": version_id,
        **rows[0],
        "sections": _dicts(
            db,
            "select number, heading, start, end, level, parent from sections "
            "where version_id = ? order by ordinal",
            version_id,
        ),
        "provisions": _dicts(
            db,
            "select type, direction, section, text, start, end, rule, confidence "
            "from provisions where version_id = ? order by ordinal",
            version_id,
        ),
    }


def _dicts(db: Database | sqlite3.Connection, sql: str, *parameters) -> list[dict]:
    """Rows as dicts, read with a plain cursor: ``Database.query`` wraps each read in a
    savepoint, which costs more than these indexed lookups (the crawl makes one per
    version stored). A row has a value per column, so zip need not check (that check
    and iterating the cursor row by row were a third of reading a version's sections)."""
    cursor = db.execute(sql, parameters)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=False)) for row in cursor.fetchall()]


def stale_version_changes(db: Database, document_id: str | None = None) -> list[tuple[int, int]]:
    """(version, previous version) pairs whose stored change summary is missing or was
    computed against another predecessor (an older version can arrive later)."""
    where = "where v.document_id = ?" if document_id else ""
    rows = db.execute(
        f"""
        select v.id, previous.id, changes.previous_version_id
        from versions v
        join versions previous
          on previous.document_id = v.document_id and previous.ordinal = v.ordinal - 1
        left join version_changes changes on changes.version_id = v.id
        {where}
        order by v.document_id, v.ordinal
        """,
        [document_id] if document_id else [],
    ).fetchall()
    return [(version, previous) for version, previous, stored in rows if stored != previous]


def previous_version_id(db: Database, version_id: int) -> int | None:
    """The version before this one in its document's order, if any."""
    row = db.execute(
        "select previous.id from versions v join versions previous "
        "on previous.document_id = v.document_id and previous.ordinal = v.ordinal - 1 "
        "where v.id = ?",
        [version_id],
    ).fetchone()
    return row[0] if row else None
