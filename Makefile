# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint format bench venv install install-dev migrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps so a second `make run` does not reinstall unless pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

run: install
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_program
	$(PY) manage.py ensure_local_admin
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two passes. First everything that needs only the database, in TEST_WORKERS processes
# (pytest-xdist; each gets its own test database and cache database). Then, one after another,
# the tests that start Celery workers, Redis servers, live servers or Chromium and share the test
# Redis database (marked services or browser). A test in neither pass does not exist.
TEST_WORKERS ?= 2
test: install-dev
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not services and not browser"
	$(PY) -m pytest -m "services or browser"

# ruff, the import contracts (pyproject.toml [tool.importlinter]: a backward import fails) and
# mypy with django-stubs on the domain apps and the pure core ([tool.mypy]).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs PostgreSQL and Redis (defaults: the local ones) and ApacheBench for the serving part;
# writes docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
bench: install-dev
	@command -v ab >/dev/null || { echo "make bench needs ApacheBench: apt-get install apache2-utils"; exit 2; }
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(BENCH_REDIS_URL)} \
	TEST_DATABASE_NAME=bench_$$$$ $(PY) -m bench.report

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
