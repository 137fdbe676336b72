# dienbot — every target installs what it needs; nothing is assumed on the machine but python3.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# The intent classifier, trained from nlu/data (nlu trains it at start-up when this is stale).
MODEL := nlu/data/model.npz
MODEL_INPUTS := $(wildcard nlu/*.py nlu/data/*.json nlu/data/*.jsonl nlu/data/train/*.txt)

.PHONY: run test test-clock lint bench install clean chromium faketime model

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(MODEL): $(STAMP) $(MODEL_INPUTS)
	$(BIN)/dienbot nlu train

model: $(MODEL)

install: $(STAMP) $(MODEL)

## Set up and run the service on the embedded default (SQLite under ./var, web on 127.0.0.1:8080).
run: $(STAMP) $(MODEL)
	mkdir -p var
	$(BIN)/dienbot db upgrade
	$(BIN)/dienbot demo --if-empty
	$(BIN)/dienbot run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Debian's chromium for the browser tests (tests/bot/web/test_chat_page.py); never `playwright install`.
chromium:
	@if [[ ! -x /usr/bin/chromium ]]; then \
	    echo "make: installing Debian's chromium for the browser tests" >&2; \
	    if [[ $$(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null; \
	fi

## Lint, type-check, check the layering, then the whole suite on SQLite and PostgreSQL.
test: lint chromium $(MODEL)
	scripts/with-test-postgres.sh $(BIN)/pytest -q -p no:cacheprovider

## Debian's libfaketime for `make test-clock`.
faketime:
	@if ! command -v faketime >/dev/null; then \
	    echo "make: installing Debian's faketime for the clock runs" >&2; \
	    if [[ $$(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq faketime >/dev/null; \
	fi

## The SQLite half of the suite under libfaketime at the next 23:30 and 06:30 Vietnam time and at
## 00:30 on 1 January 2027 (scripts/test-clock.sh; long, not part of `make test`).
test-clock: $(STAMP) chromium faketime $(MODEL)
	scripts/test-clock.sh $(BIN)/pytest -q -p no:cacheprovider -m "not postgres"

## Benchmarks that print numbers (long; not part of `make test`).
bench: $(STAMP) $(MODEL)
	scripts/with-test-postgres.sh $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/pgtest $(MODEL)
