"""``python -m trustwatch.cli``: the same as the ``trustwatch`` command."""

from .main import cli

if __name__ == "__main__":  # not when a parser process (spawned) imports it
    cli(prog_name="trustwatch")
