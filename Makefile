# Two commands for a fresh machine with python3 and make:
#   make lab    set up .venv and open the lesson in JupyterLab (127.0.0.1 only)
#   make test   set up .venv with the test tools and run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Where `make wheel` puts the wheel.
DIST   ?= dist
# Extra options for `smtplesson start` under `make lab`, e.g. LAB_ARGS="--no-browser --port 8890".
LAB_ARGS ?=

.PHONY: lab test notebooks html bench wheel clean help mutate

help:
	@echo "make lab        open the lesson in JupyterLab"
	@echo "make test       run every test (unit, lab, widgets, notebooks)"
	@echo "make notebooks  re-execute the notebooks and store their outputs"
	@echo "make html       build site/: a static copy of the lesson that needs no internet"
	@echo "make bench      run the benchmarks in bench/"
	@echo "make wheel      build dist/smtplesson-*.whl (then: pip install dist/smtplesson-*.whl)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit("smtplesson needs Python 3.10 or newer" if sys.version_info < (3, 10) else 0)'
	@echo "==> First run: making a virtual environment in $(VENV)/ (only once)."
	$(PYTHON) -m venv $(VENV)
	@echo "==> Updating pip inside $(VENV)/."
	$(PY) -m pip install --quiet --progress-bar off --upgrade pip

$(VENV)/.lab-installed: pyproject.toml | $(PY)
	@echo "==> Installing the lesson and what it needs (JupyterLab, ipywidgets, pandas, aiosmtpd,"
	@echo "    cryptography: about 90 packages, 360 MB installed) into $(VENV)/. The first time"
	@echo "    this takes a minute or more; pip names each package as it goes."
	$(PY) -m pip install --progress-bar off -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	@echo "==> Installing the lesson and its test tools into $(VENV)/ (the first time: a few minutes)."
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.lab-installed

# The repository's own notebooks, opened as they are (they are also the originals `reset` uses).
lab: $(VENV)/.lab-installed
	@echo "==> Opening the lesson in JupyterLab on 127.0.0.1 at 00-start-here (Ctrl+C stops it)."
	$(PY) -m smtplesson start notebooks --no-copy $(LAB_ARGS)

# A wheel of the lesson (notebooks inside) that pip installs on any machine with Python 3.10+.
wheel: | $(PY)
	@echo "==> Building the smtplesson wheel into $(DIST)/."
	rm -f $(DIST)/smtplesson-*.whl
	@if $(PY) -c 'import hatchling' 2>/dev/null; then isolation=--no-build-isolation; fi; \
	  echo "$(PY) -m pip wheel --no-deps $$isolation --wheel-dir $(DIST) ."; \
	  $(PY) -m pip wheel --quiet --no-deps $$isolation --wheel-dir $(DIST) .
	@ls $(DIST)/smtplesson-*.whl
	@echo "==> Install it with: pip install $$(ls $(DIST)/smtplesson-*.whl), then run: smtplesson start"

test: $(VENV)/.test-installed
	$(PY) -m pytest

notebooks: $(VENV)/.test-installed
	$(PY) tools/execute_notebooks.py notebooks/*.ipynb

html: $(VENV)/.test-installed
	$(PY) tools/build_site.py site

bench: $(VENV)/.test-installed
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# Mutation score of the core modules (mutmut, fast unit tests only; slow, not part of `make test`).
# `make mutate MODULES="reply digits"` measures only those; tests/MUTATION.md has the figures.
mutate: $(VENV)/.test-installed
	$(PY) -c 'import mutmut' 2>/dev/null || $(PY) -m pip install --quiet -e '.[test,mutate]'
	$(PY) tests/run_mutation.py $(MODULES)

clean:
	rm -rf $(VENV) .tools site build dist .pytest_cache .hypothesis test-artifacts
