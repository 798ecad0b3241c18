# HairOnto developer tasks. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/haironto: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/haironto ## Create .venv and install the package with its test dependencies

test: install ## Run the test suite (slow benchmark-sized runs excluded)
	$(BIN)/pytest -m "not slow"

lint: install ## Check style with ruff
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

build: install ## Build the release artifacts from ontology/haironto-edit.ttl
	$(BIN)/haironto build

check: install ## Run the QC report on the ontology
	$(BIN)/haironto check

release: install ## Publish the dated release of the package version into releases/ (never overwrites)
	$(BIN)/haironto release

reason: install ## Check consistency with HermiT and Pellet
	$(BIN)/haironto reason

serve: install ## Serve the SPARQL endpoint on http://127.0.0.1:8000/sparql (gunicorn)
	$(BIN)/haironto serve

yasgui: ## Refresh the bundled YASGUI from npm (YASGUI_VERSION=x.y.z for another version)
	scripts/update-yasgui.sh $(YASGUI_VERSION)

bench/.venv/bin/oxigraph:
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet 'rdflib-endpoint[cli]' oxigraph uvicorn

bench-peers: bench/.venv/bin/oxigraph ## Install the benchmark's peers (rdflib-endpoint, Oxigraph server) in bench/.venv

bench-service: install bench-peers ## Benchmark the service against its peers (writes bench/RESULTS-service.md)
	@command -v wrk >/dev/null || echo "bench: no wrk (apt-get install wrk); the Python load generator is used"
	$(BIN)/python bench/http_service.py

bench-scale: install bench-peers ## Backends at 10^5..10^7 triples (writes bench/RESULTS-scale.md, bench/scale.png)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/scale.py

.PHONY: help install test lint build check release reason serve yasgui bench-peers bench-service bench-scale
