# Two commands on a fresh machine:
#   make run    set up .venv, then run every notebook headless (quick profile) into report/
#   make test   set up .venv, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= quick

PRETRAINED_RUN := runs/pretrained
PRETRAINED_STEPS := 8000
PRETRAINED := acgan_lib/pretrained/quick

.PHONY: run test lint setup clean-notebooks pretrained

run: setup
	$(BIN)/python -m acgan_lib notebooks --profile $(PROFILE) --out report/

test: setup
	$(BIN)/ruff check acgan_lib tests bench
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Remake the shipped generator (acgan_lib/pretrained/quick/): the quick profile's models and settings,
# trained twice the profile's steps with op determinism (a stopped run continues), judged, then copied
# with its run.json, its evaluation and its last sample grid.
pretrained: setup
	$(BIN)/python -m acgan_lib train --profile quick --steps $(PRETRAINED_STEPS) --deterministic --no-progress \
		--out $(PRETRAINED_RUN) \
		$$(test -f $(PRETRAINED_RUN)/run.json && echo --resume)
	$(BIN)/python -m acgan_lib evaluate --generator $(PRETRAINED_RUN)/generator.keras \
		--out $(PRETRAINED_RUN)/evaluation.json
	mkdir -p $(PRETRAINED)
	cp $(PRETRAINED_RUN)/generator.keras $(PRETRAINED_RUN)/run.json $(PRETRAINED_RUN)/evaluation.json $(PRETRAINED)/
	cp $(PRETRAINED_RUN)/samples/step_$$(printf %06d $$($(BIN)/python -c "import json; print(json.load(open('$(PRETRAINED_RUN)/run.json'))['step'])")).png $(PRETRAINED)/samples.png

lint: setup
	$(BIN)/ruff check acgan_lib tests bench

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@
