# The front door. Every target builds the environment it needs itself, from the committed locks:
#   uv.lock                  the development set (make test, make demo, CI)
#   requirements/lowest.txt  the lowest versions pyproject.toml admits (make test-lowest, CI)
# Only `make lock` changes either file. A fresh machine needs nothing but Python 3.11 and pip:
# uv itself is installed from PyPI, at the pinned version below, into .tools/.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
PYTEST_ARGS ?=
# The Pythons `make test-pythons` runs the suite on, besides the default one.
OTHER_PYTHONS ?= 3.10 3.13

# Never let uv fetch an interpreter of its own: use the machine's, or fail saying which is missing.
export UV_PYTHON_DOWNLOADS := never
# The wheel test (tests/packaging) uses the same uv.
export MEMORIES_UV := $(abspath $(UV))

# Options shared by every resolution: the lock is universal (every Python we support), and what
# `make lock` writes for the lowest set is resolved for the default Python.
LOWEST_COMPILE = $(UV) pip compile pyproject.toml --all-extras --group pyproject.toml:dev \
	--resolution lowest-direct --python-version 3.11 --generate-hashes --no-header --quiet

.PHONY: help venv demo test test-full lint format pytest bench soak hostile fuzz mutate clean lock \
	test-lowest test-latest test-pythons docs docs-check

help:
	@echo "make demo          - run the tour (real API with MEMORIES_API_KEY, else the bundled emulator)"
	@echo "make test          - the inner loop: ruff, mypy --strict and the suite but its long tests, fuzz shortened"
	@echo "make test-full     - the rest at full strength: long tests (wheel, notebooks, docs site), full fuzz (CI)"
	@echo "make test-lowest   - the suite on the lowest versions pyproject.toml admits (requirements/lowest.txt)"
	@echo "make test-latest   - lint and the suite on the newest versions pyproject.toml admits (not locked)"
	@echo "make test-pythons  - mypy and the locked suite on Python $(OTHER_PYTHONS)"
	@echo "make lock          - re-resolve uv.lock and requirements/lowest.txt on purpose"
	@echo "make lint          - ruff and mypy only"
	@echo "make fuzz          - the property tests with random examples (FUZZ_EXAMPLES=$(FUZZ_EXAMPLES))"
	@echo "make mutate        - mutation testing of parsing, streaming, dialects, retries, prices, schema, media"
	@echo "make bench         - benchmarks; writes benchmarks/RESULTS.md"
	@echo "make docs          - build the docs site into site/ (MkDocs + mkdocstrings, strict)"
	@echo "make docs-check    - make docs, then check the API reference in headless Chromium"
	@echo "make live          - check every API assumption against the service (plan and cost only, without MEMORIES_API_KEY)"
	@echo "make live-suites   - the tests marked live, LangChain's standard suites included (needs MEMORIES_API_KEY)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# --locked: fail, rather than re-resolve, if pyproject.toml and uv.lock disagree.
$(STAMP): $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --all-extras --python $(PYTHON) --quiet
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/tour.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
# Two loops, and CI (.ci/run) runs both, so together they are the whole suite at full strength:
#   make test       the inner loop: every test but those marked `long` (wheel installs, the
#                   notebooks, the docs site build, pytest sessions run in a subprocess), and
#                   the `fuzz` runs of bad input at QUICK_FUZZ_EXAMPLES;
#   make test-full  exactly what make test leaves out or shortens: the `long` tests, and the
#                   `fuzz` runs at their module's full default count (tests/RELIABILITY.md).
# The fuzz of bad responses keeps its full count in both: a success is rare among its replies,
# and its check that the run met one needs them all.
# Workers steal queued tests from each other, so one long test does not hold the run's end.
# Two workers per core: many tests wait on loopback servers and timeouts, and a core would idle.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(2 * (os.cpu_count() or 1))")
XDIST := -n $(PYTEST_WORKERS) --dist worksteal
QUICK_FUZZ_EXAMPLES ?= 200
pytest: $(STAMP)
	RELIABILITY_FUZZ_EXAMPLES=$(QUICK_FUZZ_EXAMPLES) $(BIN)/pytest $(XDIST) -m "not long" $(PYTEST_ARGS)

test: lint pytest

test-full: $(STAMP)
	$(BIN)/pytest $(XDIST) -m "long or fuzz" $(PYTEST_ARGS)

lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	@mkdir -p requirements
	@# uv pip compile would prefer the versions already in its output file: start from nothing.
	rm -f requirements/lowest.txt
	$(LOWEST_COMPILE) -o requirements/lowest.txt

# The lowest set: a venv of its own, synced exactly to requirements/lowest.txt, the project on top.
.venv-lowest/.synced-stamp: $(UV) pyproject.toml requirements/lowest.txt
	$(UV) venv --clear --quiet --python $(PYTHON) .venv-lowest
	$(UV) pip sync --quiet --python .venv-lowest/bin/python requirements/lowest.txt
	$(UV) pip install --quiet --python .venv-lowest/bin/python --no-deps -e .
	@touch $@

test-lowest: .venv-lowest/.synced-stamp
	.venv-lowest/bin/pytest $(XDIST) $(PYTEST_ARGS)

# The newest set pyproject.toml admits today, resolved afresh every time and never committed:
# this is how drift is found before users meet it. Not in CI, which would go red on a release.
test-latest: $(UV)
	$(UV) venv --clear --quiet --python $(PYTHON) .venv-latest
	$(UV) pip compile pyproject.toml --all-extras --group pyproject.toml:dev --upgrade \
		--python .venv-latest/bin/python --no-header --quiet -o .venv-latest/requirements.txt
	$(UV) pip sync --quiet --python .venv-latest/bin/python .venv-latest/requirements.txt
	$(UV) pip install --quiet --python .venv-latest/bin/python --no-deps -e .
	@echo "--- test-latest resolved:"; grep -E '^(httpx|pydantic|langchain-core|llama-index-core|mypy|ruff)==' .venv-latest/requirements.txt
	.venv-latest/bin/ruff check .
	.venv-latest/bin/ruff format --check .
	.venv-latest/bin/mypy
	.venv-latest/bin/pytest $(PYTEST_ARGS)

# The locked set on each other supported Python (uv.lock is universal, so no re-resolution).
# An interpreter is found through pyenv when it has one (its shims hide inactive versions),
# else on PATH as pythonX.Y.
test-pythons: $(UV)
	@for v in $(OTHER_PYTHONS); do \
		py="$$(pyenv prefix "$$v" 2>/dev/null)/bin/python$$v"; \
		[ -x "$$py" ] || py="$$(command -v "python$$v" 2>/dev/null)"; \
		[ -n "$$py" ] && "$$py" -c "" 2>/dev/null || { \
			echo "make test-pythons: no Python $$v on this machine (neither pyenv nor PATH has it);"; \
			echo "install it (for example 'pyenv install $$v') or set OTHER_PYTHONS."; exit 1; }; \
		echo "--- Python $$v ($$py)"; \
		UV_PROJECT_ENVIRONMENT=.venv-py$$v $(UV) sync --locked --all-extras --python "$$py" --quiet \
			&& .venv-py$$v/bin/mypy && .venv-py$$v/bin/pytest $(PYTEST_ARGS) || exit 1; \
	done

# Explore: the property tests with random examples, many more of them, and an example database
# (.hypothesis/) that replays a failure until it is fixed. `make test` and CI are derandomized.
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz RELIABILITY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		RELIABILITY_RESPONSE_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(BIN)/pytest tests/reliability/test_fuzz_inputs.py tests/reliability/test_fuzz_responses.py \
		tests/unit $(PYTEST_ARGS)

# Mutation testing (mutmut, configured in pyproject.toml) of the modules where a silent bug costs
# users money or data. Not in CI: about 25 minutes on 2 cores. Prints the kill rate per module and
# every survivor, rewrites its figures in tests/RELIABILITY.md, and fails below 90% or on a
# survivor that tests/RELIABILITY.md does not explain. mutants/ is mutmut's working copy.
mutate: $(STAMP)
	$(BIN)/python benchmarks/mutation.py

# The docs site: docs/*.md and the API reference from the docstrings (mkdocs.yml). Strict: a
# warning (a broken link or #section, an unresolved reference, a page left out of nav) fails.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet
	@echo "docs site built: site/index.html"

# Opens the built API page of ChatMemoriesGemini in headless Chromium (Debian's package) and
# checks that its parameters are rendered. Installs chromium with apt-get when it is missing
# and this is root on Debian; otherwise says how.
CHROMIUM ?= chromium
docs-check: docs
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y --no-install-recommends chromium; \
		else \
			echo "make docs-check needs Chromium: sudo apt-get install chromium (or CHROMIUM=/path)"; \
			exit 1; \
		fi; }
	MEMORIES_DOCS_SITE=site MEMORIES_DOCS_BROWSER=$$(command -v $(CHROMIUM)) $(BIN)/pytest -q -s \
		tests/integration/test_docs_site.py -k "browser or api_reference"

# The probes of docs/LIVE.md: prints the plan and its estimated cost; with MEMORIES_API_KEY set,
# runs them within LIVE_ARGS' budget (default --max-cost 0.05) and writes live-report/.
LIVE_ARGS ?=
.PHONY: live live-suites
live: $(STAMP)
	$(BIN)/python -m memories_client.probes $(LIVE_ARGS)

# The tests marked live (tests/live), against MEMORIES_BASE_URL or the service; skipped without a key.
live-suites: $(STAMP)
	$(BIN)/pytest -m live tests/live $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py

# Fork, slow-loris and huge-body figures; rewrites their block in tests/RELIABILITY.md.
hostile: $(STAMP)
	$(BIN)/python benchmarks/hostile.py

clean:
	rm -rf $(VENV) .venv-lowest .venv-latest .venv-py* $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .hypothesis dist site \
		mutants mutants.log
