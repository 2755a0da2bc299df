"""Benchmark: a replayed crawl through the whole pipeline next to download-only.

Not a test: run ``.venv/bin/python bench/crawl.py [COPIES [ROUNDS]]``. It builds a recording of
over 2,000 responses by copying the real California recordings in tests/fixtures under
new bill numbers (bodies and URLs rewritten so every copy is its own bill), then, in the
same run and each in a fresh process (one Twisted reactor per process):

- download-only: a plain Scrapy spider that requests exactly the recorded requests
  through the same replay storage and downloader stack, and does nothing with them;
- trustwatch: ``trustwatch crawl --replay`` — the California spider, parsing, sections,
  provision tagging, storing in SQLite and the change summaries between versions.

Rounds alternate the two (three by default: this machine's speed drifts from minute to
minute). It prints each round, then pages per second of the best time of each and the
ratio of the two (the target is within 3x).
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "fixtures" / "california"
HOST = "leginfo.legislature.ca.gov"

DOWNLOAD_ONLY = """
import json, sys
from pathlib import Path
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from trustwatch.cli.crawling import project_settings

folder = Path(sys.argv[1])

class DownloadOnly(Spider):
    name = "download_only"

    async def start(self):
        for meta_path in folder.rglob("*.meta.json"):
            meta = json.loads(meta_path.read_text())
            body = (meta["request_body"] or "").encode("latin-1")
            yield Request(meta["url"], method=meta["method"], body=body, callback=self.parse,
                          dont_filter=True)

    def parse(self, response):
        pass

settings = project_settings()
settings.setdict({
    "HTTPCACHE_ENABLED": True, "HTTPCACHE_IGNORE_MISSING": True,
    "TRUSTWATCH_RECORDING_DIR": str(folder), "TRUSTWATCH_RECORDING_MODE": "replay",
    "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ITEM_PIPELINES": {}, "EXTENSIONS": {},
    "LOG_LEVEL": "ERROR",
}, priority="cmdline")
process = CrawlerProcess(settings)
crawler = process.create_crawler(DownloadOnly)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count", 0))
"""


def build(folder: Path, copies: int) -> tuple[int, list[str]]:
    """Copies of the real recordings under new bill numbers; returns (pages, bill ids).

    The bills are listed as a watchlist of different bills would be, mixed: each copy of
    the three, then the next. (Listed as 160 copies of one bill, then of the next, the
    crawl's parser worker idled through the small texts of the first and was swamped by
    the 32 KB texts of the last: 8.5 s against 7.5 s in one trace of the same code.)"""
    bills = []
    pages = 0
    for copy in range(copies):
        for bill_dir in sorted((SOURCE / HOST).rglob("bill_id=*")):
            original = bill_dir.name.removeprefix("bill_id=")
            prefix = original.rstrip("0123456789")
            bill = f"{prefix}{90000 + copy}"
            target = folder / bill_dir.relative_to(SOURCE).parent / f"bill_id={bill}"
            target.mkdir(parents=True, exist_ok=True)
            for path in bill_dir.iterdir():
                data = path.read_bytes().replace(original.encode(), bill.encode())
                (target / path.name).write_bytes(data)
                pages += path.name.endswith(".meta.json")
            bills.append(bill)
    manifest = {"crawls": [{"spider": "california", "arguments": {"bills": ",".join(bills)}}]}
    (folder / "recording.json").write_text(json.dumps(manifest))
    return pages, bills


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{command[2:4]} failed: {result.stderr[-2000:]}")
    return elapsed, result.stdout


def main(copies: int = 160, rounds: int = 3) -> None:
    work = Path(tempfile.mkdtemp(prefix="trustwatch-bench-"))
    try:
        folder = work / "recording"
        pages, bills = build(folder, copies)
        print(f"{pages} recorded responses, {len(bills)} bills (copies of 3 real bills)")
        download_times, crawl_times = [], []
        for round_ in range(1, rounds + 1):
            download_time, downloaded = timed([sys.executable, "-c", DOWNLOAD_ONLY, str(folder)])
            database = work / f"bench-{round_}.db"
            crawl_time, output = timed(
                [
                    sys.executable,
                    "-m",
                    "trustwatch.cli",
                    "crawl",
                    "--replay",
                    str(folder),
                    "--db",
                    str(database),
                    "--json",
                ]
            )
            database.unlink()
            summary = json.loads(output)["crawls"][0]
            download_times.append(download_time)
            crawl_times.append(crawl_time)
            print(
                f"round {round_}: download-only {download_time:6.2f} s "
                f"{int(downloaded) / download_time:7.1f} pages/s | trustwatch crawl "
                f"{crawl_time:6.2f} s {summary['pages'] / crawl_time:7.1f} pages/s "
                f"({summary['versions_new']} versions stored, {summary['errors']} errors) "
                f"| {crawl_time / download_time:.2f}x"
            )
        best_download, best_crawl = min(download_times), min(crawl_times)
        print(
            f"{'download-only (plain Scrapy spider)':<38} {best_download:7.2f} s "
            f"{pages / best_download:8.1f} pages/s  (best of {rounds})"
        )
        print(
            f"{'trustwatch crawl (parse, tag, store)':<38} {best_crawl:7.2f} s "
            f"{pages / best_crawl:8.1f} pages/s  (best of {rounds})"
        )
        print(
            f"ratio of the best times: {best_crawl / best_download:.2f}x download-only "
            f"(both include ~1 s of process start-up)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    main(*arguments)
