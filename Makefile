# Two commands for a fresh machine:  `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS   := $(VENV)/.installed-docs

.PHONY: lab test venv site notebooks student bench bench-quick clean

# Create .venv when missing and (re)install the project with its dev extras when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# The website's tools (the docs extra) on top: for `make site` and the site's browser test, not for `make lab`.
$(DOCS): $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[dev,docs]"
	touch $(DOCS)

# Extra JupyterLab options, e.g. `make lab LAB_ARGS="--no-browser --port=8890"`; root (containers) needs --allow-root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: $(DOCS)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The course website, from the stored notebooks (not re-executed), into build/site.
# Preview: python3 -m http.server -d build/site 8000, then open http://127.0.0.1:8000
site: $(DOCS)
	$(BIN)/python tools/build_site.py

# Maintainers: re-execute every notebook top to bottom in a fresh kernel and store the outputs.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Teachers: every lesson without its folded solutions, into student/ (git-ignored).
student: $(STAMP)
	$(BIN)/python tools/student.py student

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build site/generated
