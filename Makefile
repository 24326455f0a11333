# Two commands do all set-up on a fresh machine:  make run  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX := static/vendor/htmx.min.js

.PHONY: run test test-browser deps lint clean

$(BIN)/pakn: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Pinned in package.json/package-lock.json, fetched from the npm registry, copied into static/ (not committed).
$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

deps: $(BIN)/pakn $(HTMX)

run: deps
	$(BIN)/pakn setup
	@echo "PAKN Điện Biên: http://$${HOST:-127.0.0.1}:$${PORT:-8000}  (mật khẩu ban đầu: var/initial-credentials.csv)"
	$(BIN)/pakn serve

test: deps
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor
