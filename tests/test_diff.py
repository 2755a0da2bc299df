"""The diff service end to end: the command line on real files and stored versions,
change summaries stored by the crawl, and the redline pages in Datasette."""

import asyncio
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import CALIFORNIA, REPO, TEXTS, run_cli

from trustwatch.cli.main import cli
from trustwatch.cli.publish import datasette_app
from trustwatch.db.migrations import open_database
from trustwatch.db.store import (
    DocumentRecord,
    RawResponse,
    VersionRecord,
    store_version,
)
from trustwatch.parsers.document import parse_document
from trustwatch.spiders.pipelines import refresh_version_changes


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="trustwatch")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("demo") / "trustwatch.db")
    result = run_cli("demo", "--no-serve", "--db", path, "-q")
    assert result.returncode == 0, result.stderr
    return path


def test_diff_two_real_files_as_json_reconstructs_both():
    old, new = (
        TEXTS / "ca-ab4-2013-introduced-20121203.partial.txt",
        TEXTS / ("ca-ab4-2013-amended-sen-20130614.partial.htm.txt"),
    )
    result = invoke("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"ops", "sections", "provisions", "stats"}
    parsed_old = parse_document(old.read_bytes(), filename=old.name).text
    parsed_new = parse_document(new.read_bytes(), filename=new.name).text
    assert "".join(t for op, t in data["ops"] if op != "insert") == parsed_old
    assert "".join(t for op, t in data["ops"] if op != "delete") == parsed_new
    inserted = " ".join(t for op, t in data["ops"] if op == "insert")
    assert "immigration detainer or suspected or actual immigration status" in inserted
    assert data["stats"]["words_added"] > 0


def test_diff_text_output_marks_words_like_git(tmp_path):
    old = TEXTS / "ca-ab4-2013-introduced-20121203.partial.txt"
    new = TEXTS / "ca-ab4-2013-amended-sen-20130614.partial.htm.txt"
    output = invoke("diff", str(old), str(new)).output
    assert "AB 4, as [-introduced-]{+amended+}, Ammiano." in output
    assert "Key provisions:" in output


def test_diff_stored_versions_and_the_stored_summary_agree(demo_db):
    db = open_database(demo_db)
    chaptered = next(db.query("select id from versions where source_key like '%SB54%CHP'"))["id"]
    row = db["version_changes"].get(chaptered)
    result = invoke(
        "diff", str(row["previous_version_id"]), str(chaptered), "--db", demo_db, "--format", "json"
    )
    data = json.loads(result.output)
    assert data["provisions"]["summary"] == row["summary"]
    assert "detainer_limit added in 7284.6(a)(1)(B)" in row["summary"]
    assert (data["stats"]["words_added"], data["stats"]["words_removed"]) == (
        row["words_added"],
        row["words_removed"],
    )


def test_every_version_after_the_first_has_a_change_summary(demo_db):
    db = open_database(demo_db)
    assert db["version_changes"].count == db["versions"].count - db["documents"].count
    again = run_cli("demo", "--no-serve", "--db", demo_db, "-q")
    assert again.returncode == 0 and db["version_changes"].count == 10


def test_a_version_arriving_late_is_compared_with_the_right_neighbours(tmp_path):
    db = open_database(str(tmp_path / "t.db"))
    document = DocumentRecord("d", CALIFORNIA, "test", "2013-2014", "AB 4", "t", "bill", "x", "u")
    names = {
        "2012-12-03": "ca-ab4-2013-introduced-20121203.partial.txt",
        "2013-06-14": "ca-ab4-2013-amended-sen-20130614.partial.htm.txt",
    }
    ids = {}
    for date in ("2013-06-14", "2012-12-03"):  # the older version is fetched second
        body = (TEXTS / names[date]).read_bytes()
        parsed = parse_document(body, filename="x.txt")
        ids[date] = store_version(
            db,
            document,
            VersionRecord(
                date,
                date,
                "amendment",
                date,
                1,
                parsed.text,
                [s.as_dict() for s in parsed.sections],
                "u",
            ),
            RawResponse("u", 200, body, "text/plain"),
            crawl_run_id=None,
            now="t",
        ).version_id
        refresh_version_changes(db, "d")
    (row,) = db["version_changes"].rows
    assert (row["version_id"], row["previous_version_id"]) == (ids["2013-06-14"], ids["2012-12-03"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["nothing-here", "1"], "neither a file nor a version id"),
        (["998", "999"], "no version 998"),
    ],
)
def test_diff_bad_arguments_exit_2(demo_db, args, message):
    result = invoke("diff", *args, "--db", demo_db)
    assert result.exit_code == 2 and message in result.output


def test_diff_by_ids_in_a_database_that_is_not_one_exits_2(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not sqlite")
    result = invoke("diff", "1", "2", "--db", str(notes))
    assert result.exit_code == 2 and "cannot open database" in result.output


def test_diff_by_ids_brings_an_older_schema_up_to_date_first(demo_db, tmp_path):
    # The read-only path takes only a current schema; any other is migrated as before.
    older = tmp_path / "older.db"
    shutil.copy(demo_db, older)
    sqlite3.connect(older).execute("pragma user_version = 3").connection.close()
    result = invoke("diff", "1", "2", "--db", str(older), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ops"]
    assert sqlite3.connect(older).execute("pragma user_version").fetchone() == (4,)


def loaded_by_diff(*args: str) -> list[str]:
    """Which of the slow-to-load modules ``trustwatch diff ARGS`` imported."""
    slow = (
        "scrapy",
        "datasette",
        "twisted",
        "lxml",
        "sqlite_utils",
        "trustwatch.parsers.provisions",
    )
    code = (
        "import json, sys; from trustwatch.cli.main import cli\n"
        f"try: cli(['diff', *{list(args)!r}])\n"
        "except SystemExit: pass\n"
        f"print(json.dumps(sorted(m for m in {slow!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    return json.loads(result.stdout.splitlines()[-1])


def test_diff_command_does_not_load_the_crawler_or_datasette(demo_db):
    # Nor, for two text files, the readers of other formats (lxml is slow to load); and
    # for two stored versions, whose provisions are stored, not the tagger, nor (the
    # schema being current) sqlite-utils.
    old = str(TEXTS / "ca-ab4-2013-introduced-20121203.partial.txt")
    assert loaded_by_diff(old, old, "--format", "json") == ["trustwatch.parsers.provisions"]
    assert loaded_by_diff("1", "2", "--db", demo_db, "--format", "json") == []


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_redline_page_and_its_json_twin(demo_db):
    ds = datasette_app(demo_db)
    db = open_database(demo_db)
    row = next(db["version_changes"].rows_where("words_added > 0", limit=1))
    old, new = row["previous_version_id"], row["version_id"]
    page = get(ds, f"/-/redline/trustwatch/{old}/{new}")
    assert page.status_code == 200 and "<ins>" in page.text and "<del>" in page.text
    data = get(ds, f"/-/redline/trustwatch/{old}/{new}.json").json()
    assert data["old"]["id"] == old and data["new"]["id"] == new
    assert data["stats"]["words_added"] == row["words_added"]
    previous = get(ds, f"/-/redline/trustwatch/{new}.json").json()
    assert previous["old"]["id"] == old
    assert "What changed from the previous version" in get(ds, f"/trustwatch/versions/{new}").text
    assert get(ds, "/-/redline/trustwatch/99999").status_code == 404


def test_document_versions_and_recent_changes(demo_db):
    ds = datasette_app(demo_db)
    rows = get(ds, "/trustwatch/document_versions.json?document_id=ca-2017-2018-sb54&_shape=array")
    rows = rows.json()
    assert [r["redline"] is None for r in rows] == [True] + [False] * (len(rows) - 1)
    assert all(r["words_added"] is not None for r in rows[1:])
    recent = get(ds, "/trustwatch/recent_changes.json?days=7&_shape=array").json()
    assert len(recent) == 25
    atom = get(ds, "/trustwatch/recent_changes.atom?days=7")
    assert atom.status_code == 200 and "<feed" in atom.text and "detainer_limit added" in atom.text


def test_reparse_restores_provisions_and_recomputes_every_change_summary(tmp_path):
    path = str(tmp_path / "trustwatch.db")
    assert run_cli("demo", "--no-serve", "--db", path, "-q").returncode == 0
    db = open_database(path)
    expected_provisions = db["provisions"].count
    expected_summaries = {row["version_id"]: row["summary"] for row in db["version_changes"].rows}
    # A damaged store: provisions lost, a summary from an older comparison.
    db.execute("delete from provisions")
    some_version = next(iter(expected_summaries))
    db["version_changes"].update(some_version, {"summary": "stale"})
    db.conn.commit()
    db.close()

    result = run_cli("reparse", "--db", path, "--json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["errors"] == 0 and counts["changed"] > 0
    assert counts["comparisons"] == len(expected_summaries)
    db = open_database(path)
    assert db["provisions"].count == expected_provisions
    assert {r["version_id"]: r["summary"] for r in db["version_changes"].rows} == (
        expected_summaries
    )
    # Nothing to re-tag: the comparisons are still computed again (they are parser code).
    db["version_changes"].update(some_version, {"summary": "stale"})
    db.conn.commit()
    db.close()
    counts = json.loads(run_cli("reparse", "--db", path, "--json").stdout)
    assert counts["changed"] == 0 and counts["comparisons"] == len(expected_summaries)
    db = open_database(path)
    assert db["version_changes"].get(some_version)["summary"] == expected_summaries[some_version]


def test_a_database_under_another_name_links_its_own_redlines(demo_db, tmp_path):
    import shutil

    renamed = tmp_path / "sanctuary.db"
    shutil.copy(demo_db, renamed)
    ds = datasette_app(str(renamed))
    atom = get(ds, "/sanctuary/recent_changes.atom?days=7")
    assert atom.status_code == 200 and "/-/redline/sanctuary/" in atom.text
    assert "/trustwatch/" not in atom.text
    # Every entry links to a page that exists: its redline, or a first version's row.
    links = re.findall(r'<link href="(/[^"]+)"/>', atom.text)
    assert len(links) == 25 and any("/sanctuary/versions/" in link for link in links)
    assert {get(ds, link).status_code for link in links} == {200}
