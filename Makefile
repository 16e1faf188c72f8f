# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: run test bench bench-browser lint clean

# The virtual environment with the project and its test tools: uv when it can be had
# (about ten times faster here), plain pip otherwise.
$(STAMP): pyproject.toml
	@if $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q uv; then \
		[ -x $(BIN)/python ] || $(PYTHON) -m uv venv -q $(VENV); \
		$(PYTHON) -m uv pip install -q --python $(BIN)/python -e '.[test]'; \
	else \
		[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install -q -e '.[test]'; \
	fi
	@touch $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port 8501

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --ignore=tests/e2e  # two processes (pytest-xdist)
	$(BIN)/python -m pytest tests/e2e  # one app, one browser: one test after another

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_bernoulli.py
	$(BIN)/python benchmarks/bench_bayesian.py
	$(BIN)/python benchmarks/bench_upload.py
	$(BIN)/python benchmarks/bench_selection.py
	$(BIN)/python benchmarks/bench_hmm.py
	$(BIN)/python benchmarks/bench_missing.py
	$(BIN)/python benchmarks/bench_export.py

bench-browser: $(STAMP) $(CHROMIUM)
	$(BIN)/python benchmarks/bench_browser.py

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) static .pytest_cache .ruff_cache .hypothesis screenshots
