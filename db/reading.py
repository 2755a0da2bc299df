"""Opening the database only to read it, without the machinery for writing it.

``trustwatch diff 3 4`` reads two versions and nothing else. Opening the database the
usual way (:func:`~trustwatch.db.migrations.open_database`) imports sqlite-utils, and
with it dateutil and pluggy, applies pending migrations and catches up the search index:
for two 1 MB versions that was a quarter of the command's time. When the schema is current
a read-only ``sqlite3`` connection serves the read queries just as well.
"""

import sqlite3
from pathlib import Path

# The number of migrations in :mod:`.migrations`, which ``open_database`` writes to
# ``PRAGMA user_version`` (tests/test_db_store.py holds the two equal).
SCHEMA_VERSION = 4


def open_to_read(path: str) -> sqlite3.Connection | None:
    """A read-only connection to the database at ``path`` when its schema is current;
    ``None`` when it must be opened with ``open_database`` (missing, older, or not a
    database: that reports the error)."""
    if not Path(path).is_file():
        return None
    try:
        connection = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    except sqlite3.Error:
        current = False
    if current:
        return connection
    connection.close()
    return None
