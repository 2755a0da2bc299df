import sqlite3

import pytest
from conftest import CALIFORNIA, real_text

from trustwatch.db.migrations import DatabaseError, open_database, schema_version
from trustwatch.db.reading import SCHEMA_VERSION, open_to_read
from trustwatch.db.search import index_pending
from trustwatch.db.store import (
    DocumentRecord,
    RawResponse,
    VersionRecord,
    raw_body,
    store_version,
)
from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text

SB54 = DocumentRecord(
    id="ca-2017-2018-sb54",
    jurisdiction=CALIFORNIA,
    source="california",
    session="2017-2018",
    identifier="SB 54",
    title="Law enforcement: sharing data.",
    kind="bill",
    status="chaptered",
    source_url="https://leginfo.legislature.ca.gov/faces/billTextClient.xhtml?bill_id=201720180SB54",
)


def version(text, key="20170SB5495CHP", label="Chaptered", date="2017-10-05", sequence=5):
    text = normalize_text(text)
    return VersionRecord(
        source_key=key,
        label=label,
        classification="became-law",
        date=date,
        sequence=sequence,
        text=text,
        sections=[s.as_dict() for s in section_spans(text)],
        source_url=SB54.source_url,
    )


def raw(body: bytes):
    return RawResponse(SB54.source_url, 200, body, "text/html", "utf-8", {"Server": ["x"]})


def counts(db):
    return {t: db[t].count for t in ("documents", "versions", "sections", "raw_responses")}


def test_schema_is_created_and_versioned(db_path):
    db = open_database(db_path)
    # A new migration needs reading.SCHEMA_VERSION raised with it.
    assert schema_version(db) == SCHEMA_VERSION == 4
    assert db.execute("pragma user_version").fetchone()[0] == 4
    assert set(db.table_names()) >= {
        "jurisdictions",
        "documents",
        "versions",
        "sections",
        "raw_responses",
        "crawl_runs",
        "crawl_errors",
        "versions_fts",
        "sections_fts",
        "documents_fts",
    }
    assert db["versions"].columns_dict["text_sha256"] is str
    # Opening again applies nothing twice.
    assert schema_version(open_database(db_path)) == 4


def test_a_current_database_opens_read_only_and_any_other_not_at_all(db_path, tmp_path):
    assert open_to_read(db_path) is None  # not there yet
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    stored = store_version(db, SB54, version(text), raw(text.encode()), crawl_run_id=None, now="t")
    reader = open_to_read(db_path)
    assert reader.execute("select text from versions where id = ?", [stored.version_id]).fetchone()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("delete from versions")
    # A schema behind the code is left to open_database, which brings it up to date.
    db.execute("pragma user_version = 3")
    assert open_to_read(db_path) is None
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("not sqlite")
    assert open_to_read(str(not_a_database)) is None


def test_storing_the_same_version_twice_adds_no_rows(db_path):
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    first = store_version(
        db,
        SB54,
        version(text),
        raw(text.encode()),
        crawl_run_id=None,
        now="2026-01-01T00:00:00Z",
    )
    before = counts(db)
    second = store_version(
        db,
        SB54,
        version(text),
        raw(text.encode()),
        crawl_run_id=None,
        now="2026-02-01T00:00:00Z",
    )
    assert (first.status, second.status) == ("new", "unchanged")
    assert second.version_id == first.version_id
    assert counts(db) == before
    row = db["versions"].get(first.version_id)
    assert (row["fetched_at"], row["last_seen"]) == (
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
    )
    assert db["documents"].get(SB54.id)["first_seen"] == "2026-01-01T00:00:00Z"


def test_a_changed_page_adds_exactly_one_version(db_path):
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    store_version(db, SB54, version(text), raw(text.encode()), crawl_run_id=None, now="t1")
    before = counts(db)
    changed = text.replace("shall not", "may not", 1)
    result = store_version(
        db, SB54, version(changed), raw(changed.encode()), crawl_run_id=None, now="t2"
    )
    after = counts(db)
    assert result.status == "new"
    assert after["versions"] == before["versions"] + 1
    assert after["raw_responses"] == before["raw_responses"] + 1
    assert after["documents"] == before["documents"]


def test_versions_are_ordered_by_date_whatever_order_they_arrive_in(db_path):
    db = open_database(db_path)
    chaptered = real_text("ca-sb54-2017-chaptered.txt")
    store_version(db, SB54, version(chaptered), raw(b"chaptered"), crawl_run_id=None, now="t")
    introduced = store_version(
        db,
        SB54,
        version(
            "SECTION 1. Introduced text.",
            "20170SB5499INT",
            "Introduced",
            "2016-12-05",
            1,
        ),
        raw(b"introduced"),
        crawl_run_id=None,
        now="t",
    )
    rows = list(db.query("select label, ordinal from versions order by ordinal"))
    assert rows == [
        {"label": "Introduced", "ordinal": 1},
        {"label": "Chaptered", "ordinal": 2},
    ]
    latest = db["documents"].get(SB54.id)["latest_version_id"]
    assert latest != introduced.version_id


def test_a_version_arriving_between_two_others_renumbers_those_after_it(db_path):
    db = open_database(db_path)
    stored = {}
    for date, sequence in (("2016-12-05", 1), ("2017-10-05", 5), ("2017-03-29", 3)):
        text = f"SECTION 1. The text of {date}."
        stored[date] = store_version(
            db,
            SB54,
            version(text, f"key{sequence}", date, date, sequence),
            raw(text.encode()),
            crawl_run_id=None,
            now="t",
        ).version_id
    ordinals = {row["id"]: row["ordinal"] for row in db["versions"].rows}
    assert [ordinals[stored[date]] for date in sorted(stored)] == [1, 2, 3]
    assert db["documents"].get(SB54.id)["latest_version_id"] == stored["2017-10-05"]


def test_a_document_seen_again_is_updated_only_where_it_changed(db_path):
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    store_version(db, SB54, version(text), raw(b"x"), crawl_run_id=None, now="t1")
    store_version(db, SB54, version(text), raw(b"x"), crawl_run_id=None, now="t2")
    renamed = DocumentRecord(**{**SB54.__dict__, "title": "Sanctuary state."})
    store_version(db, renamed, version(text), raw(b"x"), crawl_run_id=None, now="t3")
    row = db["documents"].get(SB54.id)
    assert (row["title"], row["first_seen"], row["last_seen"]) == ("Sanctuary state.", "t1", "t3")
    assert row["status"] == SB54.status
    search = "select rowid from documents_fts where documents_fts match ?"
    assert len(list(db.query(search, ["sanctuary"]))) == 1
    assert list(db.query(search, ["sharing"])) == []


def test_raw_bytes_and_sections_are_kept(db_path):
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    body = ("<html><body>" + text + "</body></html>").encode()
    stored = store_version(db, SB54, version(text), raw(body), crawl_run_id=None, now="t")
    row = db["versions"].get(stored.version_id)
    assert raw_body(db, row["raw_sha256"]) == body
    section = next(
        db.query(
            "select * from sections where version_id = ? and number = '7282.5(a)'",
            [stored.version_id],
        )
    )
    assert row["text"][section["start"] : section["end"]].startswith(
        "(a) A law enforcement official"
    )
    # A section row keeps its own words, up to its first subdivision "(1)".
    whole = row["text"][section["start"] : section["end"]]
    assert whole.startswith(section["text"]) and section["text"].endswith("circumstances:")
    leaf = next(
        db.query(
            "select * from sections where version_id = ? and number = '7282.5(a)(1)'",
            [stored.version_id],
        )
    )
    assert leaf["text"] == row["text"][leaf["start"] : leaf["end"]]


def test_full_text_search_sees_new_versions(db_path):
    db = open_database(db_path)
    text = real_text("ca-sb54-2017-chaptered.txt")
    store_version(db, SB54, version(text), raw(b"x"), crawl_run_id=None, now="t1")
    store_version(db, SB54, version(text), raw(b"x"), crawl_run_id=None, now="t2")
    index_pending(db)  # new versions are indexed in bulk (tests/test_db_search.py)
    hits = list(
        db.query(
            "select rowid from versions_fts where versions_fts match ?",
            ['"hold request"'],
        )
    )
    assert len(hits) == 1
    hits = list(
        db.query("select number from sections_fts where sections_fts match 'judicial warrant'")
    )
    assert {"7284.4(i)"} <= {h["number"] for h in hits}


def test_unusable_database_paths_are_refused_clearly(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(str(tmp_path / "missing" / "x.db"))
    with pytest.raises(DatabaseError, match="cannot open database"):
        open_database(str(tmp_path))  # a folder, not a file
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_bytes(b"this is not SQLite\n" * 100)
    with pytest.raises(DatabaseError, match="cannot open database"):
        open_database(str(not_sqlite))


def test_a_watched_text_that_goes_back_to_an_earlier_wording_is_a_new_version(db_path):
    # A watched page has one key for every text ("current"): A, then B, then A again
    # is three versions, the last one current, and A once more changes nothing.
    db = open_database(db_path)
    first = real_text("chicago-mc-2-173-030-current.txt")
    second = first.replace("shall annually review", "shall review", 1)
    assert second != first
    stored = []
    for day, text in enumerate([first, second, first, first, second], start=1):
        record = version(text, key="current", label=f"as fetched day {day}", date=f"2026-11-0{day}")
        result = store_version(
            db, SB54, record, raw(text.encode()), crawl_run_id=None, now=f"t{day}"
        )
        stored.append(result)
    assert [r.status for r in stored] == ["new", "new", "new", "unchanged", "new"]
    assert stored[3].version_id == stored[2].version_id
    texts = [row["text"] for row in db.query("select text from versions order by ordinal")]
    assert texts == [normalize_text(t) for t in (first, second, first, second)]
    latest = db["documents"].get(SB54.id)["latest_version_id"]
    assert latest == stored[4].version_id
