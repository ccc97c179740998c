# Herstel — `make demo` to run it, `make test` to test it. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install system-deps demo up test test-unit lint format bench bench-web clean translations-extract

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled translations (.mo) are committed too, so a plain `pip install` has them; this keeps them fresh.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard web/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(TRANSLATIONS)

# After changing user-facing text: extract it, then translate the new entries in web/translations/*/messages.po.
translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Template:1c,2 -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations

# Debian packages the browser tests, the letters' PDFs (DejaVu fonts; pdftotext in the tests) and
# the Redis fault tests (their own redis-server) need (skipped when present).
SYSTEM_PACKAGES := chromium fonts-dejavu-core poppler-utils redis-server
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: install
	$(BIN)/herstel demo

up: install
	$(BIN)/herstel up

test: install system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/chain.py
	$(BIN)/python bench/protocol_run.py

# Latency of `herstel web` on PostgreSQL under 16 and 64 clients (see bench/README.md, "Web latency").
bench-web: install
	$(BIN)/python bench/web_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
