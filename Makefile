# Entry points. `make help` lists them. Everything runs inside .venv, created on demand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := vae-notebooks
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
BUILD := build
# Set before TensorFlow is imported in any process we start (see helpers/env.py).
export TF_ENABLE_ONEDNN_OPTS ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
export KERAS_BACKEND := tensorflow
export PYTHONWARNINGS := ignore::DeprecationWarning
# Training prints a few summary lines in headless runs; `make lab` (and any Jupyter you start yourself) shows
# Keras' live progress bar instead (helpers.training.live_progress).
export HELPERS_PROGRESS ?= compact

.PHONY: help setup run site site-check slides test lint unit nbval portability smoke tags sync store weights exercises sweep bench lab clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv with the pinned packages and register the Jupyter kernel

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -m pip install --quiet -r requirements.txt 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -m pip install --quiet --no-deps -e . 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -c "import helpers.env, helpers, keras, tensorflow, papermill, nbval"  # fail here if an install failed (helpers.env first: TensorFlow loads quietly)
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (vae-notebooks)" > /dev/null
	touch $@

# make run times each papermill run (stem, start, end in $(BUILD)/run_times.tsv); the site builder turns that into
# $(BUILD)/run_times.json, shows the times on the course's front page and prints them as a table at the end.
# PLOTLY_RENDERER=plotly_mimetype: figures are stored as plotly JSON, as in the stored notebooks; the pages
# draw them with the site's one copy of plotly.js.
run: setup  ## execute every notebook headless (defaults) into build/executed, build the offline site in build/html
	@mkdir -p $(BUILD)/executed
	@rm -f $(BUILD)/run_times.tsv $(BUILD)/run_times.json
	@set -e; for nb in $(NOTEBOOKS); do \
	  name=$$(basename $$nb .ipynb); echo "== $$name"; start=$$EPOCHREALTIME; \
	  PLOTLY_RENDERER=plotly_mimetype $(BIN)/papermill -k $(KERNEL) --cwd notebooks --log-level ERROR --no-progress-bar \
	    --execution-timeout 3600 $$nb $(BUILD)/executed/$$name.ipynb 2> >(grep -v "running over TCP without encryption" >&2); \
	  printf '%s\t%s\t%s\n' "$$name" "$$start" "$$EPOCHREALTIME" >> $(BUILD)/run_times.tsv; \
	done
	@$(BIN)/python -m helpers.site $(BUILD)/html $(patsubst notebooks/%,$(BUILD)/executed/%,$(NOTEBOOKS)) \
	  --record-times $(BUILD)/run_times.tsv --run-times $(BUILD)/run_times.json
	@echo "Results: $(BUILD)/html/index.html (executed notebooks in $(BUILD)/executed/, times in $(BUILD)/run_times.json)"

site: setup  ## build the offline site from the stored notebooks (no execution) into build/site
	$(BIN)/python -m helpers.site $(BUILD)/site $(NOTEBOOKS) --run-times $(BUILD)/run_times.json

site-check: setup  ## build the site from the stored notebooks and check every page (and the slide decks) in headless Chromium
	$(BIN)/pytest -q $(XDIST) --dist loadfile tests/test_site.py tests/test_slides.py -m site

# One reveal.js deck per study (helpers/slides.py) into $(BUILD)/html/slides, from the executed notebooks of make run when
# they are there, else from the stored ones; they reuse the site's MathJax and plotly.js and open offline from file://.
SLIDE_SOURCES = $(if $(wildcard $(BUILD)/executed/[0-9]*.ipynb),$(sort $(wildcard $(BUILD)/executed/[0-9]*.ipynb)),$(NOTEBOOKS))
slides: setup  ## write one offline reveal.js deck per study into build/html/slides (speaker view: press S)
	$(BIN)/python -m helpers.slides $(BUILD)/html $(SLIDE_SOURCES)

test: setup lint unit site-check nbval smoke  ## everything CI runs: lint, unit tests, the site in a browser, nbval + numbers, smoke runs

lint: setup
	$(BIN)/ruff check helpers tests notebooks

# The suites run on TEST_WORKERS pytest-xdist workers (2: the cores CI and a laptop have; 0 runs them in one process).
# --dist loadgroup keeps one assignment's build and gradings on one worker; loadfile keeps a notebook's nbval cells,
# and the site's one browser, on one worker.
TEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))
unit: setup
	$(BIN)/pytest -q $(XDIST) --dist loadgroup tests -m "not smoke and not values and not site"

# nbval re-executes the stored notebooks and compares the exact text of cells tagged nbval-check-output;
# every number the notebooks record (helpers.report) is written to $(VALUES) during that run and then
# compared with the stored one within the tolerances of tests/tolerances.yaml.
VALUES ?= $(BUILD)/values
nbval: setup  ## re-execute the stored notebooks (NOTEBOOKS=… for some); compare exact text, then their numbers within tolerances
	@rm -rf $(VALUES)
	HELPERS_VALUES_DIR=$(abspath $(VALUES)) $(BIN)/pytest -q -p no:randomly $(XDIST) --dist loadfile --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout 1200 --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)
	HELPERS_VALUES_DIR=$(abspath $(VALUES)) HELPERS_VALUES_NOTEBOOKS="$(NOTEBOOKS)" $(BIN)/pytest -q tests -m values

# Proof of portability: the same regression with other kernels (oneDNN off) and with one thread.
# Each run's numbers are kept in tests/portability/ (the spread the tolerances come from).
portability: setup  ## nbval + numbers with oneDNN off, then with one thread; keeps the measured values
	TF_ENABLE_ONEDNN_OPTS=0 $(MAKE) --no-print-directory nbval VALUES=$(BUILD)/values-onednn-off
	$(BIN)/python tests/recorded_values.py save $(BUILD)/values-onednn-off tests/portability/onednn-off.json
	OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
	  $(MAKE) --no-print-directory nbval VALUES=$(BUILD)/values-one-thread
	$(BIN)/python tests/recorded_values.py save $(BUILD)/values-one-thread tests/portability/one-thread.json
	$(BIN)/python tests/recorded_values.py spread tests/portability/*.json

smoke: setup  ## papermill run of every notebook with tiny parameters and retraining forced
	$(BIN)/pytest -q $(XDIST) tests -m smoke

# Takeaway and table cells: remove-input (+ source_hidden in JupyterLab) when they only render, hide-input when they
# also compute (helpers/notebook_tags.py). Idempotent; make sync runs it between two jupytext syncs.
tags: setup  ## tag the cells that render takeaways and tables, so the pages and JupyterLab show each takeaway once; set each cell's slide type
	$(BIN)/python -m helpers.notebook_tags $(NOTEBOOKS)
	$(BIN)/python -m helpers.slides --tag $(NOTEBOOKS)

sync: setup  ## bring each notebook and its paired script in notebooks/src/ up to date (jupytext, newest wins), then tag
	$(BIN)/jupytext --sync $(NOTEBOOKS)
	$(BIN)/python -m helpers.notebook_tags $(NOTEBOOKS)
	$(BIN)/python -m helpers.slides --tag $(NOTEBOOKS)
	$(BIN)/jupytext --sync $(NOTEBOOKS)

store: setup  ## re-execute the notebooks in place: the stored outputs nbval compares against
	@set -e; for nb in $(or $(NB),$(NOTEBOOKS)); do echo "== $$nb"; \
	  PLOTLY_RENDERER=plotly_mimetype $(BIN)/jupyter nbconvert --log-level ERROR --to notebook --execute \
	    --inplace --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=$(KERNEL) $$nb; done

# Each run gets an empty weight cache (HELPERS_CACHE_DIR), so a run that retrains is timed retraining. EX="STEM[:N] ..."
# limits it, e.g. make exercises EX="02_gaussian_heatmaps:2". The runs go side by side on Dask (helpers/fanout.py) like
# make sweep: SCHEDULER=, WORKERS= (1: one after another), THREADS=, DRY=1 (list the runs and the expected wall time);
# RECORDS=folder writes the records elsewhere (to measure without touching data/results/exercises).
exercises: setup  ## run every exercise's parameters with papermill on Dask; record run times and values in data/results/exercises
	$(BIN)/python -m helpers.exercises $(foreach e,$(EX),--only $(e)) $(if $(RECORDS),--records $(RECORDS)) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(THREADS),--threads $(THREADS)) \
	  $(if $(DRY),--dry-run)

# Each combination of GRID is one papermill run on Dask (helpers/fanout.py): a local cluster sized to the machine, or
# SCHEDULER=ADDRESS (or $$HELPERS_DASK_SCHEDULER). Finished runs are kept and skipped next time (FORCE=1 reruns them).
# Optional: SHOW=key,... (values to draw), WORKERS=N, THREADS=N (kernel threads per run), DRY=1 (validate, print the
# expected cost, run nothing).
sweep: setup  ## run NB over GRID="beta=0.1,1,4 seed=19,20,21" (or a YAML file) on Dask; table + figure in build/sweeps
	$(BIN)/python -m helpers.sweep $(NB) --grid "$(GRID)" $(if $(SHOW),--show "$(SHOW)") $(if $(FORCE),--force) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(THREADS),--threads $(THREADS)) \
	  $(if $(DRY),--dry-run)

# The five runs (every notebook with force_retrain and its recompute flags, and study 2's original configuration) go side
# by side on Dask (helpers/ship_weights.py; no two write the same file): SCHEDULER=, WORKERS=, THREADS=, DRY=1 as above.
weights: setup  ## retrain every shipped weight file (and the shipped results table) on Dask, then re-store the notebooks
	$(BIN)/python -m helpers.ship_weights $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(WORKERS),--workers $(WORKERS)) \
	  $(if $(THREADS),--threads $(THREADS)) $(if $(DRY),--dry-run)
	$(if $(DRY),,$(MAKE) store)

# Assignments (otter-grader, offline, no Docker): one master per study in notebooks/assignments/ (paired with src/).
# make assignments writes build/assignments/NAME/{student,autograder} (the solution must score full marks first);
# make grade grades a folder of student notebooks against them into one CSV (a row per student, a column per question).
ASSIGNMENT_MASTERS := $(sort $(wildcard notebooks/assignments/[0-9]*.ipynb))
assignments: setup  ## build each study's coding assignment (student + autograder versions) into build/assignments
	$(BIN)/jupytext --sync $(ASSIGNMENT_MASTERS) > /dev/null
	$(BIN)/python -m helpers.assignments build $(foreach a,$(A),--only $(a))

grade: setup  ## grade SUBMISSIONS=folder of student notebooks (otter run) into SUBMISSIONS/grades.csv
	@test -n "$(SUBMISSIONS)" || { echo "make grade needs SUBMISSIONS=folder (a folder of student .ipynb files)"; exit 2; }
	$(BIN)/python -m helpers.assignments grade "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)")

bench: setup  ## benchmarks: ratios measured side by side in one run
	@set -e; for b in tests/bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

# As root (most classroom containers) Jupyter refuses to start without --allow-root; the flag is added only then.
lab: setup  ## JupyterLab on the project's kernel (also as root, in a classroom container)
	HELPERS_PROGRESS=live $(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS)

clean:  ## remove build outputs and locally trained (non-shipped) weights
	rm -rf $(BUILD) data/cache
