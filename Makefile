# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app quizapp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CATALOGS := $(patsubst %.po,%.mo,$(wildcard quizapp/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test audit bench bench-live serve validate import translations extract-messages chromium wrk clean

# The live games' browser client (npm's socket.io-client), served by the app itself: no CDN.
VENDOR := quizapp/static/vendor/socket.io.min.js

run: $(VENV)/.installed $(CATALOGS) $(VENDOR)  ## install, migrate, import the bank, serve on HOST:PORT
	$(FLASK) db upgrade
	$(FLASK) bank import
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(CATALOGS) chromium node_modules/.installed $(VENDOR)  ## install what the tests need and run them all
	$(BIN)/pytest

audit: $(VENV)/.installed-audit $(CATALOGS)  ## bandit, then sqlmap and schemathesis against a local instance
	$(BIN)/bandit -q -r quizapp -ll
	$(BIN)/python security/sqlmap_scan.py
	$(BIN)/python security/schemathesis_scan.py

# The PostgreSQL database the benchmarks may wipe (created if missing; schemas inside it are dropped).
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/quizapp_bench

bench: $(VENV)/.installed-bench $(CATALOGS) wrk  ## boards, item statistics, gunicorn vs a bare hello, SQLite and PostgreSQL; writes bench/results.md
	@# All of them always run; the exit status says whether every target was met.
	status=0; \
	$(BIN)/python bench/bank_bench.py || status=1; \
	$(BIN)/python bench/leaderboard_bench.py || status=1; \
	$(BIN)/python bench/leaderboard_bench.py --database-url '$(BENCH_DATABASE_URL)' || status=1; \
	$(BIN)/python bench/item_stats_bench.py || status=1; \
	$(BIN)/python bench/item_stats_bench.py --database-url '$(BENCH_DATABASE_URL)' || status=1; \
	$(BIN)/python bench/report_bench.py || status=1; \
	$(BIN)/python bench/report_bench.py --database-url '$(BENCH_DATABASE_URL)' || status=1; \
	QUIZAPP_BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(BIN)/python bench/http_bench.py || status=1; \
	exit $$status

# Live games under load (bench/live_bench.py): simulated players over WebSockets against gunicorn,
# one server and two sharing Redis. LIVE_BENCH_ARGS picks scenarios, e.g. '--players 500 --servers 1'.
# The default: the issue's two scenarios (1 x 2,000 and 10 x 200), each on 1 and on 2 servers, plus a
# ladder of one game's size (500, then 1,000) on one server; about 15 minutes.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/9
LIVE_BENCH_ARGS ?=
bench-live: $(VENV)/.installed-bench $(CATALOGS)  ## live games: join, ack, reveal fan-out, CPU; writes bench/results.md
	$(BIN)/python bench/live_bench.py --redis-url '$(BENCH_REDIS_URL)' $(LIVE_BENCH_ARGS)

validate: $(VENV)/.installed  ## check questions/ and report every problem
	$(FLASK) bank validate questions/

import: $(VENV)/.installed $(CATALOGS)
	$(FLASK) db upgrade
	$(FLASK) bank import

# One gunicorn worker with many threads: Socket.IO needs every request of a connection to reach
# the same process (a WebSocket holds a thread; simple-websocket does the upgrade).  More
# processes or machines: several `make serve` on other ports with QUIZAPP_SOCKETIO_MESSAGE_QUEUE
# set to one Redis, behind a proxy with sticky sessions (README, "Serving live games").
THREADS ?= 500
serve: $(VENV)/.installed $(CATALOGS) $(VENDOR)  ## production-style: gunicorn, one process, threads for WebSockets
	$(FLASK) db upgrade
	$(FLASK) bank import
	$(BIN)/gunicorn -w 1 --threads $(THREADS) -b $(HOST):$(PORT) --no-control-socket 'quizapp:create_app()'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: a second `make run` reinstalls only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-audit: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[audit]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

%.mo: %.po | $(BIN)/python
	@[ -x $(BIN)/pybabel ] || $(BIN)/pip install --quiet -e .
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

$(VENDOR): node_modules/.installed
	mkdir -p $(dir $@)
	cp node_modules/socket.io-client/dist/socket.io.min.js $@

# The Nu HTML Checker (vnu-jar, run with the machine's Java) checks every page the browser tests visit.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium drives the browser tests; Playwright's own download is not reachable here.
# fonts-noto-cjk: without a CJK font the Chinese pages' screenshots and tests show empty boxes
# (the app itself never downloads a font; see app.css).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update && \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 install -y chromium; }
	@dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' || { \
	  $(SUDO) apt-get update && \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 install -y fonts-noto-cjk; }

wrk:
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get -o DPkg::Lock::Timeout=300 install -y wrk; }

extract-messages: $(VENV)/.installed  ## after changing UI strings: refresh the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _msg -o quizapp/translations/messages.pot .
	$(BIN)/pybabel update -i quizapp/translations/messages.pot -d quizapp/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) build *.egg-info quizapp/translations/*/LC_MESSAGES/*.mo
