"""The Datasette instance that publishes a database with the ``datasette/`` configuration.

The configuration directory is data (metadata.yml, settings.json, plugins, templates),
found next to the code in a checkout, in the working directory, or where
``TRUSTWATCH_DATASETTE_DIR`` points. Its metadata describes a database named
``trustwatch``; a database file with another name gets the same descriptions, and the
links its canned queries build name it.
"""

import os
from pathlib import Path

import yaml

from trustwatch.db.migrations import DatabaseError, open_database

METADATA_DATABASE = "trustwatch"


class PublishError(Exception):
    """Datasette cannot be set up: a one-line reason."""


def config_dir() -> Path:
    """The Datasette configuration directory to use."""
    candidates = [
        os.environ.get("TRUSTWATCH_DATASETTE_DIR"),
        Path.cwd() / "datasette",
        Path(__file__).resolve().parent.parent / "datasette",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "metadata.yml").exists():
            return Path(candidate).resolve()
    raise PublishError(
        "no Datasette configuration found: run from a trustwatch checkout or set "
        "TRUSTWATCH_DATASETTE_DIR to its datasette/ folder"
    )


def datasette_app(db_path: str):
    """A configured ``Datasette`` over the database at ``db_path``.

    A database this user may write is opened first as every command opens it: brought
    up to date, and its full-text index given the versions a crawl that stopped short
    left out of it (``trustwatch.db.search``). A read-only copy is served as it is."""
    from datasette.app import Datasette

    if not Path(db_path).exists():
        raise PublishError(f"database {db_path} does not exist: run 'trustwatch crawl' first")
    if os.access(db_path, os.W_OK):
        try:
            open_database(db_path).close()
        except DatabaseError as error:
            raise PublishError(str(error)) from error
    directory = config_dir()
    metadata = yaml.safe_load((directory / "metadata.yml").read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata.get("databases", {})
    if METADATA_DATABASE in databases and name != METADATA_DATABASE:
        databases[name] = databases.pop(METADATA_DATABASE)
        # Links that canned queries build name the database ("/-/redline/trustwatch/12").
        for query in databases[name].get("queries", {}).values():
            query["sql"] = query["sql"].replace(f"/{METADATA_DATABASE}/", f"/{name}/")
    return Datasette([db_path], metadata=metadata, config_dir=directory)
