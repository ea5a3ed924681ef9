# riskmon — every target sets itself up from a clean clone.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
             if command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not ((3,11) <= sys.version_info[:2] < (3,13)))'; then \
               echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench bench-web clean serve

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "riskmon needs Python 3.11 or 3.12 (durable_rules does not import on 3.13)"; exit 1; }
	@# the browser tests drive Debian's chromium (never a downloaded build) with the system Japanese fonts and its locales (chromium-l10n: a date input is 年/月/日 only with ja.pak); poppler-utils' pdfinfo reads the printed PDFs' pages
	@if [ "$$(id -u)" = 0 ]; then (command -v chromium >/dev/null && dpkg -s fonts-noto-cjk chromium-l10n poppler-utils >/dev/null 2>&1) || (apt-get update && apt-get install -y chromium chromium-l10n fonts-noto-cjk poppler-utils); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The main job on the embedded SQLite default: schema, sample year in, rules checked, the year
# evaluated as of its last evening, and what came of it.
# The sample contains deliberately bad records: ingest exits 3 ("some rejected"), which is expected here.
DEMO_AS_OF ?= 2026-03-31T23:00
demo: $(STAMP)
	$(BIN)/riskmon db upgrade
	$(BIN)/riskmon ingest sample_events/ || test $$? -eq 3
	$(BIN)/riskmon rejects list
	$(BIN)/riskmon rules check
	@# FY2024 evaluated and its cases' flags worked as the second line did then, before the year (scripts/demo_history.py)
	$(BIN)/python scripts/demo_history.py
	$(BIN)/riskmon evaluate --as-of $(DEMO_AS_OF)
	$(BIN)/riskmon flags list --severity critical --limit 10
	$(BIN)/riskmon flags list --rule R10
	$(BIN)/riskmon flags show 1
	$(BIN)/python scripts/demo_review.py
	$(BIN)/riskmon report committee --from 2025-04-01 --to 2025-09-30
	$(BIN)/riskmon report committee --from 2026-02-01 --to 2026-03-31 --as-of $(DEMO_AS_OF)
	$(BIN)/riskmon report monthly --month 2025-05
	$(BIN)/riskmon report annual --fiscal-year 2025
	$(BIN)/riskmon report assurance --period FY2025
	@echo "Reports: $$(pwd)/var/reports  (committee_*/committee.{md,html,xlsx,pdf}, monthly_*/monthly.{md,xlsx})"
	@# last, so the one-time passwords of the web accounts are what the screen ends with (README.md)
	$(BIN)/python scripts/demo_accounts.py

# The review web application on the demo database (http://127.0.0.1:8000/); the accounts and their
# one-time passwords are the table `make demo` ends with (README.md, "ブラウザで使う").
serve: $(STAMP)
	$(BIN)/riskmon serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check riskmon tests bench scripts
	$(BIN)/mypy riskmon
	$(BIN)/lint-imports

lint: $(STAMP)
	$(BIN)/ruff check riskmon tests bench scripts
	$(BIN)/ruff format --check riskmon tests bench
	$(BIN)/mypy riskmon
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

# The review pages at 10 concurrent users, SQLite and PostgreSQL (docs/benchmarks.md, "Web pages");
# BENCH_WEB_ARGS="--events 100k" for a quick run. The evaluated store is kept in var/bench/.
bench-web: $(STAMP)
	$(BIN)/python bench/web.py $(BENCH_WEB_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
