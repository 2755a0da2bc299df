"""The configured watch-list: which documents a source crawls by default."""

import tomllib
from importlib import resources


def watched(source: str) -> dict:
    """The watch-list entry of ``source`` (empty when it has none)."""
    text = resources.files("trustwatch.spiders").joinpath("watchlist.toml").read_text("utf-8")
    return tomllib.loads(text).get(source, {})
