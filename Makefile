# Two entry points, both also in the README:
#   make site   install briefgen and build the shipped briefs into site/
#   make test   install everything the test suite needs, then run all of it
PYTHON ?= python3

.PHONY: site test lint bench

site:
	$(PYTHON) -m pip install --quiet . && briefgen build

test:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; }
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	$(PYTHON) -m pip install --quiet -e '.[test]'
	$(PYTHON) -m ruff check src tests benchmarks
	$(PYTHON) -m mypy src/briefgen
	$(PYTHON) -m pytest

bench:
	$(PYTHON) benchmarks/build.py
	$(PYTHON) benchmarks/linkcheck.py
