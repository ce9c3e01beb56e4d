# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest fuzz hostile clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

DEMO := examples/acme-valves

demo: $(STAMP)
	$(BIN)/rulekit validate policy/4321-dcbao.yaml examples/*/policy.yaml examples/*/proposal.yaml
	@mkdir -p out
	$(BIN)/rulekit dry-run --baseline $(DEMO)/policy.yaml --candidate $(DEMO)/proposal.yaml \
		$(DEMO)/history.xlsx --people $(DEMO)/people.csv --as-of 2027-01-01 --first 5 \
		--lang en --html out/acme-dry-run.html
	$(BIN)/rulekit dry-run --baseline $(DEMO)/policy.yaml --candidate $(DEMO)/proposal.yaml \
		$(DEMO)/history.xlsx --people $(DEMO)/people.csv --as-of 2027-01-01 --first 5 \
		--lang zh --html out/acme-dry-run.zh.html
	$(BIN)/rulekit replay examples/wps-export/policy.yaml examples/wps-export/history.csv \
		--people examples/wps-export/people.csv --as-of 2027-01-01 --lang zh -v
	@echo "HTML reports: out/acme-dry-run.html (English), out/acme-dry-run.zh.html (中文)"

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_validate.py --cases 100000

# hostile inputs and faults (issue 13): each case in a subprocess, under a timeout and a memory limit
hostile: $(STAMP)
	$(BIN)/python scripts/hostile_corpus.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
