# The kit's two commands: `make demo` (set up + run the main job) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test venv data build bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[postgresql]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/coursekit demo

test: $(STAMP)
	$(VENV)/bin/coursekit data --quiet
	$(PY) -m pytest -q -rs; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

data: $(STAMP)
	$(VENV)/bin/coursekit data

build: $(STAMP)
	$(VENV)/bin/coursekit build

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build demo-out datasets/embedded
