# Two commands for a fresh machine with python3 and make:
#   make lab    set up .venv and open the lesson in JupyterLab (127.0.0.1 only)
#   make test   set up .venv with the test tools and run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# JupyterLab refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

.PHONY: lab test notebooks html bench clean help mutate

help:
	@echo "make lab        open the lesson in JupyterLab"
	@echo "make test       run every test (unit, lab, widgets, notebooks)"
	@echo "make notebooks  re-execute the notebooks and store their outputs"
	@echo "make html       build site/: a static copy of the lesson that needs no internet"
	@echo "make bench      run the benchmarks in bench/"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("smtplesson needs Python 3.10 or newer" if sys.version_info < (3, 10) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.lab-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.lab-installed

lab: $(VENV)/.lab-installed
	$(PY) -m jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG) \
		--LabApp.default_url=/lab/tree/00-start-here.ipynb

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
