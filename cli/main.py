"""``trustwatch``: crawl, store, parse and publish immigration-enforcement laws.

Each command parses its arguments, calls the stage packages and prints; errors a user
can cause end in one line on stderr and exit code 2, a crawl that met errors exits 1.
Heavy imports (Scrapy, Datasette) happen inside the commands that need them, so that
``extract`` and ``status`` start fast.
"""

import functools
import json
import sys
from pathlib import Path

import click

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="TRUSTWATCH_DB",
    default="trustwatch.db",
    show_default=True,
    help="SQLite database file (env TRUSTWATCH_DB).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
PORT_OPTION = click.option("--port", default=8001, show_default=True, help="Port to serve on.")
HOST_OPTION = click.option("--host", default="127.0.0.1", show_default=True, help="Interface.")
# The bundled sample: recordings of real texts, one folder per source.
SAMPLES = tuple(
    Path("tests") / "fixtures" / name for name in ("california", "govinfo", "documents/first")
)


class UserError(click.ClickException):
    """A problem the user can fix: one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def _open(db_path: str, *, existing: bool = False):
    """The database, created if needed — or, with ``existing``, only if it is there."""
    from trustwatch.db.migrations import DatabaseError, open_database

    if existing and not Path(db_path).exists():
        raise UserError(f"database {db_path} does not exist: run 'trustwatch crawl' first")
    try:
        return open_database(db_path)
    except DatabaseError as error:
        raise UserError(str(error)) from error


@click.group()
@click.version_option(package_name="trustwatch")
def cli():
    """Track the laws that limit or force local help with federal immigration
    enforcement: every version, its sections, published with Datasette."""


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--bill",
    "bills",
    multiple=True,
    help="Only this bill of the named source (repeatable): '2017 SB 54' (california), "
    "'119 hr 32' (govinfo).",
)
@click.option(
    "-a",
    "--arg",
    "spider_arguments",
    multiple=True,
    metavar="NAME=VALUE",
    help="A spider argument for the named source (repeatable), e.g. -a clients=chicago.",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save every response into this folder (readable, editable).",
)
@click.option(
    "--replay",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Serve responses from a recorded folder instead of the network (repeatable).",
)
@DB_OPTION
@QUIET_OPTION
@JSON_OPTION
def crawl(sources, bills, spider_arguments, record, replay, db_path, quiet, as_json):
    """Crawl SOURCES (all when none are named) and store every new version.

    \b
    Examples:
      trustwatch crawl california
      trustwatch crawl california --bill '2017 SB 54'
      trustwatch crawl --replay tests/fixtures/california
    """
    arguments = {}
    for item in spider_arguments:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"-a takes NAME=VALUE, not {item!r}")
        arguments[name] = value
    if arguments and not sources:
        raise UserError(
            "-a needs the source it belongs to, e.g. 'trustwatch crawl legistar -a ...'"
        )
    summaries = _crawl(sources, bills, record, replay, db_path, quiet, as_json, arguments)
    if as_json:
        click.echo(json.dumps({"crawls": summaries}, indent=2))
    if any(s["errors"] for s in summaries):
        sys.exit(1)


def _crawl(sources, bills, record, replay, db_path, quiet, as_json, arguments=None) -> list[dict]:
    from .crawling import CrawlSetupError, plan, run_crawls

    if record and replay:
        raise UserError("--record and --replay cannot be used together")
    _open(db_path).close()
    try:
        jobs = plan(tuple(sources), tuple(bills), replay, arguments or {})
        summaries = run_crawls(
            jobs,
            db_path,
            record=record,
            replay=replay,
            progress=not (quiet or as_json),
            log_level="ERROR" if (quiet or as_json) else None,
        )
    except CrawlSetupError as error:
        raise UserError(str(error)) from error
    for item in summaries:
        if item["finish_reason"] is None and item["crawl_run_id"] is None:
            raise UserError(f"{item['spider']}: the crawl did not start (see the log above)")
    if not (quiet or as_json):
        for item in summaries:
            click.echo(
                f"{item['spider']}: {item['versions_new']} new versions, "
                f"{item['versions_unchanged']} unchanged, {item['errors']} errors "
                f"(crawl run {item['crawl_run_id']}, database {db_path})",
                err=True,
            )
    return summaries


@cli.command()
@DB_OPTION
@HOST_OPTION
@PORT_OPTION
def serve(db_path, host, port):
    """Publish the database with Datasette (search, facets, JSON API)."""
    _serve(db_path, host, port)


def _serve(db_path: str, host: str, port: int) -> None:
    import uvicorn

    from .publish import PublishError, datasette_app

    try:
        ds = datasette_app(db_path)
    except PublishError as error:
        raise UserError(str(error)) from error
    click.echo(f"Serving Datasette at http://{host}:{port}/{Path(db_path).stem}", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


@cli.command()
@click.option(
    "--replay",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    default=SAMPLES,
    show_default=True,
    help="Recorded samples to crawl (repeatable).",
)
@click.option("--no-serve", is_flag=True, help="Only build the database.")
@DB_OPTION
@HOST_OPTION
@PORT_OPTION
@QUIET_OPTION
def demo(replay, no_serve, db_path, host, port, quiet):
    """Replay the bundled sample crawl into the database, then serve it.

    Offline and repeatable: a second run adds no versions.
    """
    for folder in replay:
        if not folder.is_dir():
            raise UserError(f"sample folder {folder} not found: run from a trustwatch checkout")
    summaries = _crawl((), (), None, replay, db_path, quiet, False)
    errors = sum(s["errors"] for s in summaries)
    if errors and not quiet:
        click.echo(
            f"{errors} errors were recorded in crawl_errors: the sample keeps crafted "
            "error cases (missing pages, a scanned PDF) to show how a crawl carries on.",
            err=True,
        )
    if not no_serve:
        _serve(db_path, host, port)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
)
def extract(file, output):
    """Print the sections and key provisions of a law in FILE (HTML, XML, PDF, RTF or text).

    JSON: {"text", "sections": [{number, heading, start, end}], "provisions": [{type,
    direction, section, text, start, end, rule, confidence}]}; offsets index "text".

    \b
    Example:
      trustwatch extract bill.html --format text
    """
    from trustwatch.parsers.document import parse_document
    from trustwatch.parsers.errors import ParseError

    try:
        body = file.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {file}: {error.strerror}") from error
    try:
        parsed = parse_document(body, filename=file.name)
    except ParseError as error:
        raise UserError(f"{file}: {error}") from error
    if output == "json":
        click.echo(json.dumps(parsed.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo("Sections:")
    for section in parsed.sections:
        indent = "  " * (section.level + 1)
        click.echo(
            f"{indent}{section.number}  [{section.start}:{section.end}]  {section.heading}".rstrip()
        )
    click.echo("Provisions:")
    for provision in parsed.provisions:
        excerpt = " ".join(provision.text.split())
        excerpt = excerpt if len(excerpt) <= 100 else excerpt[:99] + "…"
        click.echo(
            f"  {provision.type} ({provision.direction}) in {provision.section or '-'} "
            f"[{provision.start}:{provision.end}] {provision.rule} {provision.confidence:.2f}\n"
            f"      {excerpt}"
        )


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@DB_OPTION
def diff(old, new, output, db_path):
    """Show what changed from OLD to NEW, word by word and provision by provision.

    OLD and NEW are files (HTML, XML, PDF, RTF or text) or version ids in the database.

    \b
    Examples:
      trustwatch diff introduced.html amended.html
      trustwatch diff 3 4 --format json
      trustwatch diff 3 4 --format html > redline.html
    """
    from trustwatch.parsers.changes import compare_versions

    from .redline_output import html_page, terminal_text

    database = functools.cache(lambda: _open_to_read(db_path))  # opened once, if needed
    before, after = (_version_for_diff(argument, db_path, database) for argument in (old, new))
    # Only the JSON shows each section's own ops; text and HTML show the whole text's.
    comparison = compare_versions(before, after, section_ops=output == "json")
    if output == "json":
        click.echo(json.dumps(comparison, ensure_ascii=False, indent=2))
    elif output == "html":
        click.echo(html_page(comparison, before["label"], after["label"]))
    else:
        click.echo(terminal_text(comparison, color=sys.stdout.isatty()), nl=False)


def _open_to_read(db_path: str):
    """The database for reading: read-only when its schema is current (and so without
    sqlite-utils: see :mod:`trustwatch.db.reading`), else opened and brought up to date."""
    from trustwatch.db.reading import open_to_read

    return open_to_read(db_path) or _open(db_path, existing=True)


def _version_for_diff(argument: str, db_path: str, database) -> dict:
    """A file's parse, or a stored version (``database()`` opens ``db_path``), as
    ``compare_versions`` takes it."""
    path = Path(argument)
    if path.is_file():
        from trustwatch.parsers.errors import ParseError
        from trustwatch.parsers.formats import document_text
        from trustwatch.parsers.sections import section_spans

        try:
            text = document_text(path.read_bytes(), filename=path.name)
        except ParseError as error:
            raise UserError(f"{path}: {error}") from error
        # No provisions: compare_versions tags only where the two files differ.
        sections = [section.as_dict() for section in section_spans(text)]
        return {"label": path.name, "text": text, "sections": sections}
    if not argument.isdigit():
        raise UserError(f"{argument} is neither a file nor a version id")
    from trustwatch.db.queries import version_bundle

    try:
        bundle = version_bundle(database(), int(argument))
    except LookupError as error:
        raise UserError(f"no version {argument} in {db_path}") from error
    bundle["label"] = f"version {argument} ({bundle['label']}, {bundle['date']})"
    return bundle


@cli.command()
@DB_OPTION
@QUIET_OPTION
@JSON_OPTION
def reparse(db_path, quiet, as_json):
    """Parse every stored version again from its raw bytes (after a parser or rule
    change): sections and provisions are replaced where they changed. No network."""
    from .reparsing import reparse_all

    db = _open(db_path, existing=True)

    def progress(done: int, total: int) -> None:
        if not (quiet or as_json) and (done % 100 == 0 or done == total):
            click.echo(f"reparse: {done}/{total} versions", err=True)

    counts = reparse_all(db, progress)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
    elif not quiet:
        click.echo(
            f"reparse: {counts['changed']} changed, {counts['unchanged']} unchanged, "
            f"{counts['errors']} errors",
            err=True,
        )
    if counts["errors"]:
        sys.exit(1)


@cli.command()
@click.argument(
    "labels",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=False,
)
@JSON_OPTION
def accuracy(labels, as_json):
    """Score the provision tagger against hand labels (precision, recall, F1 per type).

    LABELS defaults to tests/fixtures/provisions/labels.json.
    """
    from .accuracy import LABELS, evaluate, markdown_table

    labels = labels or LABELS
    if not labels.exists():
        raise UserError(f"{labels} not found: run from a trustwatch checkout or name the file")
    result = evaluate(labels)
    if as_json:
        levels = ("document_level", "section_level")
        click.echo(
            json.dumps(
                {
                    "documents": result["documents"],
                    **{
                        level: {
                            name: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                            for name, s in result[level].items()
                        }
                        for level in levels
                    },
                    "errors": result["errors"],
                },
                indent=2,
            )
        )
        return
    click.echo(f"{result['documents']} labelled texts\n")
    click.echo(markdown_table(result))


@cli.command()
@JSON_OPTION
def sources(as_json):
    """List the sources that can be crawled, and whether their API key is set."""
    import os

    from .crawling import spider_classes

    rows = []
    for name, spider in spider_classes().items():
        key = getattr(spider, "needs_key", None)
        rows.append(
            {
                "source": name,
                "description": (
                    spider.__module__ and (sys.modules[spider.__module__].__doc__ or "")
                )
                .strip()
                .splitlines()[0],
                "needs_key": key,
                "key_set": bool(key and os.environ.get(key)),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        key = row["needs_key"]
        state = (
            "no key needed" if not key else f"key {key} {'set' if row['key_set'] else 'NOT set'}"
        )
        click.echo(f"{row['source']:<14} {state:<24} {row['description']}")


@cli.command()
@DB_OPTION
@JSON_OPTION
def status(db_path, as_json):
    """Show what the database holds and how the last crawls went."""
    from trustwatch.db.queries import database_status

    report = database_status(_open(db_path, existing=True))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"database {db_path} (schema version {report['schema_version']})")
    for table, count in report["counts"].items():
        click.echo(f"  {table:<14} {count}")
    click.echo("last crawls:")
    for run in report["recent_crawls"]:
        click.echo(
            f"  #{run['id']} {run['spider']} {run['started_at']} {run['status']}: "
            f"{run['versions_new']} new, {run['versions_unchanged']} unchanged, "
            f"{run['errors']} errors"
        )
