"""Pure functions from fetched bytes to plain data: text, sections.

Nothing here does I/O or imports Scrapy or SQLite, so any stored raw response can be
re-parsed later (``trustwatch reparse``) and every function is tested on real texts.
"""
