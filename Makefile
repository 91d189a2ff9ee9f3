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
PRETRAINED_MEDIUM_RUN := runs/medium_seed0
PRETRAINED_MEDIUM := acgan_lib/pretrained/medium

.PHONY: run test lint setup clean-notebooks pretrained pretrained-medium

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
	$(call ship,$(PRETRAINED_RUN),$(PRETRAINED))

# Make the shipped 64 px generator (acgan_lib/pretrained/medium/): the medium profile's default run
# (seed 0) as bench/bench_quick_profile.py trains and judges it against issue 14's targets, then judged
# and copied as above, with the judgements made while it trained (judgements.json, notebook 04 plots
# them). A stopped run continues (--resume) with its judgements and clock; a folder that already holds a
# finished generator is shipped as it is, never trained over.
pretrained-medium: setup
	test -f $(PRETRAINED_MEDIUM_RUN)/generator.keras || $(BIN)/python bench/bench_quick_profile.py \
		--profile medium --seed 0 --judge-every 1000 --run-dir $(PRETRAINED_MEDIUM_RUN) \
		$$(test -f $(PRETRAINED_MEDIUM_RUN)/bench_progress.json && echo --resume)
	$(call ship,$(PRETRAINED_MEDIUM_RUN),$(PRETRAINED_MEDIUM))
	cp $(PRETRAINED_MEDIUM_RUN)/bench_progress.json $(PRETRAINED_MEDIUM)/judgements.json

# $(call ship,RUN,DEST): evaluate RUN's generator and copy it, its run.json, the evaluation and the last
# sample grid to DEST.
define ship
	$(BIN)/python -m acgan_lib evaluate --generator $(1)/generator.keras --out $(1)/evaluation.json
	mkdir -p $(2)
	cp $(1)/generator.keras $(1)/run.json $(1)/evaluation.json $(2)/
	cp $(1)/samples/step_$$(printf %06d $$($(BIN)/python -c "import json; print(json.load(open('$(1)/run.json'))['step'])")).png $(2)/samples.png
endef

lint: setup
	$(BIN)/ruff check acgan_lib tests bench

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@
