# evkg — two commands on a fresh machine:
#   make serve   create .venv, install, build the default graph, serve http://127.0.0.1:8000
#   make test    install what the tests need (Python, npm and Debian packages), run ruff, mypy, pytest

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= build
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test system-deps allocator build serve test lint clean

# (the version asked first: a .venv made with an older Python stays, PYTHON= or not, and pip
# then refuses to install evkg in it)
PYTHON_IS = $$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not on PATH')
# (a Python's exit status: 0 when it is 3.11 or later, as evkg needs)
RECENT_ENOUGH = -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
$(BIN)/python:
	@$(PYTHON) $(RECENT_ENOUGH) || { \
		echo "make: evkg needs Python 3.11 or later, and PYTHON=$(PYTHON) is $(PYTHON_IS):" \
		"name another, as make serve PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# (a .venv made with an older Python before make asked, as a failed make serve left it, is named)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(BIN)/python $(RECENT_ENOUGH) || { \
		echo "make: $(VENV) was made with $$($(BIN)/python --version 2>&1), and evkg needs" \
		"Python 3.11 or later: remove it (rm -r $(VENV)) and make again, with PYTHON= a" \
		"Python 3.11 or later"; exit 1; }
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed node_modules/.package-lock.json

install-test: $(VENV)/.installed-test system-deps node_modules/.package-lock.json

# The query editor's YASGUI and /explore's Chart.js (and axe-core, which the browser tests run),
# from npm (package.json); node_modules/ is never committed.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm not found: the query editor falls back to a plain form and /explore shows \
	its numbers as tables (install Node.js and npm for YASGUI and Chart.js)"; fi

# mimalloc, the allocator `evkg serve` preloads (EVKG_ALLOCATOR): the server runs without it,
# so `make serve` installs it only when it can (root or sudo), else says so and goes on.
HAVE_MIMALLOC = $(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('mimalloc'))"

allocator:
	@$(HAVE_MIMALLOC) || { echo "installing Debian package: libmimalloc2.0"; \
		($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		 -y -qq libmimalloc2.0) || echo "could not install libmimalloc2.0: serving with the C \
		library's malloc"; }

# Debian packages the tests drive: headless Chromium (the browser tests, which Playwright drives),
# Virtuoso (the remote-store tests run the server suite against it) and nginx (the server
# behind a reverse proxy, tests/test_proxy.py: run as the tests' own process, not the service
# Debian's package starts); wrk, the load generator
# of benchmarks/server.py; mimalloc (above); lz4, which packs the sorted runs of the
# articles graph a build keeps for its dumps (kg/spool.py; without it they are kept plain);
# and strace, through which tests see a build and an export sync their files before renaming
# them; each only when missing.
system-deps:
	@missing=""; \
	$(HAVE_MIMALLOC) || missing="$$missing libmimalloc2.0"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v virtuoso-t >/dev/null 2>&1 || missing="$$missing virtuoso-opensource"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v lz4 >/dev/null 2>&1 || missing="$$missing lz4"; \
	command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: install
	$(BIN)/evkg build --out $(OUT)

# make serve builds the default graph (again after a `git pull` that changed the code or data),
# unless OUT's current release holds more: one grown by evkg ingest or fetch, or built of other
# sources, is served as it is (a build would make current the default graph without the rest,
# and the next ingest would grow that); `make build` builds the default graph whatever OUT holds.
GROWN = $(BIN)/python -c "import sys; from pathlib import Path; from kg.inputs import \
	grown_release; grown = grown_release(Path(sys.argv[1])); grown and print(f'make serve: \
	{sys.argv[1]}/current is {grown}: serving it as it is (make build OUT={sys.argv[1]} \
	builds the default graph and makes it current)'); sys.exit(not grown)" $(OUT)

serve: install allocator
	@$(GROWN) || $(BIN)/evkg build --out $(OUT)
	$(BIN)/evkg serve --store $(OUT) --host 127.0.0.1 --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install-test lint
	$(BIN)/python -m pytest -q

# make clean deletes OUT unless a release in it holds more than the default graph (grown by
# evkg ingest or fetch, or built of other sources: this repository cannot make it again), or
# fetch/ holds what evkg fetch downloaded, or it is no build folder, or there is no
# $(BIN)/python to tell (or it fails): then it keeps OUT and says why (kg.inputs.kept_by_clean).
KEPT = $(BIN)/python -c "import sys; from pathlib import Path; from kg.inputs import \
	kept_by_clean; kept = kept_by_clean(Path(sys.argv[1])); kept and print(f'make clean: \
	{kept}'); sys.exit(bool(kept))" $(OUT)

clean:
	@if [ ! -e $(OUT) ] && [ ! -L $(OUT) ]; then :; \
	elif [ ! -x $(BIN)/python ]; then echo "make clean: $(OUT) kept: without $(BIN)/python \
	(make install makes it) make cannot tell whether a release in it holds more than the \
	default graph (\`rm -rf $(OUT)\` deletes it)"; \
	elif $(KEPT); then echo rm -rf $(OUT); rm -rf $(OUT); fi
	rm -rf .pytest_cache .mypy_cache .ruff_cache
