# covae: `make paper` regenerates the study, `make test` checks it. Both build .venv first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the package's dependency list changes.
INSTALLED := $(VENV)/.installed
CORES ?= all
# pytest-xdist workers for the test targets: one per core of a 2-core machine. Each test file
# runs on one worker (its module-wide fixtures, the smoke run above all, are built once), the
# smoke study's file first; tests/test_runs.py holds the whole runs that do not need it.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: help paper test test-full test-fast test-slurm lint format bench clean-results lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The exact versions the committed study ran with (requirements.lock), then the package itself.
$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Refresh the lock after changing pyproject.toml's dependencies or upgrading .venv: pins every
# package at the version installed in .venv, resolved by pip-compile (kept in its own venv).
lock: ## pin .venv's exact versions in requirements.lock (pip-compile)
	$(BIN)/python -m pip freeze --exclude-editable > $(VENV)/installed.txt
	@test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools)
	CUSTOM_COMPILE_COMMAND="make lock" .venv-lock/bin/pip-compile --quiet --extra test --extra lint \
		--constraint $(VENV)/installed.txt --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

# A run killed half-way leaves locks (removed here unless a snakemake still runs in this folder)
# and incomplete outputs (redone: the default profile sets rerun-incomplete).
paper: $(INSTALLED) ## run the whole pipeline (local profile, all cores): tables, figures, paper
	$(BIN)/python -m covae.locks
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES)

# Three tiers, by the pytest markers pyproject.toml defines (full, slow, slurm); tests/test_tiers.py
# checks what each target selects.
test: $(INSTALLED) ## the unit tests and the smoke study's DAG at its main budget, every check of its run
	$(PYTEST) -m "not slurm and not full"

test-full: $(INSTALLED) ## make test and the tests marked full: every test but SLURM's (what CI runs)
	$(PYTEST) -m "not slurm"

test-fast: $(INSTALLED) ## the unit tests only: no snakemake subprocess (the edit loop)
	$(PYTEST) -m "not slow and not full and not slurm" -q

# Needs root: installs and starts a one-node SLURM cluster on this machine if none runs.
test-slurm: $(INSTALLED) ## the smoke study through a local SLURM cluster, checked against a local run
	bash tools/local_slurm.sh
	$(BIN)/python -m pytest -m slurm -v tests/test_slurm.py

lint: $(INSTALLED) ## ruff (lint + import order + format) and snakefmt, check only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules

format: $(INSTALLED) ## rewrite the code in the house style
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow/rules

bench: $(INSTALLED) ## print the benchmarks: data (vs a per-image reference), evaluate, realism (vs budgets)
	$(BIN)/python -m covae.bench data
	$(BIN)/python -m covae.bench evaluate
	$(BIN)/python -m covae.bench realism

# What is kept is what git tracks: every file under results/ that .gitignore names goes.
clean-results: ## delete intermediates (data, models, latents, metrics, logs); keeps committed outputs
	git clean -fdX results/
