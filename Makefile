# Two commands do all the set-up on a fresh machine with python3 and make:
#   make demo   builds the demo province and serves it (SQLite, no other service needed)
#   make test   runs the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PROVINCE ?= 11
SEED ?= 2025
STAMP := $(VENV)/.installed
# make demo / make serve are for development: they ask for debug (the default is off)
DEV := TONGKET_DEBUG=1

.PHONY: install demo serve serve-prod test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEV) $(BIN)/tongket migrate --no-input -v0
	$(DEV) $(BIN)/tongket demo --province $(PROVINCE) --seed $(SEED)
	$(DEV) $(BIN)/tongket analytics demo-targets --province $(PROVINCE)
	$(DEV) $(BIN)/tongket pcgd demo --province $(PROVINCE) --year 2025
	$(DEV) $(BIN)/tongket norms demo-register --province $(PROVINCE)
	$(DEV) $(BIN)/tongket collectstatic --no-input -v0
	@echo "Tongket chạy tại http://$(HOST):$(PORT)/  (Ctrl+C để dừng)"
	$(DEV) $(BIN)/tongket runserver $(HOST):$(PORT) --insecure

serve: $(STAMP)
	$(DEV) $(BIN)/tongket runserver $(HOST):$(PORT)

# Production: gunicorn with the production settings (debug off). Needs at least
# TONGKET_SECRET_KEY and TONGKET_ALLOWED_HOSTS (docs/deployment.md); WORKERS gunicorn workers.
WORKERS ?= 3
serve-prod: $(STAMP)
	@test -n "$$TONGKET_SECRET_KEY" || { echo "TONGKET_SECRET_KEY chưa đặt (docs/deployment.md)"; exit 2; }
	$(BIN)/tongket check --deploy --fail-level WARNING
	$(BIN)/tongket migrate --no-input -v0
	$(BIN)/tongket collectstatic --no-input -v0
	$(BIN)/gunicorn tongket.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --worker-class gthread --threads 4 --timeout 120 --access-logfile - --forwarded-allow-ips 127.0.0.1

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check $(wildcard src bench tests conftest.py)
	$(BIN)/ruff format --check $(wildcard src bench tests conftest.py)

typecheck: $(STAMP)
	$(BIN)/mypy src/tongket

bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
