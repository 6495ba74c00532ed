# Two commands on a fresh machine: `make run` and `make test`. Both build .venv first, from the
# pinned versions in constraints.txt (`make lock` refreshes it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
# uv does not read pip's configuration: pass on pip's find-links (e.g. a local CPU build of torch).
FIND_LINKS ?= $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null))
UV_PIP := $(UV) pip install --quiet --python $(BIN)/python $(if $(FIND_LINKS),--find-links $(FIND_LINKS))
CONSTRAINTS := constraints.txt
REVIEWS := data/reviews
export HF_HUB_OFFLINE := 1

# `EVIDENCE_LLM=llamacpp make run` (or openai) also installs the optional LLM extra.
RUN_EXTRAS := $(if $(filter llamacpp openai,$(EVIDENCE_LLM)),llm)

.PHONY: run run-llm test chromium bench lock clean

# uv installs the pinned set about 7x faster than pip from a cold cache (docs/benchmarks.md).
$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# One stamp per set of extras: `make run` never compiles llama.cpp; `make test` installs everything.
define install
	$(UV_PIP) -c $(CONSTRAINTS) -e '.$(1)'
	touch $@
endef
$(VENV)/.installed-base: pyproject.toml $(CONSTRAINTS) | $(UV)
	$(call install,)
$(VENV)/.installed-llm: pyproject.toml $(CONSTRAINTS) | $(UV)
	$(call install,[llm])
$(VENV)/.installed-all: pyproject.toml $(CONSTRAINTS) | $(UV)
	$(call install,[dev$(comma)llm])

comma := ,

run: $(VENV)/.installed-$(or $(RUN_EXTRAS),base)
	$(BIN)/evidence ingest $(REVIEWS)
	$(BIN)/evidence serve

run-llm:
	EVIDENCE_LLM=llamacpp $(MAKE) run

test: $(VENV)/.installed-all chromium
	$(BIN)/ruff check .
	$(BIN)/mypy assistant ingest vectorstore app.py
	$(BIN)/python -m pytest

chromium:
	@sh tests/e2e/ensure_chromium.sh

bench: $(VENV)/.installed-all
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/retrieval_compare.py
	$(BIN)/python bench/first_answer.py
	$(BIN)/python bench/answer_sets.py
	$(BIN)/python bench/realdocs.py

# Resolve every dependency (all extras) afresh and pin the result; commit the new constraints.txt.
lock: | $(UV)
	{ echo "# Every package make run / make test may install, pinned; refresh with make lock."; \
	  $(UV) pip compile pyproject.toml --all-extras --quiet --no-header --no-annotate \
		$(if $(FIND_LINKS),--find-links $(FIND_LINKS)) | sed 's/+cpu$$//'; } > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) .evidence .pytest_cache .mypy_cache .ruff_cache
