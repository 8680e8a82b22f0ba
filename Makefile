# Corridor — set-up and everyday commands. Both `make run` and `make test` create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint sea-lanes clean postgres serve openapi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# PostgreSQL server binaries for the transit-service tests (Debian package); skipped when already present
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; fi; }

install: $(STAMP)

## make run: the main job — rank the China→Europe corridors on the shipped dataset
run: $(STAMP)
	$(BIN)/corridor compare "Xi'an" Duisburg --currency KZT

## make test: lint, layering contract and the whole test suite (SQLite and a real PostgreSQL server)
test: $(STAMP) postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

## make bench: speed against peers measured in the same run (not part of the tests); installs the bench extra
bench: $(STAMP) postgres
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/assignment.py
	$(BIN)/python bench/transit_load.py
	$(BIN)/python bench/simulation.py

## make serve: the transit service on http://127.0.0.1:8000 (SQLite by default, CORRIDOR_DATABASE_URL for PostgreSQL)
serve: $(STAMP)
	$(BIN)/corridor serve

## make openapi: regenerate openapi.json from the app
openapi: $(STAMP)
	CORRIDOR_DATABASE_URL=sqlite:// $(BIN)/python -m corridor.api.server openapi.json

## make sea-lanes: recompute sea-lane geometry with searoute after editing sea links
sea-lanes: $(STAMP)
	$(BIN)/python -m corridor.data.sea

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info
