# soundsight: `make run` (whole DAG on the embedded world, CPU) and `make test` (the test suite).
# Both create .venv and install the pinned dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
SNAKEMAKE_ARGS ?=
PYTEST_ARGS ?=

.PHONY: install run dry-run test test-slurm stability lint format report clean

$(STAMP): pyproject.toml envs/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c envs/constraints.txt -e '.[workflow,dev]'
	touch $@

install: $(STAMP)  ## create .venv and install the pinned dependencies

run: $(STAMP)  ## run the whole DAG on the embedded AmbientWorld
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)

dry-run: $(STAMP)  ## print the DAG's jobs without running them
	$(BIN)/snakemake -n $(SNAKEMAKE_ARGS)

stability: $(STAMP)  ## rerun the DAG at world seed 1 and compare its audits with seed 0's
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)
	$(BIN)/snakemake --cores $(CORES) --config seed=1 results=results-seed1 $(SNAKEMAKE_ARGS)
	$(BIN)/python -m soundsight.report.stability results/audit results-seed1/audit \
		--out results/audit/stability.md
	@cat results/audit/stability.md

test: $(STAMP)  ## run the test suite (unit tests + the smoke DAG end to end)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-slurm: $(STAMP)  ## as root (Debian 12): smoke DAG through a real single-node Slurm, vs local
	bash ci/test-slurm.sh

lint: $(STAMP)  ## ruff, snakefmt and snakemake --lint
	$(BIN)/ruff check src tests benchmarks workflow/scripts
	$(BIN)/ruff format --check src tests benchmarks workflow/scripts
	$(BIN)/snakefmt --check workflow Snakefile
	$(BIN)/snakemake --lint

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks workflow/scripts
	$(BIN)/snakefmt workflow Snakefile

report: $(STAMP)  ## HTML report of a finished run
	$(BIN)/snakemake --report report.zip

clean:
	rm -rf results results-seed1 .snakemake report.zip
