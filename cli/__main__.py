"""``python -m trustwatch.cli``: the same as the ``trustwatch`` command."""

from .main import cli

cli(prog_name="trustwatch")
