# `make run`: set up and run the platform with demo data.  `make test`: run the whole test suite.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test test-fast lint chart-check lock bench clean citus citus-stop

# CITUS=1 runs the platform and the tests on the local Citus cluster (`make citus`).
export CITUS

# Build tools first (hashed), then the lock without build isolation: pip fetches nothing unhashed,
# not even setuptools for the one package PyPI has no wheel for.
$(VENV)/.installed: requirements.lock requirements-build.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements-build.lock
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-build-isolation -r requirements.lock
	touch $@

run: $(VENV)/.installed
	$(PY) scripts/devstack.py run

test: $(VENV)/.installed
	$(PY) scripts/devstack.py test $(ARGS)

# The suite without its browser, faults, fuzz and slow tests (markers in pyproject.toml), on two
# pytest-xdist workers (a test database each), for the edit-test loop; `make test` (and .ci/run)
# still runs everything, in one process.
FAST := not browser and not faults and not fuzz and not slow
test-fast: $(VENV)/.installed
	$(PY) scripts/devstack.py test -m "$(FAST)" -n 2 --dist loadfile $(ARGS)

# A Citus coordinator and two workers under .var/citus (ports 9700-9702) with PgBouncer (9760);
# builds and installs Citus into the machine's PostgreSQL first when it is missing.
citus: $(VENV)/.installed
	$(PY) scripts/citus.py start

citus-stop:
	$(PY) scripts/citus.py stop

# ruff (style, McCabe complexity at most 12), no function over 60 lines, the import-linter layers
# contract (docs/architecture.md#layers).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_function_length.py
	$(VENV)/bin/lint-imports

# The Helm chart: lint, render with helm/ci/*.yaml, Kubernetes 1.31 schemas, policies, and checkov on
# the production render (installed on first use into .var/tools/checkov; no cluster needed).
chart-check: $(VENV)/.installed
	$(PY) scripts/check_chart.py

# Re-resolve the pinned dependency set from pyproject.toml (needs network access to PyPI), with the
# sha256 of every file of each pinned release. No index or find-links lines: where a machine finds
# its packages is its own pip configuration. Extras are kept (fonttools[woff]...): pip's hash mode
# refuses a dependency's extra that the file does not pin as such.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links
lock:
	$(PY) -m pip install -q pip-tools
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --extra dev --output-file requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --output-file requirements-runtime.lock pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --constraint requirements.lock --output-file requirements-build.lock requirements-build.in

bench: $(VENV)/.installed
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .var staticfiles
