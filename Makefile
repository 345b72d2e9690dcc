# Two commands matter: `make demo` and `make test` (see README). Everything installs itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SRC := shared services diklat builders
PYTEST_FLAGS ?= -p no:cacheprovider -q

.PHONY: install system-deps lint typecheck unit integration test demo bench soak asyncapi clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the dashboard's browser test (Playwright drives it; no browser download).
system-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium)"; exit 1; fi; }

lint: $(STAMP)
	$(BIN)/ruff check $(SRC) tests $(wildcard bench)
	$(BIN)/ruff format --check $(SRC) tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy $(SRC)

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_FLAGS) -m "not integration and not e2e and not browser and not soak"

integration: $(STAMP) system-deps
	$(BIN)/pytest $(PYTEST_FLAGS) -m "integration or e2e or browser"

test: $(STAMP) system-deps lint typecheck
	$(BIN)/pytest $(PYTEST_FLAGS) --durations=15 -m "not soak"

soak: $(STAMP)
	$(BIN)/pytest $(PYTEST_FLAGS) -m soak -s

demo: $(STAMP)
	$(BIN)/diklat demo

asyncapi: $(STAMP)
	$(BIN)/diklat asyncapi --out docs/asyncapi.json

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	-$(BIN)/diklat stack down
	rm -rf .stack test-artifacts
