# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install db demo serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

db: install
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz db upgrade

demo: db
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz demo-data

serve: install
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz serve --host $(HOST) --port $(PORT)

## make run: set up everything, create the embedded SQLite database, load demo data, serve on 127.0.0.1:8000
run: demo serve

## make test: set up and run the whole test suite
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
