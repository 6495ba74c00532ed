# Two commands on a fresh machine: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REVIEWS := data/reviews
export HF_HUB_OFFLINE := 1

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,llm]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/evidence ingest $(REVIEWS)
	$(BIN)/evidence serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy assistant ingest vectorstore app.py
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/retrieval_compare.py

clean:
	rm -rf $(VENV) .evidence .pytest_cache .mypy_cache .ruff_cache
