"""Storing what a crawl fetched: raw bytes, documents, versions and their sections.

One transaction per version, so a crash mid-crawl leaves whole versions or nothing.
Versions are keyed by (document, the source's version key, sha256 of the normalised
text): storing the same thing twice only moves ``last_seen``, a changed text is a new
row. Raw bodies are content-addressed and zlib-compressed, so any version can be parsed
again from exactly the bytes that were fetched.

A crawl stores thousands of versions, one call each, so the writes here are plain
prepared statements rather than sqlite-utils' ``insert``/``upsert`` (which look the
table up and build their SQL on every call), and nothing is written that is already
there: an unchanged row rewritten would still re-index its full-text columns (the
triggers fire on the columns an UPDATE names, whatever their values) and an unchanged
page would still be compressed.
"""

import hashlib
import json
import zlib
from dataclasses import dataclass, field

from sqlite_utils import Database

from .places import place_point


@dataclass(frozen=True)
class Jurisdiction:
    """A place, named by its Open Civic Data division id. A county may name its ``seat``,
    which becomes its point on the map (see :mod:`trustwatch.db.places`)."""

    id: str
    name: str
    level: str
    state_code: str | None = None
    fips: str | None = None
    seat: str | None = None


@dataclass
class RawResponse:
    """The bytes of one HTTP response, as fetched."""

    url: str
    status: int
    body: bytes
    media_type: str
    encoding: str | None = None
    headers: dict = field(default_factory=dict)
    # The body as ``packed`` keeps it, when that was done already (by a parser worker,
    # beside the crawl process); otherwise storing packs it.
    packed_body: bytes | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class DocumentRecord:
    """What a source says about a document, whichever version was fetched."""

    id: str
    jurisdiction: Jurisdiction
    source: str
    session: str
    identifier: str
    title: str
    kind: str
    status: str
    source_url: str


@dataclass
class VersionRecord:
    """One parsed version: normalised text, its sections (``Section.as_dict()``) and
    provisions (``Provision.as_dict()``)."""

    source_key: str
    label: str
    classification: str
    date: str | None
    sequence: int
    text: str
    sections: list[dict]
    source_url: str
    provisions: list[dict] = field(default_factory=list)
    text_root: str | None = None

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoreResult:
    """``status`` is ``"new"`` or ``"unchanged"``."""

    status: str
    version_id: int


def store_version(
    db: Database,
    document: DocumentRecord,
    version: VersionRecord,
    raw: RawResponse,
    *,
    crawl_run_id: int | None,
    now: str,
) -> StoreResult:
    """Store one fetched version and everything it hangs from, in one transaction."""
    raw_sha256, text_sha256 = raw.sha256, version.text_sha256
    with db.atomic():
        _upsert_jurisdiction(db, document.jurisdiction)
        _insert_raw(db, raw, raw_sha256, now)
        _upsert_document(db, document, now)
        existing = _same_text_under_key(db, document.id, version.source_key, text_sha256)
        if existing is not None:
            db.execute("update versions set last_seen = ? where id = ?", [now, existing])
            return StoreResult("unchanged", existing)
        source_key = version.source_key
        if db.execute(
            "select 1 from versions where document_id = ? and source_key = ? and text_sha256 = ?",
            [document.id, source_key, text_sha256],
        ).fetchone():
            # The text went back to an earlier wording under a key that has had others
            # since (a watched page's one key, "current"): a new version, keyed apart.
            source_key = f"{source_key}{_AGAIN}{now}"
        version_id = _insert(
            db,
            "versions",
            {
                "document_id": document.id,
                "source_key": source_key,
                "label": version.label,
                "classification": version.classification,
                "date": version.date,
                "sequence": version.sequence,
                "text": version.text,
                "text_sha256": text_sha256,
                "char_count": len(version.text),
                "raw_sha256": raw_sha256,
                "source_url": version.source_url,
                "fetched_at": now,
                "last_seen": now,
                "crawl_run_id": crawl_run_id,
                "text_root": version.text_root,
            },
        )
        _insert_sections(db, version_id, version.text, version.sections)
        _insert_provisions(db, version_id, version.provisions)
        _renumber(db, document.id)
        return StoreResult("new", version_id)


# Joins a version key to the time its text came back: "current@2026-11-29T05:00:00Z".
_AGAIN = "@"


def _same_text_under_key(db: Database, document_id: str, key: str, text_sha256: str):
    """The stored version this fetch repeats, if any: the latest version stored under
    ``key`` (or under ``key`` and a time it came back), when its text is this text. A key
    whose text has changed since is not repeated by its first text coming back."""
    row = db.execute(
        "select id, text_sha256 from versions where document_id = ? "
        "and (source_key = ? or source_key like ? escape '\\') "
        "order by ordinal desc limit 1",
        [document_id, key, _like_prefix(key) + _AGAIN + "%"],
    ).fetchone()
    return row[0] if row and row[1] == text_sha256 else None


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def replace_parsed(
    db: Database, version_id: int, text: str, sections: list[dict], provisions: list[dict]
) -> bool:
    """Replace what was parsed from a stored version (``reparse`` after a parser or rule
    change). Returns whether anything changed; unchanged versions are not rewritten."""
    row = db["versions"].get(version_id)
    old_sections = [
        (r["number"], r["start"], r["end"])
        for r in db.query(
            "select number, start, end from sections where version_id = ? order by ordinal",
            [version_id],
        )
    ]
    old_provisions = [
        (r["type"], r["section"], r["start"], r["end"], r["rule"])
        for r in db.query(
            "select type, section, start, end, rule from provisions "
            "where version_id = ? order by ordinal",
            [version_id],
        )
    ]
    if (
        row["text"] == text
        and old_sections == [(s["number"], s["start"], s["end"]) for s in sections]
        and old_provisions
        == [(p["type"], p["section"], p["start"], p["end"], p["rule"]) for p in provisions]
    ):
        return False
    with db.atomic():
        if row["text"] != text:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            db["versions"].update(
                version_id, {"text": text, "text_sha256": digest, "char_count": len(text)}
            )
        db.execute("delete from sections where version_id = ?", [version_id])
        db.execute("delete from provisions where version_id = ?", [version_id])
        _insert_sections(db, version_id, text, sections)
        _insert_provisions(db, version_id, provisions)
    return True


def store_version_change(
    db: Database, version_id: int, previous_version_id: int, comparison: dict, now: str
) -> None:
    """Keep what changed between a version and the one before it (``compare_versions``
    output), so that "what changed this week" is one query."""
    stats, provisions = comparison["stats"], comparison["provisions"]
    (document_id,) = db.execute(
        "select document_id from versions where id = ?", [version_id]
    ).fetchone()
    with db.atomic():
        _insert(
            db,
            "version_changes",
            {
                "version_id": version_id,
                "previous_version_id": previous_version_id,
                "document_id": document_id,
                **{
                    key: stats.get(key, 0)
                    for key in (
                        "words_added",
                        "words_removed",
                        "sections_changed",
                        "sections_added",
                        "sections_removed",
                        "sections_moved",
                    )
                },
                "provisions_added": len(provisions["added"]),
                "provisions_removed": len(provisions["removed"]),
                "provisions_changed": len(provisions["changed"]),
                "summary": provisions["summary"],
                "changes": json.dumps(
                    {key: provisions[key] for key in ("added", "removed", "changed")},
                    ensure_ascii=False,
                ),
                "computed_at": now,
            },
            "insert or replace",
        )


def forget_version_changes(db: Database) -> None:
    """Drop every stored comparison (after a re-parse moved sections or provisions)."""
    with db.atomic():
        db.execute("delete from version_changes")


def sync_provision_types(db: Database, types: dict[str, tuple[str, str]], version: str) -> None:
    """Make ``provision_types`` hold the taxonomy: type → (direction, question)."""
    with db.atomic():
        db["provision_types"].upsert_all(
            [
                {
                    "type": name,
                    "direction": direction,
                    "question": question,
                    "taxonomy_version": version,
                }
                for name, (direction, question) in types.items()
            ],
            pk="type",
        )


def raw_body(db: Database, sha256: str) -> bytes:
    """The original bytes of a stored raw response."""
    row = db.execute(
        "select body, compression from raw_responses where sha256 = ?", [sha256]
    ).fetchone()
    if row is None:
        raise KeyError(sha256)
    body, compression = row
    return zlib.decompress(body) if compression == "zlib" else body


def _upsert_jurisdiction(db: Database, jurisdiction: Jurisdiction) -> None:
    if db.execute(
        "select 1 from jurisdictions where id = ? and latitude is not null", [jurisdiction.id]
    ).fetchone():
        return
    point = place_point(jurisdiction.id, jurisdiction.seat) or (None, None)
    db["jurisdictions"].upsert(
        {
            "id": jurisdiction.id,
            "name": jurisdiction.name,
            "level": jurisdiction.level,
            "state_code": jurisdiction.state_code,
            "fips": jurisdiction.fips,
            "latitude": point[0],
            "longitude": point[1],
        },
        pk="id",
    )


def packed(body: bytes) -> bytes:
    """A response body as ``raw_responses`` keeps it (``compression`` = "zlib")."""
    return zlib.compress(body, 6)


def _insert_raw(db: Database, raw: RawResponse, sha256: str, now: str) -> None:
    """Compressing is most of the cost: skipped when these bytes are stored already."""
    if db.execute("select 1 from raw_responses where sha256 = ?", [sha256]).fetchone():
        return
    _insert(
        db,
        "raw_responses",
        {
            "sha256": sha256,
            "url": raw.url,
            "status": raw.status,
            "media_type": raw.media_type,
            "encoding": raw.encoding,
            "headers": json.dumps(raw.headers, sort_keys=True),
            "size": len(raw.body),
            "compression": "zlib",
            "body": raw.packed_body if raw.packed_body is not None else packed(raw.body),
            "fetched_at": now,
        },
    )


def _upsert_document(db: Database, document: DocumentRecord, now: str) -> None:
    """Set only the columns whose values changed (and ``last_seen``): naming ``title``
    in the UPDATE would re-index the document's full-text row every time it is seen."""
    values = {
        "jurisdiction_id": document.jurisdiction.id,
        "source": document.source,
        "session": document.session,
        "identifier": document.identifier,
        "title": document.title,
        "kind": document.kind,
        "status": document.status,
        "source_url": document.source_url,
    }
    row = db.execute(
        f"select {', '.join(f'[{column}]' for column in values)} from documents where id = ?",
        [document.id],
    ).fetchone()
    if row is None:
        _insert(db, "documents", {"id": document.id, **values, "first_seen": now, "last_seen": now})
        return
    changed = {"last_seen": now}
    changed.update(
        (column, value)
        for (column, value), old in zip(values.items(), row, strict=True)
        if value != old
    )
    db.execute(
        f"update documents set {', '.join(f'[{column}] = ?' for column in changed)} where id = ?",
        [*changed.values(), document.id],
    )


def _insert_sections(db: Database, version_id: int, text: str, sections: list[dict]) -> None:
    """Each section row keeps its own words only — up to its first sub-unit — so that
    searching sections finds the innermost unit and the text is stored once, not once
    per nesting level. The whole unit is ``versions.text[start:end]``."""
    rows = []
    for ordinal, section in enumerate(sections):
        own_end = section["end"]
        following = sections[ordinal + 1] if ordinal + 1 < len(sections) else None
        if following and following["start"] < own_end:
            own_end = following["start"]
        rows.append(
            {
                "version_id": version_id,
                "ordinal": ordinal,
                "number": section["number"],
                "heading": section["heading"],
                "level": section["level"],
                "parent": section["parent"],
                "start": section["start"],
                "end": section["end"],
                "text": text[section["start"] : own_end].strip(),
            }
        )
    _insert_all(db, "sections", rows)


def _insert_provisions(db: Database, version_id: int, provisions: list[dict]) -> None:
    _insert_all(
        db,
        "provisions",
        [
            {"version_id": version_id, "ordinal": ordinal, **provision}
            for ordinal, provision in enumerate(provisions)
        ],
    )


def _renumber(db: Database, document_id: str) -> None:
    """Order a document's versions by date, then by the source's own order, and make
    the last one the document's latest version. Spiders fetch versions concurrently,
    so the order they arrive in means nothing. Only ordinals that moved are written:
    a version arriving last, the usual case, moves none but its own."""
    rows = db.execute(
        "select id, ordinal from versions where document_id = ? "
        "order by date is null, date, sequence, id",
        [document_id],
    ).fetchall()
    db.conn.executemany(
        "update versions set ordinal = ? where id = ?",
        [
            (ordinal, version_id)
            for ordinal, (version_id, stored) in enumerate(rows, start=1)
            if stored != ordinal
        ],
    )
    latest = rows[-1][0]
    db.execute(
        "update documents set latest_version_id = ? where id = ? and latest_version_id is not ?",
        [latest, document_id, latest],
    )


def _insert(db: Database, table: str, row: dict, verb: str = "insert") -> int:
    """Insert one row; returns its rowid."""
    return db.execute(_insert_sql(verb, table, list(row)), list(row.values())).lastrowid


def _insert_all(db: Database, table: str, rows: list[dict]) -> None:
    """Insert rows that all have the same columns, with one prepared statement."""
    if rows:
        columns = list(rows[0])
        db.conn.executemany(
            _insert_sql("insert", table, columns),
            [[row[column] for column in columns] for row in rows],
        )


def _insert_sql(verb: str, table: str, columns: list[str]) -> str:
    return (
        f"{verb} into [{table}] ({', '.join(f'[{column}]' for column in columns)}) "
        f"values ({', '.join('?' * len(columns))})"
    )
