"""Data flows one way: spiders → parsers → db → datasette. Checked on the imports."""

import ast

import pytest
from conftest import REPO

# What each stage may import of trustwatch.
ALLOWED = {
    "parsers": set(),
    "db": set(),
    "spiders": {"parsers", "db", "spiders"},
    "cli": {"parsers", "db", "spiders", "cli"},
}


def trustwatch_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            yield path.parent.name
        names = [node.module] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name and name.startswith("trustwatch."):
                yield name.split(".")[1]


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_stage_imports_only_what_comes_before_it(stage):
    for path in (REPO / stage).rglob("*.py"):
        for imported in trustwatch_imports(path):
            if imported != stage:
                assert imported in ALLOWED[stage], f"{path} imports trustwatch.{imported}"


def test_only_db_uses_sqlite_utils():
    for stage in ("parsers", "spiders", "cli"):
        for path in (REPO / stage).rglob("*.py"):
            assert "sqlite_utils" not in path.read_text(encoding="utf-8"), path


# Plugins read the database and may compare stored texts (a pure diff); they never parse.
PLUGIN_PARSERS = {"trustwatch.parsers.changes", "trustwatch.parsers.redline_html"}


def test_plugins_do_not_parse():
    for path in (REPO / "datasette" / "plugins").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in modules if m and m.startswith("trustwatch.parsers")} - PLUGIN_PARSERS
        assert not {m for m in modules if m and m.startswith("trustwatch.spiders")}


def test_no_trustwatch_folder_shadows_the_package():
    assert not (REPO / "trustwatch").exists()
