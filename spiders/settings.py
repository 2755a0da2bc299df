"""Scrapy settings for every trustwatch spider: polite by default.

Replay and record switch on the HTTP cache with :mod:`trustwatch.spiders.replay`'s
folder storage (the CLI sets the ``TRUSTWATCH_RECORDING_*`` keys). Anything an operator
may want to change comes from the environment: ``TRUSTWATCH_DB``,
``TRUSTWATCH_CONTACT`` (the contact URL sent in the User-Agent) and
``TRUSTWATCH_PARSE_WORKERS`` (parser processes; default one less than the cores).
"""

import os

BOT_NAME = "trustwatch"
SPIDER_MODULES = ["trustwatch.spiders"]
NEWSPIDER_MODULE = "trustwatch.spiders"

CONTACT = os.environ.get("TRUSTWATCH_CONTACT", "https://github.com/trustwatch/trustwatch")
USER_AGENT = f"trustwatch/0.1 (civic research crawler; +{CONTACT})"
ROBOTSTXT_OBEY = True

# One request at a time per site, a second apart, slower when the site is slow.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries with back-off: the retry middleware retries, ours slows the site down first.
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {"trustwatch.spiders.backoff.BackoffMiddleware": 560}
TRUSTWATCH_BACKOFF_MAX_DELAY = 300.0

DOWNLOAD_TIMEOUT = 60
# A bill page is rarely over a few MB; a body this big is a mistake, not a bill.
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024

ITEM_PIPELINES = {"trustwatch.spiders.pipelines.StorePipeline": 300}
# Items processed at once per response. Scrapy 2.19 starts this many asyncio tasks for
# every response's output (100 by default: ~0.5 ms a page); a page here yields one
# version or a few, and items of different pages are processed at once anyway.
CONCURRENT_ITEMS = 8
EXTENSIONS = {"trustwatch.spiders.progress.Progress": 500}

HTTPCACHE_ENABLED = False
HTTPCACHE_STORAGE = "trustwatch.spiders.replay.FolderStorage"
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.DummyPolicy"

TRUSTWATCH_DB = os.environ.get("TRUSTWATCH_DB", "trustwatch.db")
# Processes that parse fetched versions beside the crawl (spiders/parsing.py); 0 parses
# in the crawl process.
TRUSTWATCH_PARSE_WORKERS = int(
    os.environ.get("TRUSTWATCH_PARSE_WORKERS", max(0, (os.cpu_count() or 1) - 1))
)
TRUSTWATCH_PROGRESS = False

# Scrapy 2.19 opens a remote-control HTTP server and a telnet console by default;
# a crawler run from cron needs neither.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

LOG_LEVEL = os.environ.get("TRUSTWATCH_LOG_LEVEL", "WARNING")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
