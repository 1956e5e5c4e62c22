# The two commands the README promises:
#   make lab   set up .venv, install the course, open JupyterLab on the first lesson
#   make test  set up .venv with the test extras and run the whole suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= test
PYTEST_ARGS ?=
LAB_ARGS ?=
# Jupyter refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help lab test lint format install install-test clean bench lock

help:
	@echo "make lab    - set up .venv and open JupyterLab on lessons/00_start_here.ipynb"
	@echo "make test   - set up .venv with the test extras and run the whole suite"
	@echo "make bench  - run the benchmarks in benchmarks/"
	@echo "make lock   - pin environment.yml to the packages installed in .venv"
	@echo "make clean  - remove .venv and build artefacts"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; v=sys.version_info; sys.exit(0 if (3,11) <= v[:2] < (3,13) else "Python 3.11 or 3.12 is required, found %d.%d (set PYTHON=...)" % v[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# environment.yml's pip: section is the one list of pinned versions: Binder and
# conda install it, and make installs with it as constraints.
$(VENV)/constraints.txt: environment.yml tools/env_constraints.py | $(BIN)/python
	$(BIN)/python tools/env_constraints.py environment.yml > $@

# One stamp per set of extras, redone whenever the dependencies change.
$(VENV)/.installed-base: pyproject.toml $(VENV)/constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -e .
	@touch $@

$(VENV)/.installed-%: pyproject.toml $(VENV)/constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -e ".[$*]"
	@touch $@

install: $(VENV)/.installed-base
install-test: $(VENV)/.installed-$(EXTRAS)

lab: $(VENV)/.installed-base
	@# validate the datasets once, so no lesson pays for it (the verdict is cached by content)
	$(BIN)/python -m course.data --quiet
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --LabApp.default_url=/lab/tree/lessons/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: install-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff's lint and format rules are in pyproject.toml; `make format` applies the formatter.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Rewrite environment.yml's pins from what is installed in .venv (tools/lock.py).
lock: $(VENV)/.installed-base
	$(BIN)/python tools/lock.py environment.yml

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache artifacts
