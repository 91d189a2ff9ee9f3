# Two commands on a fresh machine:
#   make run    set up .venv, then run every notebook headless (quick profile) into report/
#   make test   set up .venv, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= quick

.PHONY: run test lint setup clean-notebooks

run: setup
	$(BIN)/python -m acgan_lib notebooks --profile $(PROFILE) --out report/

test: setup
	$(BIN)/ruff check acgan_lib tests bench
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check acgan_lib tests bench

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@
