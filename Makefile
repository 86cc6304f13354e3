# Two entry points, both also in the README:
#   make site   install briefgen and build the shipped briefs into site/
#   make test   install everything the test suite needs, then run all of it
#
# Where Python packages go: the active virtual environment if there is one; else, when the
# system Python refuses `pip install` (PEP 668: stock Debian 12, Ubuntu 24.04), a virtual
# environment in .venv made here; else the Python found. USE_VENV=yes|no overrides the choice.
PYTHON ?= python3
VENV ?= .venv
USE_VENV ?= auto

MANAGED := $(shell $(PYTHON) -c "import os, sys, sysconfig; \
	inside = sys.prefix != sys.base_prefix; \
	marker = os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED'); \
	print('no' if inside else 'yes' if os.path.exists(marker) else 'no')")
ifeq ($(USE_VENV),auto)
  USE_VENV := $(MANAGED)
endif
ifeq ($(USE_VENV),yes)
  PY := $(VENV)/bin/python
else
  PY := $(PYTHON)
endif

.PHONY: site test lint bench python

site: python
	$(PY) -m pip install --quiet . && $(PY) -m briefgen build

test: python
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; }
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy src/briefgen
	$(PY) -m pytest

# The virtual environment, when one is used. Debian ships venv apart (python3-venv): as root
# we install it, as anyone else we say how.
python:
ifeq ($(USE_VENV),yes)
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV) 2>/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
		  $(PYTHON) -m venv $(VENV); } || \
		{ echo "make: cannot create $(VENV): install python3-venv (sudo apt install python3-venv), or run inside a virtual environment" >&2; exit 1; }
	@echo "make: using the virtual environment $(VENV) (activate it with: . $(VENV)/bin/activate)"
endif

bench: python
	$(PY) benchmarks/build.py
	$(PY) benchmarks/linkcheck.py
	$(PY) benchmarks/lint.py
	$(PY) benchmarks/markdown.py
