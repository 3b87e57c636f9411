# sosu-analysis: `make report` builds the reports from the shipped data,
# `make test` runs the tests. Both set up .venv from requirements.lock first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Deterministic, quiet and offline-friendly runs.
export PYTHONHASHSEED := 0
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# One BLAS thread per process: the tests and the chapters already use every core side by side, and the
# small matrices of the analysis gain nothing from threads (benchmarks/README.md). The pipeline sets the
# same for its kernels when the environment does not.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# Python's default: cache compiled modules (__pycache__/, git-ignored). An environment that turns it off
# (PYTHONDONTWRITEBYTECODE) makes every kernel, worker and CLI process recompile the package, about 0.5 s
# of CPU each, some hundred times per `make test`.
unexport PYTHONDONTWRITEBYTECODE
# Test workers (pytest-xdist): one per core; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help venv browser report lint test unit lab slow bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned packages (done by the other targets too)

browser: ## Install Debian's Chromium, the DejaVu fonts the report uses and pdftotext (poppler-utils) for the PDF checks
	@if { command -v chromium >/dev/null 2>&1 || [ -n "$$SOSU_CHROMIUM" ]; } && command -v pdftotext >/dev/null 2>&1; \
	  then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
	  echo "Chromium is missing and this user cannot install it: apt-get install chromium (as root)," \
	       "or set SOSU_CHROMIUM to a Chromium binary" >&2; exit 1; fi; \
	echo "installing Debian's chromium and poppler-utils (apt-get)"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core \
	  poppler-utils >/dev/null

report: $(STAMP) browser ## Run the whole pipeline on the shipped data: reports/ and the stored notebook outputs
	$(BIN)/sosu-analysis run --config config/default.yaml --output reports --update-notebooks

lint: $(STAMP) ## Check style (ruff, pydocstyle rules), types (mypy) and the layers (lint-imports); config in pyproject.toml
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) browser lint ## Run lint, the unit tests and the nbval checks of the stored notebooks
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) tests
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadscope --nbval notebooks --nbval-kernel-name python3 --nbval-sanitize-with notebooks/nbval_sanitize.cfg

unit: $(STAMP) ## The fast loop: the unit tests without the end-to-end pipeline runs (marker e2e) and nbval
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m 'not slow and not e2e' tests

lab: $(STAMP) ## Open the notebooks in JupyterLab (from .venv) to rerun or read an analysis
	$(BIN)/jupyter lab notebooks/

slow: $(STAMP) ## Run the slow simulation checks (not part of `make test`)
	$(BIN)/python -m pytest -q -m slow tests

bench: $(STAMP) ## Run the benchmark scripts and write their results to benchmarks/
	$(BIN)/python benchmarks/run_benchmarks.py

clean: ## Remove .venv and caches (keeps data and reports)
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
