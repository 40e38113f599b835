# hybrid.identity: developer entry points. `make demo` and `make test` are the quick start.
SHELL := /bin/bash
PY := .venv/bin/python
SITES ?= site1

.PHONY: deps lab lab-down lab-status demo test sanity unit integration bench build changelog-lint

deps:
	@bash tests/lab/install-deps.sh

lab: deps
	@$(PY) tests/lab/lab.py up $(foreach s,$(SITES),--site $(s))

lab-down:
	@if [ -x $(PY) ]; then $(PY) tests/lab/lab.py down; else python3 tests/lab/lab.py down; fi

lab-status:
	@$(PY) tests/lab/lab.py status

demo: lab
	@bash tests/demo/run.sh

test: deps
	@bash tests/run-tests.sh

sanity: deps
	@bash tests/run-tests.sh sanity

unit: deps
	@bash tests/run-tests.sh unit

integration: deps
	@bash tests/run-tests.sh integration

bench: lab
	@bash tests/benchmarks/run.sh

build: deps
	@.venv/bin/ansible-galaxy collection build --force --output-path .build

# Release tools (requirements-release.txt, in .build/release-venv) and checks: galaxy-importer, ansible-lint
# --profile production and antsibull-docs lint; make docs builds the documentation site.
.PHONY: release-tools release-check docs
release-tools:
	@bash tests/release/tools.sh

release-check: release-tools
	@bash tests/release/check.sh

docs: release-tools
	@bash tests/release/docs.sh
