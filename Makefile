# Waitroom: `make run` serves the demo clinic (and sends its webhooks); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= /usr/bin/chromium
NGINX ?= $(or $(shell command -v nginx 2>/dev/null),/usr/sbin/nginx)
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-postgres test-stock bench install install-test browser nginx gettext clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	@# The webhook worker runs beside the server and stops with it (Ctrl-C, or the server ending).
	$(BIN)/python manage.py deliver_webhooks & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/uvicorn waitroom.asgi:application --host $(HOST) --port $(PORT) \
		--lifespan off --ws waitroom.server.protocol:PageProtocol --ws-per-message-deflate false --no-access-log

# Browser tests drive Debian's Chromium; install it if this machine can.
browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y --no-install-recommends chromium >/dev/null || \
			{ apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }; \
		else echo "Browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium (or set CHROMIUM=...)"; exit 1; fi; }

# The deployment tests (deploy_check/) serve the site through Debian's nginx, as
# docs/deploy.md does; install it if this machine can (like Chromium above).
nginx:
	@test -x $(NGINX) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y --no-install-recommends nginx >/dev/null || \
			{ apt-get update >/dev/null && apt-get install -y --no-install-recommends nginx >/dev/null; }; \
		else echo "The deployment tests need nginx at $(NGINX): sudo apt-get install nginx (or set NGINX=...)"; exit 1; fi; }

# The translation check (waitroom/tests/test_translations.py) makes the German
# catalog again from the code with GNU gettext, as makemessages does.
gettext:
	@command -v msgattrib >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y --no-install-recommends gettext >/dev/null || \
			{ apt-get update >/dev/null && apt-get install -y --no-install-recommends gettext >/dev/null; }; \
		else echo "The translation check needs GNU gettext: sudo apt-get install gettext"; exit 1; fi; }

test: install-test browser nginx gettext
	CHROMIUM=$(CHROMIUM) NGINX=$(NGINX) $(BIN)/pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI runs both).
test-postgres: install-test browser nginx gettext
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/waitroom} CHROMIUM=$(CHROMIUM) NGINX=$(NGINX) $(BIN)/pytest $(PYTEST_ARGS)

# The real-server tests again with stock uvicorn and Channels (no waitroom/server/
# tuning), on SQLite: the other supported mode (CI runs it too).
test-stock: install-test browser
	DATABASE_URL= WAITROOM_SERVER_MODE=stock CHROMIUM=$(CHROMIUM) $(BIN)/pytest e2e scaleout $(PYTEST_ARGS)

# Waitroom against a bare-websockets ceiling, 1,000-10,000 callers (< 10 minutes; not part
# of `make test`). Needs PostgreSQL and Redis as for test-postgres; writes docs/benchmarks.md.
# BENCH_ARGS=--quick for a small run; see docs/benchmarks.md.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
