# Two entry points: `make demo` and `make test`. Both set everything up from scratch on a
# fresh Debian machine with Python 3.11: the venv, pip installs and Debian's Chromium.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export ILID_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(ILID_HOME)/dagster
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: demo test lint docs setup chromium

demo: setup chromium
	$(VENV)/bin/ilid demo run

test: setup chromium lint docs
	$(VENV)/bin/pytest

# The documentation site; --strict fails on a broken link or a benchmark table without its record.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

setup: $(VENV)/.installed

# torch and torchvision first and pinned: pip takes them from this machine's wheel cache.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --upgrade pip
	$(VENV)/bin/pip install torch==2.14.1 torchvision==0.29.1
	$(VENV)/bin/pip install -e '.[dev]'
	touch $@

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
