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

.PHONY: install demo serve test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tongket migrate --no-input -v0
	$(BIN)/tongket demo --province $(PROVINCE) --seed $(SEED)
	$(BIN)/tongket analytics demo-targets --province $(PROVINCE)
	$(BIN)/tongket pcgd demo --province $(PROVINCE) --year 2025
	$(BIN)/tongket norms demo-register --province $(PROVINCE)
	$(BIN)/tongket collectstatic --no-input -v0
	@echo "Tongket chạy tại http://$(HOST):$(PORT)/  (Ctrl+C để dừng)"
	$(BIN)/tongket runserver $(HOST):$(PORT) --insecure

serve: $(STAMP)
	$(BIN)/tongket runserver $(HOST):$(PORT)

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
