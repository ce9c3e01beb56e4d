# Two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest fuzz clean

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
		$(DEMO)/history.xlsx --people $(DEMO)/people.csv --as-of 2027-01-01 \
		--html out/acme-dry-run.html
	@echo "HTML report: out/acme-dry-run.html"

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

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
