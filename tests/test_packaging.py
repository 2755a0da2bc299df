"""trustwatch installs as a wheel: the four stage packages, the watch-list, the command."""

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_holds_every_stage_and_runs_outside_the_checkout(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("trustwatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in (
        "cli/main.py",
        "spiders/california.py",
        "spiders/watchlist.toml",
        "spiders/documents.yml",
        "parsers/sections.py",
        "db/store.py",
    ):
        assert f"trustwatch/{module}" in names
    assert not any(name.startswith("trustwatch/__init__") for name in names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # Run from an empty folder so nothing of the checkout can be imported by accident.
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path[:0] = [{str(target)!r}] + {sys.path[1:]!r}; "
            "import trustwatch.cli.main as m; print(m.__file__); "
            "from trustwatch.spiders.watchlist import watched; "
            "print(watched('california')['bills'][0])",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout and "201320140AB4" in result.stdout
