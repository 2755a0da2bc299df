"""The Scrapy project: one spider per source, and the machinery they share.

Spiders turn responses into :mod:`items`; :mod:`pipelines` parses them (with
``trustwatch.parsers``) and stores them (with ``trustwatch.db``). Spiders never write SQL.
"""
