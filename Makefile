# Two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up, replay-crawl the bundled sample, build trustwatch.db, serve Datasette
#   make test   set up and run the test suite (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8001
STAMP := $(VENV)/.installed

.PHONY: demo test setup browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/trustwatch demo --port $(PORT)

# The redline page is tested in a real browser: Debian's Chromium, installed when missing
# (as root, e.g. in CI); elsewhere that one test is skipped with a message.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser test will be skipped"; fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/cog --check README.md

bench: $(STAMP)
	$(BIN)/python bench/provisions.py
	$(BIN)/python bench/redline.py

clean:
	rm -rf $(VENV) build dist *.egg-info trustwatch.db
