"""Running spiders from the command line: live, recording, or replaying a recording.

A replay goes through Scrapy's real downloader stack with the folder storage of
``trustwatch.spiders.replay`` behind the HTTP-cache middleware; a recording writes every
response there and notes in ``recording.json`` what was crawled, so that
``crawl --replay DIR`` with no source named runs the same crawl again, offline.
"""

import gc
import json
import os
from dataclasses import dataclass
from pathlib import Path

RECORDING_MANIFEST = "recording.json"


class CrawlSetupError(Exception):
    """The crawl cannot start (unknown source, missing recording...): a one-line reason."""


@dataclass
class CrawlJob:
    spider: str
    arguments: dict


def project_settings():
    """Scrapy settings of the trustwatch project, wherever the command runs from."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "trustwatch.spiders.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def spider_classes() -> dict:
    """Every source, by name, as its spider class."""
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(project_settings())
    return {name: loader.load(name) for name in sorted(loader.list())}


def plan(
    sources: tuple[str, ...],
    bills: tuple[str, ...],
    replay: tuple[Path, ...] = (),
    arguments: dict | None = None,
) -> list[CrawlJob]:
    """Which spiders to run with which arguments.

    Sources named on the command line win; a replay with none named re-runs what each
    recording's ``recording.json`` says was crawled.
    """
    known = spider_classes()
    for folder in replay:
        if not folder.is_dir():
            raise CrawlSetupError(f"replay folder {folder} does not exist")
    if not sources and replay:
        jobs = []
        for folder in replay:
            manifest = folder / RECORDING_MANIFEST
            if not manifest.exists():
                raise CrawlSetupError(
                    f"{manifest} is missing: name the sources to replay, e.g. "
                    f"'trustwatch crawl california --replay {folder}'"
                )
            jobs += [
                CrawlJob(c["spider"], c.get("arguments", {})) for c in _read_manifest(manifest)
            ]
    else:
        if bills and not sources:
            raise CrawlSetupError(
                "--bill needs the source it belongs to, e.g. "
                "'trustwatch crawl california --bill \"2017 SB 54\"'"
            )
        jobs = [CrawlJob(name, {}) for name in (sources or known)]
    for job in jobs:
        if job.spider not in known:
            raise CrawlSetupError(
                f"unknown source {job.spider!r}; known sources: {', '.join(known)}"
            )
        if bills:
            job.arguments = {**job.arguments, "bills": ",".join(bills)}
        job.arguments = {**job.arguments, **(arguments or {})}
        try:
            # Spiders check their arguments when built: fail before any crawl starts.
            known[job.spider](**job.arguments)
        except ValueError as error:
            raise CrawlSetupError(f"{job.spider}: {error}") from error
    return jobs


def _read_manifest(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["crawls"]
    except (ValueError, KeyError, TypeError) as error:
        raise CrawlSetupError(f"{path} is not a valid recording manifest: {error}") from error


def run_crawls(
    jobs: list[CrawlJob],
    db_path: str,
    *,
    record: Path | None = None,
    replay: tuple[Path, ...] = (),
    progress: bool = True,
    log_level: str | None = None,
) -> list[dict]:
    """Run the jobs in this process (one Twisted reactor: call once per process) and
    return each crawl's summary counts."""
    from scrapy.crawler import CrawlerProcess

    from trustwatch.spiders.pipelines import summary

    settings = project_settings()
    settings.set("TRUSTWATCH_DB", db_path, priority="cmdline")
    settings.set("TRUSTWATCH_PROGRESS", progress, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if record or replay:
        folders = [record] if record else list(replay)
        settings.setdict(
            {
                "HTTPCACHE_ENABLED": True,
                "TRUSTWATCH_RECORDING_DIR": os.pathsep.join(str(f.resolve()) for f in folders),
                "TRUSTWATCH_RECORDING_MODE": "record" if record else "replay",
            },
            priority="cmdline",
        )
    if replay:
        # Offline: no site to be polite to, and robots.txt is not part of a recording.
        settings.setdict(
            {
                "HTTPCACHE_IGNORE_MISSING": True,
                "ROBOTSTXT_OBEY": False,
                "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                "RETRY_TIMES": 0,
            },
            priority="cmdline",
        )
    process = CrawlerProcess(settings)
    crawlers = []
    for job in jobs:
        crawler = process.create_crawler(job.spider)
        crawlers.append((job, crawler))
        process.crawl(crawler, **job.arguments)
    # Everything alive now (Scrapy, Twisted, the parsers' tables) lives as long as the
    # crawl: out of the collector's sight, its full collections stay short.
    gc.freeze()
    process.start()
    if record:
        _write_manifest(
            record,
            [
                CrawlJob(
                    job.spider,
                    getattr(crawler.spider, "crawl_arguments", job.arguments),
                )
                for job, crawler in crawlers
            ],
        )
    return [
        {
            "spider": job.spider,
            "arguments": job.arguments,
            **summary(crawler.stats.get_stats()),
        }
        for job, crawler in crawlers
    ]


def _write_manifest(folder: Path, jobs: list[CrawlJob]) -> None:
    path = folder / RECORDING_MANIFEST
    crawls = _read_manifest(path) if path.exists() else []
    for job in jobs:
        crawls = [c for c in crawls if c["spider"] != job.spider]
        crawls.append({"spider": job.spider, "arguments": job.arguments})
    path.write_text(json.dumps({"crawls": crawls}, indent=2) + "\n", encoding="utf-8")
