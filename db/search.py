"""The full-text index of versions, sections and provisions, written in bulk.

FTS5 writes a new segment of its index at the end of every statement that changes it,
and merges segments as they pile up. Storing the crawl benchmark's 2,080 small bill
versions (21,000 sections) took 2.6-3.2 s with every row indexed from a trigger, 0.7 s
with no index; indexing the same rows after, one ``INSERT ... SELECT`` a table, 0.2 s.
So a new version's rows are indexed later, in bulk, by :func:`index_pending`: the crawl
calls it every few hundred versions and when it ends, and ``open_database`` calls it, so
a crawl that crashed is caught up by the next command that opens the database.

``search_progress.versions_through`` is the boundary: the rows of versions up to that id
are in the index, the rows of later versions are not. The triggers (migration
``m004_search_in_bulk``) keep the indexed rows current on update and delete and leave the
others to :func:`index_pending`, so any writer, not only trustwatch's, keeps the index
exact.
"""

from sqlite_utils import Database

# Table, the column naming the version a row belongs to, the indexed columns.
INDEXED = (
    ("versions", "id", ("label", "text")),
    ("sections", "version_id", ("number", "heading", "text")),
    ("provisions", "version_id", ("type", "section", "text")),
)
THROUGH = "(select versions_through from search_progress)"


def index_pending(db: Database) -> int:
    """Index the rows of every version stored since the last call; returns how many
    versions were indexed. Runs in its own write transaction."""
    if db.conn.in_transaction:
        raise RuntimeError("index_pending runs in its own transaction")
    if not _waiting(db):  # the usual case: no write lock taken, no wait for a crawl's
        return 0
    db.execute("begin immediate")  # no version can be stored between reading and moving on
    try:
        (through,) = db.execute(f"select {THROUGH}").fetchone()
        (last,) = db.execute("select max(id) from versions").fetchone()
        indexed = 0
        if last is not None and last > through:
            for table, key, columns in INDEXED:
                listed = ", ".join(f"[{column}]" for column in columns)
                cursor = db.execute(
                    f"insert into [{table}_fts] (rowid, {listed}) "
                    f"select rowid, {listed} from [{table}] where [{key}] > ? and [{key}] <= ?",
                    [through, last],
                )
                indexed = indexed or cursor.rowcount
            db.execute("update search_progress set versions_through = ?", [last])
        db.execute("commit")
    except BaseException:
        db.execute("rollback")
        raise
    return indexed


def _waiting(db: Database) -> bool:
    """Whether any stored version is not yet in the index."""
    (waiting,) = db.execute(
        f"select exists (select 1 from versions where id > {THROUGH})"
    ).fetchone()
    return bool(waiting)
