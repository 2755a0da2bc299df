"""The schema, as the history of changes that made it.

Every change is a new migration appended here, never an edit of an old one, so that a
database built by any earlier release is brought up to date by ``open_database``. The
number of applied migrations is the schema version (also kept in ``PRAGMA user_version``
so that a plain ``sqlite3`` shell can read it).
"""

import os
import sqlite3

from sqlite_utils import Database, Migrations

from .search import INDEXED, THROUGH, index_pending

migrations = Migrations("trustwatch")


@migrations()
def m001_initial(db: Database) -> None:
    db["jurisdictions"].create(
        {
            "id": str,
            "name": str,
            "level": str,
            "state_code": str,
            "fips": str,
            "latitude": float,
            "longitude": float,
        },
        pk="id",
    )
    db["documents"].create(
        {
            "id": str,
            "jurisdiction_id": str,
            "source": str,
            "session": str,
            "identifier": str,
            "title": str,
            "kind": str,
            "status": str,
            "source_url": str,
            "first_seen": str,
            "last_seen": str,
            "latest_version_id": int,
        },
        pk="id",
        foreign_keys=[("jurisdiction_id", "jurisdictions", "id")],
    )
    db["raw_responses"].create(
        {
            "sha256": str,
            "url": str,
            "status": int,
            "media_type": str,
            "encoding": str,
            "headers": str,
            "size": int,
            "compression": str,
            "body": bytes,
            "fetched_at": str,
        },
        pk="sha256",
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "arguments": str,
            "mode": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "items_seen": int,
            "versions_new": int,
            "versions_unchanged": int,
            "errors": int,
        },
        pk="id",
    )
    db["versions"].create(
        {
            "id": int,
            "document_id": str,
            "source_key": str,
            "label": str,
            "classification": str,
            "date": str,
            "sequence": int,
            "ordinal": int,
            "text": str,
            "text_sha256": str,
            "char_count": int,
            "raw_sha256": str,
            "source_url": str,
            "fetched_at": str,
            "last_seen": str,
            "crawl_run_id": int,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("raw_sha256", "raw_responses", "sha256"),
            ("crawl_run_id", "crawl_runs", "id"),
        ],
    )
    db["versions"].create_index(["document_id", "source_key", "text_sha256"], unique=True)
    db["versions"].create_index(["document_id", "ordinal"])
    db["versions"].create_index(["date"])
    db["sections"].create(
        {
            "id": int,
            "version_id": int,
            "ordinal": int,
            "number": str,
            "heading": str,
            "level": int,
            "parent": str,
            "start": int,
            "end": int,
            "text": str,
        },
        pk="id",
        foreign_keys=[("version_id", "versions", "id")],
    )
    db["sections"].create_index(["version_id", "ordinal"])
    db["crawl_errors"].create(
        {
            "id": int,
            "crawl_run_id": int,
            "url": str,
            "kind": str,
            "message": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("crawl_run_id", "crawl_runs", "id")],
    )
    db["crawl_errors"].create_index(["crawl_run_id"])
    db["documents"].create_index(["jurisdiction_id"])
    _enable_fts(db, "documents", ["identifier", "title"])
    _enable_fts(db, "versions", ["label", "text"])
    _enable_fts(db, "sections", ["number", "heading", "text"])


@migrations()
def m002_provisions(db: Database) -> None:
    db["provision_types"].create(
        {"type": str, "direction": str, "question": str, "taxonomy_version": str}, pk="type"
    )
    db["provisions"].create(
        {
            "id": int,
            "version_id": int,
            "ordinal": int,
            "type": str,
            "direction": str,
            "section": str,
            "start": int,
            "end": int,
            "text": str,
            "rule": str,
            "confidence": float,
        },
        pk="id",
        foreign_keys=[("version_id", "versions", "id"), ("type", "provision_types", "type")],
    )
    db["provisions"].create_index(["version_id", "ordinal"])
    db["provisions"].create_index(["type"])
    _enable_fts(db, "provisions", ["type", "section", "text"])
    # Re-parsing needs to know where the text sits in a stored HTML page.
    db["versions"].add_column("text_root", str)
    db.execute(
        "update versions set text_root = 'bill_all' where document_id in "
        "(select id from documents where source = 'california')"
    )


@migrations()
def m003_version_changes(db: Database) -> None:
    db["version_changes"].create(
        {
            "version_id": int,
            "previous_version_id": int,
            "document_id": str,
            "words_added": int,
            "words_removed": int,
            "sections_changed": int,
            "sections_added": int,
            "sections_removed": int,
            "sections_moved": int,
            "provisions_added": int,
            "provisions_removed": int,
            "provisions_changed": int,
            "summary": str,
            "changes": str,
            "computed_at": str,
        },
        pk="version_id",
        foreign_keys=[
            ("version_id", "versions", "id"),
            ("previous_version_id", "versions", "id"),
            ("document_id", "documents", "id"),
        ],
    )
    db["version_changes"].create_index(["document_id"])
    db["versions"].create_index(["fetched_at"])


@migrations()
def m004_search_in_bulk(db: Database) -> None:
    """Versions, sections and provisions are indexed for full-text search in bulk
    (:mod:`trustwatch.db.search`): the triggers index only the rows of versions up to
    ``search_progress.versions_through``, which starts at the last version stored."""
    (last,) = db.execute("select coalesce(max(id), 0) from versions").fetchone()
    db["search_progress"].insert({"id": 1, "versions_through": last}, pk="id")
    for table, key, columns in INDEXED:
        fts = f"{table}_fts"
        cols, new, old = (_listed(columns, prefix) for prefix in ("", "new.", "old."))
        db.executescript(
            f"""
            DROP TRIGGER [{table}_ai];
            DROP TRIGGER [{table}_ad];
            DROP TRIGGER [{table}_au];
            CREATE TRIGGER [{table}_ai] AFTER INSERT ON [{table}]
            WHEN new.[{key}] <= {THROUGH} BEGIN
              INSERT INTO [{fts}] (rowid, {cols}) VALUES (new.rowid, {new});
            END;
            CREATE TRIGGER [{table}_ad] AFTER DELETE ON [{table}]
            WHEN old.[{key}] <= {THROUGH} BEGIN
              INSERT INTO [{fts}] ([{fts}], rowid, {cols}) VALUES ('delete', old.rowid, {old});
            END;
            CREATE TRIGGER [{table}_au] AFTER UPDATE OF {cols}, [{key}] ON [{table}] BEGIN
              INSERT INTO [{fts}] ([{fts}], rowid, {cols})
                SELECT 'delete', old.rowid, {old} WHERE old.[{key}] <= {THROUGH};
              INSERT INTO [{fts}] (rowid, {cols})
                SELECT new.rowid, {new} WHERE new.[{key}] <= {THROUGH};
            END;
            """
        )


def _enable_fts(db: Database, table: str, columns: list[str]) -> None:
    """FTS5 over ``columns``, kept current by triggers that re-index a row only when one
    of those columns changes: a nightly re-crawl touches ``last_seen`` on thousands of
    unchanged versions and must not re-index megabytes of text for it."""
    db[table].enable_fts(columns, fts_version="FTS5", create_triggers=False)
    fts = f"{table}_fts"
    cols, new, old = (_listed(columns, prefix) for prefix in ("", "new.", "old."))
    db.executescript(
        f"""
        CREATE TRIGGER [{table}_ai] AFTER INSERT ON [{table}] BEGIN
          INSERT INTO [{fts}] (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        CREATE TRIGGER [{table}_ad] AFTER DELETE ON [{table}] BEGIN
          INSERT INTO [{fts}] ([{fts}], rowid, {cols}) VALUES ('delete', old.rowid, {old});
        END;
        CREATE TRIGGER [{table}_au] AFTER UPDATE OF {cols} ON [{table}] BEGIN
          INSERT INTO [{fts}] ([{fts}], rowid, {cols}) VALUES ('delete', old.rowid, {old});
          INSERT INTO [{fts}] (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        """
    )


def _listed(columns, prefix: str) -> str:
    """``columns`` as a trigger names them: "[text], [label]", "new.[text], new.[label]"."""
    return ", ".join(f"{prefix}[{column}]" for column in columns)


class DatabaseError(Exception):
    """The database cannot be opened or written: the message is fit to show a user."""


def open_database(path: str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at ``path`` with the schema up to date.

    WAL mode lets Datasette read while a crawl writes. A path that cannot be created or
    written raises :class:`DatabaseError` with a one-line reason.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(directory):
        raise DatabaseError(f"cannot open database {path}: folder {directory} does not exist")
    if os.path.exists(path) and not os.access(path, os.W_OK) and migrate:
        raise DatabaseError(f"cannot write database {path}: permission denied")
    if not os.path.exists(path) and not os.access(directory, os.W_OK):
        raise DatabaseError(f"cannot create database {path}: folder {directory} is not writable")
    try:
        db = Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            db.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL never corrupts the database; a power cut may lose the
            # last versions stored, which the next crawl stores again.
            db.execute("PRAGMA synchronous = NORMAL")
            migrations.apply(db)
            db.execute(f"PRAGMA user_version = {schema_version(db)}")
            index_pending(db)  # what a crawl that stopped short left out of search
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"cannot open database {path}: {error}") from error
    return db


def schema_version(db: Database) -> int:
    """The number of migrations applied to ``db``."""
    return len(migrations.applied(db))
