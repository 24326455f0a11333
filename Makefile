# Two commands do all set-up on a fresh machine:  make run  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX := static/vendor/htmx.min.js
SWAGGER := static/vendor/swagger-ui/swagger-ui-bundle.js
AXE := static/vendor/axe.min.js

.PHONY: run test test-browser deps lint clean bench

# PyICU (Vietnamese collation) builds against the system's ICU: install its headers when they are missing.
$(BIN)/pakn: pyproject.toml constraints.txt
	@pkg-config --exists icu-i18n 2>/dev/null || (apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Pinned in package.json/package-lock.json, fetched from the npm registry, copied into static/ (not committed):
# htmx for officer pages, Swagger UI for /docs (served from here, never from a CDN), axe-core for the browser tests.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

$(HTMX): node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(SWAGGER): node_modules/.package-lock.json
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/favicon-32x32.png static/vendor/swagger-ui/

# axe-core: the accessibility checks of the browser tests (tests/browser/test_accessibility.py); never on a page.
$(AXE): node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/axe-core/axe.min.js $@

deps: $(BIN)/pakn $(HTMX) $(SWAGGER) $(AXE)

run: deps
	$(BIN)/pakn setup
	@echo "PAKN Điện Biên: http://$${HOST:-127.0.0.1}:$${PORT:-8000}  (mật khẩu ban đầu: var/initial-credentials.csv)"
	$(BIN)/pakn serve

test: deps
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (issue 8), see docs/performance.md: SQLite always, then PostgreSQL when scripts/start-postgres can start
# one (into a fresh database pakn_bench). Results in bench/results/<db>.json. A missed target is reported, not an
# error: this fails only when the harness itself breaks. BENCH_ARGS is passed on, e.g. BENCH_ARGS="--duration 5".
BENCH_PG := postgresql+psycopg://pakn:pakn@127.0.0.1:54329/pakn_bench
bench: deps
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	env -u DATABASE_URL $(BIN)/python bench/run.py $(BENCH_ARGS)
	@if bash scripts/start-postgres; then \
	  psql -h 127.0.0.1 -p 54329 -U postgres -q -v ON_ERROR_STOP=1 \
	    -c 'DROP DATABASE IF EXISTS pakn_bench WITH (FORCE)' -c 'CREATE DATABASE pakn_bench OWNER pakn' && \
	  $(BIN)/python bench/run.py --postgres $(BENCH_PG) $(BENCH_ARGS); \
	else echo "bench: no PostgreSQL server could be started; PostgreSQL pass skipped"; fi

lint: deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor
