# Observability as code for Toygres. `make dashboards` then `make test` is the whole set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DASHGEN := $(BIN)/dashgen
JS := generator/parsers/js
PREVIEW_JS := generator/preview/js
ENV ?= local

# Debian packages the tests and checks need (one word each: add yours here). `make test`
# installs the missing ones when it can (root with apt-get), else stops naming them.
# prometheus-alertmanager (amtool, Alertmanager) and victoria-metrics: the stack tests.
# chromium: the preview screenshots.
DEB_PACKAGES := prometheus prometheus-alertmanager victoria-metrics chromium

SOURCES := $(shell find generator dashboards alerts -name '*.py' -o -name '*.js' -not -path '*/node_modules/*' 2>/dev/null) \
	$(wildcard observability/env/*.yaml) pyproject.toml
STAMP := observability/.built

.PHONY: all dashboards tools test check check-seeds check-random-seeds bench deploy-grafana diff lint update-golden simulate alerts-report clean help \
	preview review stack-up stack-down stack-status

all: dashboards

help:
	@echo "make dashboards      create .venv, install, compile everything into observability/"
	@echo "make test            the test suite (includes dashgen build --check)"
	@echo "make lint            lint the compiled dashboards"
	@echo "make check           prove every panel against the simulated workload in Prometheus"
	@echo "make check-seeds     the same on seeds 1-20 (table per seed)"
	@echo "make diff            show what a deploy would change in Grafana (GRAFANA_URL, ...)"
	@echo "make deploy-grafana  push dashboards, folders and alert rules to Grafana"
	@echo "make update-golden   rewrite the golden files under tests/golden/ (review the diff!)"
	@echo "make bench           print the performance figures"
	@echo "make alerts-report   prove every alert: detection latency and false positives"
	@echo "make stack-up        start the docker-compose stack (Grafana, Prometheus, Alertmanager, Loki, collector, simulator)"
	@echo "make stack-down      stop it"
	@echo "make stack-status    each service's health endpoint and URL"
	@echo "make review          markdown diff vs the merge base + previews of changed dashboards (build/review/)"
	@echo "make preview         every dashboard as PNG + HTML with simulated data (build/preview/)"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --silent --no-audit --no-fund
	@touch $@

# A real file target: when no source changed since the last build, make does nothing.
$(STAMP): $(BIN)/.installed $(JS)/node_modules/.installed $(SOURCES)
	$(DASHGEN) build --env $(ENV)
	@touch $@

dashboards: $(STAMP) $(PREVIEW_JS)/node_modules/.installed

# uPlot for the previews, pinned by its own package-lock.
$(PREVIEW_JS)/node_modules/.installed: $(PREVIEW_JS)/package.json $(PREVIEW_JS)/package-lock.json
	cd $(PREVIEW_JS) && npm ci --silent --no-audit --no-fund
	@touch $@

# A package counts as present when dpkg has it or a command of its name is on PATH.
tools:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  [ "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" = "install ok installed" ] || command -v $$p >/dev/null || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "make: missing Debian packages; install them first: apt-get install -y --no-install-recommends$$missing" >&2; exit 1; \
	  fi; \
	fi

# pytest-xdist workers for `make test` (each test file runs whole on one worker, so a module's
# fixtures start once). TEST_WORKERS=0: one process, no workers.
TEST_WORKERS ?= auto

test: tools $(BIN)/.installed $(JS)/node_modules/.installed $(PREVIEW_JS)/node_modules/.installed
	$(DASHGEN) build --check --env $(ENV)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(DASHGEN) lint

check: tools $(STAMP)
	$(DASHGEN) check

# Every scenario on seeds 1-20 (none of them chose a bound): a table per seed; exit 1 on any error.
check-seeds: tools $(STAMP)
	$(DASHGEN) check --seeds 1-20

# CI: 3 seeds drawn afresh each run (printed, so a failure can be replayed with --seeds).
check-random-seeds: tools $(STAMP)
	@seeds=$$($(BIN)/python -c 'import random; r = random.SystemRandom(); print(",".join(str(r.randint(2, 999999)) for _ in range(3)))'); \
	echo "check on random seeds $$seeds (replay: dashgen check --seeds $$seeds)"; \
	$(DASHGEN) check --seeds $$seeds

# Connection from GRAFANA_URL / GRAFANA_TOKEN (or GRAFANA_USER / GRAFANA_PASSWORD), or from a
# private file: make deploy-grafana GRAFANA_ENV_FILE=~/.config/toygres/grafana.env
ENV_FILE_ARG := $(if $(GRAFANA_ENV_FILE),--env-file $(GRAFANA_ENV_FILE),)

diff: $(STAMP)
	$(DASHGEN) diff --env $(ENV) $(ENV_FILE_ARG)

deploy-grafana: $(STAMP)
	$(DASHGEN) deploy --env $(ENV) $(ENV_FILE_ARG)

update-golden: $(BIN)/.installed $(JS)/node_modules/.installed
	$(BIN)/python -m tests.golden_update

bench: tools $(STAMP) $(PREVIEW_JS)/node_modules/.installed
	$(BIN)/python -m bench

# Per alert rule: detection latency in its fault scenarios and false positives over 24 healthy
# hours, for seeds 121-130 (none chose a threshold), on a real Prometheus (long: docs/alerts.md).
alerts-report: tools $(STAMP)
	$(DASHGEN) alerts report

# What a pull request changes: the markdown diff against the merge base with main (or BASE=REF)
# and previews of the changed dashboards, before/after, into build/review/.
BASE ?= $(shell git merge-base HEAD main 2>/dev/null || git merge-base HEAD origin/main 2>/dev/null)

review: tools $(STAMP) $(PREVIEW_JS)/node_modules/.installed
	@test -n "$(BASE)" || { echo "no merge base with main: make review BASE=REF"; exit 2; }
	mkdir -p build/review
	$(DASHGEN) preview --changed-since $(BASE) --out build/review/previews
	$(DASHGEN) diff --base $(BASE) --format markdown --previews build/review/previews --previews-url previews \
	  > build/review/diff.md
	@echo "build/review/diff.md and build/review/previews/index.html"

preview: tools $(STAMP) $(PREVIEW_JS)/node_modules/.installed
	$(DASHGEN) preview --out build/preview

simulate: $(STAMP)
	$(DASHGEN) simulate --scenario healthy --duration 6h --out build/sim

# The generated docker-compose stack (needs Docker; variables from observability/.env, else
# observability/env.local.example). Replaces the old folder's start/stop/status scripts.
STACK_ENV_FILE_ARG := $(if $(STACK_ENV_FILE),--env-file $(STACK_ENV_FILE),)

stack-up: $(STAMP)
	$(DASHGEN) stack up $(STACK_ENV_FILE_ARG)

stack-down: $(BIN)/.installed
	$(DASHGEN) stack down $(STACK_ENV_FILE_ARG)

stack-status: $(BIN)/.installed
	$(DASHGEN) stack status

clean:
	rm -rf $(VENV) $(JS)/node_modules $(PREVIEW_JS)/node_modules $(STAMP)
