# PES assistant: the two commands are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
BIN    := $(VENV)/bin
ENV    := source scripts/env.sh &&
RASA   := $(ENV) $(BIN)/rasa
PY     := $(ENV) $(BIN)/python
STAMP  := $(VENV)/.installed-lock

.PHONY: help setup run train test lint typecheck unit validate rasa-test nlu-test eval shell clean test-scale bench browser-deps

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.lock scripts/bootstrap.sh
	@scripts/bootstrap.sh

setup: $(STAMP)  ## create .venv with Python 3.10 and install the lock file

train: setup  ## train a model when there is none or the data changed
	@mkdir -p models var
	$(RASA) train --quiet --out models --fixed-model-name current

run: train  ## set everything up and run the whole assistant (Ctrl-C stops it)
	$(PY) -m bot.stack

shell: train  ## talk to the assistant in the terminal (rasa shell)
	$(ENV) ( $(BIN)/python -m actions --port $$ACTION_PORT >var/actions.log 2>&1 & trap 'kill %1' EXIT; $(BIN)/rasa shell -m models )

lint: setup  ## ruff, and import-linter's layer contract (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup  ## mypy
	$(BIN)/mypy

browser-deps:  ## Debian's chromium and axe-core for the browser tests (tests/browser)
	@scripts/browser-deps.sh

unit: setup browser-deps  ## pytest
	$(PY) -m pytest

validate: setup  ## rasa data validate
	$(RASA) data validate --fail-on-warnings

rasa-test: train  ## conversation test stories, failing on any prediction error
	$(RASA) test core --stories tests/conversations --model models --fail-on-prediction-errors --no-plot --out var/results/core

nlu-test: train  ## NLU on the held-out test set (never trained on)
	$(RASA) test nlu --nlu tests/nlu --model models --no-plot --out var/results/nlu
	$(PY) -m scripts.check_nlu_results var/results/nlu

eval: train  ## regression (tests/nlu) and the unseen sets (tests/unseen, tests/unseen_b) side by side: accuracy, urgent recall, dangerous pairs (docs/nlu.md)
	$(PY) -m scripts.evaluate

test-scale: train  ## two Rasa replicas on PostgreSQL + Redis, one killed mid-run: no turn lost
	$(ENV) PES_SCALE_TEST=1 $(BIN)/python -m pytest tests/scale -q

bench: train  ## closed-loop load: ours vs a stock `rasa init` assistant (docs/performance.md)
	$(PY) -m scripts.bench

test: lint typecheck validate train unit rasa-test nlu-test test-scale  ## set up and run every test

clean:  ## remove trained models and local data (keeps .venv)
	rm -rf models/* var/*
