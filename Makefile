# Two commands matter: `make demo` (set up, then run the whole stack locally) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench browser node

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/peercoach dev

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy domain activities workflows workers peercoach web store

# The browser tests drive Debian's chromium (playwright cannot download browsers here).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Node programs the tests run against (axe-core, oidc-provider), pinned by tests/services/node/package-lock.json.
node:
	cd tests/services/node && npm ci --no-audit --no-fund --silent

# Database tests run on SQLite and on a real PostgreSQL, started here (and installed where it is missing).
test: lint browser node
	PEERCOACH_TEST_POSTGRES_URL=$$(tests/services/postgres.sh) $(VENV)/bin/pytest -q -n 2 --durations=20

# Plain Temporal and this program on this machine, as ratios; figures in .peercoach/bench.json.
bench: setup
	$(VENV)/bin/python -m bench
