# Guild: `make run` sets up and serves the app with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app guild
STAMP := $(VENV)/.installed-stamp

.PHONY: run dev test lint format bench bench-training bench-contests translations messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d guild/translations

## Serve http://127.0.0.1:5000 on the embedded SQLite database, with demo data on first run.
run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

dev: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --debug --host 127.0.0.1 --port 5000

## Lint, then the suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: $(STAMP) translations lint
	env -u TEST_DATABASE_URL $(BIN)/pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Extract the strings and merge them into the catalogues (then translate the empty ones).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k mark --no-location --sort-output -o guild/translations/messages.pot .
	$(BIN)/pybabel update -i guild/translations/messages.pot -d guild/translations --no-fuzzy-matching

## Training benchmarks on SQLite, then PostgreSQL (need wrk and the local server; the
## leaderboard campaign, 20M answers, is generated once per engine and cached in /tmp).
PG_BENCH := postgresql+psycopg://postgres@127.0.0.1
bench-training: $(STAMP) translations
	$(BIN)/python tests/benchmarks/answer_submission.py --profile 300
	$(BIN)/python tests/benchmarks/leaderboard.py
	$(BIN)/python tests/benchmarks/campaign_statistics.py
	$(BIN)/python tests/benchmarks/kill_durability.py
	for script in answer_submission kill_durability; do \
	  dropdb -h 127.0.0.1 -U postgres --if-exists guild_bench_$$script && \
	  createdb -h 127.0.0.1 -U postgres guild_bench_$$script && \
	  $(BIN)/python tests/benchmarks/$$script.py --database $(PG_BENCH)/guild_bench_$$script || exit 1; \
	done
	$(BIN)/python tests/benchmarks/leaderboard.py --engine postgresql
	$(BIN)/python tests/benchmarks/campaign_statistics.py --engine postgresql

## Contest benchmarks on SQLite, then PostgreSQL (the 2,000,000-mark contest is generated
## once per engine and cached).
bench-contests: $(STAMP) translations
	$(BIN)/python tests/benchmarks/contest_scoring.py
	$(BIN)/python tests/benchmarks/contest_results.py --measured 0
	$(BIN)/python tests/benchmarks/contest_results_page.py --measured 0
	dropdb -h 127.0.0.1 -U postgres --if-exists guild_contest_bench
	createdb -h 127.0.0.1 -U postgres guild_contest_bench
	$(BIN)/python tests/benchmarks/contest_results.py --measured 0 --database $(PG_BENCH)/guild_contest_bench
	$(BIN)/python tests/benchmarks/contest_results_page.py --measured 0 --database $(PG_BENCH)/guild_contest_bench

## Benchmarks: HTTP throughput (needs Debian's wrk: apt-get install -y wrk), then bank import.

bench: $(STAMP) translations
	$(BIN)/python tests/benchmarks/http_throughput.py --rounds 7 --seconds 4
	$(BIN)/python tests/benchmarks/question_import.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
